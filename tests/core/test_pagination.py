"""Lists at a million rows: a count bounded to COUNT_EXACT_UP_TO rows (the planner's
estimate above, said so), and `?cursor=` keyset pages. Figures here are small: the
threshold is lowered so that the estimated path runs."""

import pytest

from apps.core import pagination
from apps.register.models import Household
from tests import factories as f


@pytest.fixture
def households(world):
    return [f.HouseholdFactory(area=world.building_a, room=f"{i:03d}") for i in range(1, 13)]


@pytest.fixture
def admin_api(world, api):
    return api.as_user(world.user("administrator"))


def test_small_lists_keep_their_exact_count(world, households, admin_api):
    body = admin_api.get("/api/households/", {"page_size": 5}).json()
    assert body["count"] == Household.objects.count()
    assert body["count_estimated"] is False
    assert len(body["results"]) == 5


def test_above_the_threshold_the_count_is_an_estimate_and_says_so(
    world, households, admin_api, monkeypatch
):
    monkeypatch.setattr(pagination, "COUNT_EXACT_UP_TO", 3)
    body = admin_api.get("/api/households/", {"page_size": 5}).json()
    assert body["count_estimated"] is True
    assert body["count"] >= 4  # never below what was counted exactly
    assert len(body["results"]) == 5


def test_an_estimate_below_the_real_count_cuts_no_page_and_hides_no_next(world, households):
    # The planner may guess low (a fresh table): the pages still hold every row, in order.
    paginator = pagination.EstimatedPaginator(Household.objects.order_by("pk"), 5)
    paginator.__dict__["count"] = 2  # an estimate well below the real count
    paginator.count_estimated = True
    seen, number = [], 1
    while True:
        page = paginator.page(number)
        seen += [h.pk for h in page]
        if not page.has_next():
            break
        number = page.next_page_number()
    assert seen == list(Household.objects.order_by("pk").values_list("pk", flat=True))


def test_bounded_count_counts_at_most_the_threshold(world, households):
    queryset = Household.objects.all()
    assert pagination.bounded_count(queryset, limit=100) == (queryset.count(), False)
    count, estimated = pagination.bounded_count(queryset, limit=5)
    assert estimated is True and count >= 6


def test_the_cursor_walks_the_whole_list_once_in_order(world, households, admin_api):
    seen, url, params = [], "/api/households/", {"cursor": "", "ordering": "-id", "page_size": 5}
    while url:
        body = admin_api.get(url, params).json()
        assert "count" not in body
        seen += [row["id"] for row in body["results"]]
        url, params = body["next"], None
    expected = list(Household.objects.order_by("-id").values_list("id", flat=True))
    assert seen == expected


def test_the_cursor_breaks_ties_by_id(world, households, admin_api):
    # Every household has the same `created_at` second or close: order by it, ties by id.
    Household.objects.update(created_at=Household.objects.first().created_at)
    seen, url, params = [], "/api/households/", {"cursor": "", "ordering": "created_at"}
    params["page_size"] = 4
    while url:
        body = admin_api.get(url, params).json()
        seen += [row["id"] for row in body["results"]]
        url, params = body["next"], None
    assert sorted(seen) == sorted(Household.objects.values_list("id", flat=True))
    assert len(seen) == len(set(seen))


def test_a_cursor_on_an_ordering_across_a_relation_is_refused(world, households, admin_api):
    response = admin_api.get("/api/households/", {"cursor": ""})  # default: area__path, …
    assert response.status_code == 400
    assert response.json()["code"] == "cursor_not_supported"


def test_the_page_shows_an_estimated_count_as_one(world, households, staff_client, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_EXACT_UP_TO", 3)
    response = staff_client("administrator").get("/grids/households/")
    assert response.status_code == 200
    assert "约" in response.content.decode()

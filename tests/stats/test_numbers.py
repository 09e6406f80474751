"""The numbers read from the wish rollups agree with the wishes and claims themselves."""

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from apps.core.periods import parse_period
from apps.stats import selectors
from apps.wishes import services
from apps.wishes.models import WishCategory

pytestmark = pytest.mark.django_db


@pytest.fixture
def wishes(world):
    category = WishCategory.objects.get_or_create(name="助老", defaults={"order": 40})[0]
    resident, member = world.user("resident"), world.user("member")
    vetter = world.user("grid_worker")
    made = []
    for i, (stage, rating) in enumerate(
        [("closed", 5), ("closed", 4), ("closed", 2), ("fulfilled", None), ("published", None)]
        + [("submitted", None)]
    ):
        wish = services.wish_submit(actor=resident, title=f"心愿{i}", category=category)
        if stage != "submitted":
            services.wish_publish(wish=wish, actor=vetter)
        if stage in ("fulfilled", "closed"):
            services.wish_claim(wish=wish, actor=member)
            services.wish_fulfil(wish=wish, actor=member, note="好")
        if stage == "closed":
            services.wish_confirm(wish=wish, actor=resident, rating=rating)
        made.append(wish)
    return made


def _numbers(world, node=None):
    today = timezone.localdate().isoformat()
    return selectors.numbers(node=node or world.street, period=parse_period(today, today))


def test_wish_funnel_satisfaction_median_and_claimants(world, wishes):
    w = _numbers(world)["wishes"]
    assert (w["submitted"], w["published"], w["claimed"], w["fulfilled"], w["confirmed"]) == (
        6,
        5,
        4,
        4,
        3,
    )
    assert (w["rated"], w["satisfied"], w["satisfaction_rate"]) == (3, 2, 0.6667)
    assert w["median_minutes_to_claim"] == 0.0  # claimed within the minute
    assert (w["claims_by_members"], w["claims_by_organisations"]) == (4, 0)
    assert w["by_category"] == [
        {"category": "助老", "submitted": 6, "published": 5, "claimed": 4, "fulfilled": 4,
         "confirmed": 3}
    ]  # fmt: skip


def test_another_community_sees_none_of_them(world, wishes):
    w = _numbers(world, world.community_b)["wishes"]
    assert w["submitted"] == 0 and w["satisfaction_rate"] is None
    assert w["median_minutes_to_claim"] is None


def test_median_of_histogram():
    assert selectors.median_of_histogram([(10, 1), (3, 2)]) == 3.0
    assert selectors.median_of_histogram([(10, 1), (3, 1)]) == 6.5
    assert selectors.median_of_histogram([(60, 2), (1, 1), (1440, 2)]) == 60.0
    assert selectors.median_of_histogram([]) is None


def test_xlsx_and_page(world, wishes, client):
    client.force_login(world.user("administrator"))
    response = client.get(f"/stats/numbers.xlsx?node={world.street.pk}")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    assert wb.sheetnames == ["汇总", "心愿类别", "项目状态", "联名申请状态"]
    rows = {r[0]: r[1] for r in wb["汇总"].iter_rows(values_only=True)}
    assert rows["心愿提交"] == 6 and rows["满意率"] == 0.6667
    page = client.get(f"/stats/?node={world.street.pk}").content.decode()
    assert "<progress" in page and "67%（2/3）" in page
    api = client.get(f"/api/stats/numbers/?node={world.street.pk}").json()
    assert api["wishes"]["confirmed"] == 3

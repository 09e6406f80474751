"""Finding 13 (issue 13): a helper (服务员) has a phone-first page listing their paired
residents with the last visit and its five clears (五清), linked from the home page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.grids import services
from apps.grids.models import Visit
from tests.grids.conftest import helper_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def helper(world, make_member):
    member = make_member()
    return member, helper_user(world, member)


def test_helper_page_lists_paired_residents_with_last_visit_and_five_clears(
    world, client, helper, vulnerable
):
    member, user = helper
    visited, unvisited = vulnerable(), vulnerable()
    visited.name, unvisited.name = "孙秀英", "周大爷"
    visited.save(), unvisited.save()
    for resident in (visited, unvisited):
        services.pairing_create(actor=world.user("grid_worker"), helper=member, resident=resident)
    clears = {"situation_clear": True, "thinking_clear": True}
    services.visit_log(
        actor=user,
        household=visited.household,
        visited_at=timezone.now() - dt.timedelta(days=20),
        five_clears=dict.fromkeys(Visit.FIVE_CLEARS, True),
    )
    last = timezone.now() - dt.timedelta(minutes=5)
    services.visit_log(actor=user, household=visited.household, visited_at=last, five_clears=clears)

    client.force_login(user)
    response = client.get(reverse("grids:helper"))
    assert response.status_code == 200
    rows = {row["household"].pk: row for row in response.context["rows"]}
    assert set(rows) == {visited.household_id, unvisited.household_id}
    row = rows[visited.household_id]
    assert row["last_visit_at"] == last and not row["due"]
    # The clears of the LAST visit, not of any earlier one.
    assert [done for _label, done in row["clears"]] == [True, True, False, False, False]
    assert not row["all_clear"]
    assert rows[unvisited.household_id]["last_visit_at"] is None
    assert rows[unvisited.household_id]["due"]
    page = response.content.decode()
    assert "✓情况清" in page and "✗落实清" in page and "未走访" in page
    assert f"?household={visited.household_id}" in page


def test_helper_page_shows_only_the_helpers_own_active_pairings(world, client, helper, vulnerable):
    member, user = helper
    mine, ended, someone_elses = vulnerable(), vulnerable(), vulnerable()
    services.pairing_create(actor=world.user("grid_worker"), helper=member, resident=mine)
    gone = services.pairing_create(actor=world.user("grid_worker"), helper=member, resident=ended)
    services.pairing_end(actor=world.user("grid_worker"), pairing=gone)
    services.pairing_create(
        actor=world.user("grid_worker"),
        helper=world.user("member").member,
        resident=someone_elses,
    )
    client.force_login(user)
    rows = client.get(reverse("grids:helper")).context["rows"]
    assert [row["household"].pk for row in rows] == [mine.household_id]


def test_home_links_the_helper_page_only_for_helpers(world, client, helper, vulnerable):
    member, user = helper
    client.force_login(user)
    url = reverse("grids:helper")
    assert url not in client.get("/").content.decode()
    services.pairing_create(actor=world.user("grid_worker"), helper=member, resident=vulnerable())
    assert url in client.get("/").content.decode()

"""Finding 13 (issue 13): a grid worker sees the star ranking of their own grid's members
(page and API), and nothing of another grid or community; ids they may not see answer
exactly like ids that do not exist."""

import pytest
from django.urls import reverse

from apps.points.services import points_award
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def grid_members(world):
    """Two members of community A living in grid A (one with points), one living elsewhere."""
    rich = f.MemberFactory(
        branch=world.branch_a,
        community=world.community_a,
        residence=world.building_a,
        name="钱多多",
    )
    f.MemberFactory(
        branch=world.branch_a, community=world.community_a, residence=world.building_a, name="孙少"
    )
    f.MemberFactory(
        branch=world.branch_a, community=world.community_a, residence=None, name="外住者"
    )
    points_award(member=rich, rule="volunteer_hours")
    return rich


def test_grid_worker_gets_their_grids_ranking_by_api(api, world, grid_members):
    client = api.as_user(world.user("grid_worker"))
    for query in ({}, {"grid": world.grid_a.pk}, {"community": world.grid_a.pk}):
        response = client.get("/api/points/stars/", query)
        assert response.status_code == 200, (query, response.json())
        names = [row["name"] for row in response.json()]
        assert names[0] == "钱*多"  # most points first
        assert "外*者" not in names  # lives outside the grid
        assert "钱多多" not in response.content.decode()  # masked


def test_grid_worker_gets_their_grids_ranking_page(client, world, grid_members):
    client.force_login(world.user("grid_worker"))
    response = client.get(reverse("points:ranking"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "钱*多" in page and "外*者" not in page


def test_other_grid_or_community_is_like_a_node_that_does_not_exist(api, world, grid_members):
    client = api.as_user(world.user("grid_worker"))
    missing = client.get("/api/points/stars/", {"grid": 999999})
    for node in (world.grid_b, world.community_a, world.community_b, world.building_a):
        other = client.get("/api/points/stars/", {"grid": node.pk})
        assert (other.status_code, other.json()) == (missing.status_code, missing.json())
    assert missing.status_code == 404 and missing.json()["code"] == "area_not_found"

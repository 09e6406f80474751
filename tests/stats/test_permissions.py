"""Who sees the numbers: administrators over the node (a street's, their street; a district's,
all). Everyone else gets the answer for a node that does not exist (404)."""

import pytest

from apps.accounts.models import Role
from apps.register.models import Area
from tests import factories as f
from tests.permission_matrix import ROLES, _client

COVERED = {"/api/stats/numbers/"}

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("place", ["street", "community_a", "community_b", "grid_a"])
def test_numbers_matrix(world, role, place):
    node = getattr(world, place)
    response = _client(world, role).get(f"/api/stats/numbers/?node={node.pk}")
    expected = 401 if role == "anonymous" else 200 if role == "administrator" else 404
    assert response.status_code == expected, response.content[:200]
    if expected == 404:
        assert response.json()["code"] == "node_not_found"


def test_street_admin_sees_their_street_district_admin_all(world, client):
    other = f.area("新碶街道", Area.Kind.STREET, world.district)
    client.force_login(world.user("administrator"))  # administrator of 大榭街道
    assert client.get(f"/api/stats/numbers/?node={world.street.pk}").status_code == 200
    assert client.get(f"/api/stats/numbers/?node={other.pk}").status_code == 404
    assert client.get(f"/api/stats/numbers/?node={world.district.pk}").status_code == 404
    district_admin = f.UserFactory(username="district-admin")
    f.grant(district_admin, Role.ADMINISTRATOR, area=world.district)
    client.force_login(district_admin)
    for node in (world.district, world.street, other):
        assert client.get(f"/api/stats/numbers/?node={node.pk}").status_code == 200
    page = client.get("/stats/")
    assert page.status_code == 200 and "北仑区" in page.content.decode()


@pytest.mark.parametrize("query", ["node=abc", "node=", "node=²", "node=999999"])
def test_bad_node_is_404_with_code(world, client, query):
    client.force_login(world.user("administrator"))
    response = client.get(f"/api/stats/numbers/?{query}")
    assert response.status_code == 404 and response.json()["code"] == "node_not_found"


def test_bad_dates_are_400_with_code(world, client):
    client.force_login(world.user("administrator"))
    response = client.get(f"/api/stats/numbers/?node={world.street.pk}&from=2026-13-01")
    assert response.status_code == 400 and response.json()["code"] == "invalid_date"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("from=0001-01-01&to=9999-12-31", "invalid_date"),
        ("from=2001-01-01&to=2026-01-01", "period_too_long"),
    ],
)
def test_absurd_periods_are_400_with_code(world, client, query, code):
    client.force_login(world.user("administrator"))
    for url in (
        f"/api/stats/numbers/?node={world.street.pk}&",
        f"/api/reports/grid/?node={world.street.pk}&",
    ):
        response = client.get(url + query)
        assert response.status_code == 400 and response.json()["code"] == code

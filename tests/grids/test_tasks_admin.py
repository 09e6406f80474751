import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "grids/responsibilitygroup",
        "grids/visit",
        "grids/problem",
        "grids/pairing",
        "points/pointsrule",  # moved out of grids; /admin/grids/pointsrule/ redirects here
        "points/pointsentry",
    ],
)
def test_admin_changelists_load(admin_client, path):
    assert admin_client.get(f"/admin/{path}/").status_code == 200


def test_every_event_has_a_title_and_body():
    from apps.grids.events import EVENTS

    assert set(EVENTS) == {
        "problem.escalated",
        "problem.resolved",
        "problem.overdue",
        "pairing.unvisited",
    }
    assert all({"title", "body"} <= set(texts) for texts in EVENTS.values())

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", ["responsibilitygroup", "visit", "problem", "pairing", "pointsrule", "pointsentry"]
)
def test_admin_changelists_load(admin_client, model):
    assert admin_client.get(f"/admin/grids/{model}/").status_code == 200


def test_every_event_has_a_title_and_body():
    from apps.grids.events import EVENTS

    assert set(EVENTS) == {
        "problem.escalated",
        "problem.resolved",
        "problem.overdue",
        "pairing.unvisited",
    }
    assert all({"title", "body"} <= set(texts) for texts in EVENTS.values())

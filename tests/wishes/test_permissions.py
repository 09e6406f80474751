"""Who may make each move through the API: every action × every role of the `world`, with
the wish (in community A) in the state the action starts from. The table IS the spec:
200 done, 403 sees the wish but may not, 404 may not even see it, 401 anonymous."""

import pytest
from rest_framework.test import APIClient

from apps.wishes.models import Wish
from tests.permission_matrix import ROLES

pytestmark = pytest.mark.django_db

VETTING = {"resident": 403, "grid_worker": 200, "secretary": 200, "administrator": 403}
CLAIMANT_ONLY = {"member": 200, "resident": 403, "group_leader": 403, "grid_worker": 403}
CLAIMANT_ONLY |= {"secretary": 403, "administrator": 403}
# action: (state the wish is in, payload, {role: status}); roles not named get 404.
TABLE = {
    "publish": ("submitted", {}, VETTING),
    "reject": ("submitted", {"reason": "不符合条件"}, VETTING),
    # Only the resident withdraws (issue 13): staff reject, with a reason.
    "withdraw": (
        "submitted",
        {},
        {"resident": 200, "grid_worker": 403, "secretary": 403, "administrator": 403},
    ),
    "claim": (
        "published",
        {},
        {"member": 200, "group_leader": 200, "resident": 403, "grid_worker": 403}
        | {"secretary": 403, "administrator": 403},
    ),
    "release": ("claimed", {}, CLAIMANT_ONLY),
    "fulfil": ("claimed", {"note": "已完成"}, CLAIMANT_ONLY),
    "confirm": ("fulfilled", {"rating": 5}, CLAIMANT_ONLY | {"member": 403, "resident": 200}),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", TABLE)
def test_permission_table(api, world, make_wish, action, role):
    state, payload, spec = TABLE[action]
    wish = make_wish(state)
    client = APIClient() if role == "anonymous" else api.as_user(world.user(role))
    response = client.post(f"/api/wishes/{wish.pk}/{action}/", payload, format="json")
    expected = 401 if role == "anonymous" else spec.get(role, 404)
    assert response.status_code == expected, response.json()
    if expected != 200:
        assert Wish.objects.get(pk=wish.pk).status == state

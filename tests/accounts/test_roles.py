"""Scoped role administration (issue 13): administrators and secretaries grant and revoke
roles within their own subtree, never above their own node and never a role above their
own; a node they do not administer looks like one that does not exist."""

import pytest

from apps.accounts import services
from apps.accounts.models import Role, RoleAssignment
from apps.core.errors import Forbidden, InvalidInput, NotFound
from tests import factories as f

pytestmark = pytest.mark.django_db

MISSING = 99_999_999


def _held(user, role, **node) -> bool:
    return RoleAssignment.objects.filter(user=user, role=role, **node).exists()


def test_secretary_grants_and_revokes_a_lower_role_in_their_subtree(world):
    secretary, someone = world.user("secretary"), f.UserFactory()
    assignment = services.role_grant(
        actor=secretary, user=someone, role=Role.GRID_WORKER, area=world.grid_a
    )
    assert _held(someone, Role.GRID_WORKER, area=world.grid_a)
    # a secretary may grant their own rank at their own node (a peer), not above it
    services.role_grant(actor=secretary, user=someone, role=Role.SECRETARY, area=world.community_a)
    services.role_revoke(actor=secretary, assignment=assignment)
    assert not _held(someone, Role.GRID_WORKER, area=world.grid_a)


@pytest.mark.parametrize(
    "role,node,code",
    [
        (Role.ADMINISTRATOR, "grid_a", "role_above_own"),  # a role above their own
        (Role.GRID_WORKER, "street", "node_not_found"),  # above their own node
        (Role.GRID_WORKER, "community_b", "node_not_found"),  # another subtree
        (Role.JUROR, "community_a", "role_not_grantable"),  # seated per review session
    ],
)
def test_secretary_is_refused_and_nothing_is_written(world, role, node, code):
    before = RoleAssignment.objects.count()
    with pytest.raises((Forbidden, NotFound, InvalidInput)) as exc:
        services.role_grant(
            actor=world.user("secretary"),
            user=f.UserFactory(),
            role=role,
            area=getattr(world, node),
        )
    assert exc.value.code == code
    assert RoleAssignment.objects.count() == before


@pytest.mark.parametrize("role", ["grid_worker", "group_leader", "member", "resident", "nobody"])
def test_roles_below_secretary_administer_nothing(world, role):
    with pytest.raises(NotFound):
        services.role_grant(
            actor=world.user(role), user=f.UserFactory(), role=Role.RESIDENT, area=world.building_a
        )


def test_party_org_nodes_follow_the_party_tree_and_the_area(world):
    # The street administrator covers the branches of the communities in the street.
    services.role_grant(
        actor=world.user("administrator"),
        user=f.UserFactory(),
        role=Role.SECRETARY,
        party_org=world.branch_b,
    )
    with pytest.raises(NotFound):  # the committee sits at the street: above community A
        services.role_grant(
            actor=world.user("secretary"),
            user=f.UserFactory(),
            role=Role.MEMBER,
            party_org=world.committee,
        )


def test_revoking_a_role_above_ones_own_is_refused(world):
    higher = f.grant(f.UserFactory(), Role.ADMINISTRATOR, area=world.grid_a)
    with pytest.raises(Forbidden) as exc:
        services.role_revoke(actor=world.user("secretary"), assignment=higher)
    assert exc.value.code == "role_above_own"
    assert RoleAssignment.objects.filter(pk=higher.pk).exists()


def test_a_role_held_twice_is_a_409(world, api):
    client = api.as_user(world.user("secretary"))
    body = {"user": world.user("member").pk, "role": "member", "area": world.community_a.pk}
    response = client.post("/api/role-assignments/", body, format="json")
    assert response.status_code == 409 and response.json()["code"] == "role_already_held"


# --- API -----------------------------------------------------------------------------------


def test_api_lists_only_assignments_in_the_callers_subtree(world, api):
    client = api.as_user(world.user("secretary"))
    rows = client.get("/api/role-assignments/", {"page_size": 200}).json()["results"]
    users = {row["username"] for row in rows}
    assert {"gridworker", "member", "secretary"} <= users
    assert "outsider" not in users and "admin" not in users  # community B; the street


def test_api_out_of_scope_node_answers_like_a_missing_one(world, api):
    client = api.as_user(world.user("secretary"))
    someone = f.UserFactory()

    def grant(node_id):
        body = {"user": someone.pk, "role": "grid_worker", "area": node_id}
        response = client.post("/api/role-assignments/", body, format="json")
        return response.status_code, response.content.decode().replace(str(node_id), "#")

    assert grant(world.grid_b.pk) == grant(MISSING)
    assert grant(world.street.pk) == grant(MISSING)
    assert grant(MISSING)[0] == 400
    assert not RoleAssignment.objects.filter(user=someone).exists()


def test_api_grant_above_own_role_and_revoke(world, api):
    client = api.as_user(world.user("secretary"))
    someone = f.UserFactory()
    body = {"user": someone.pk, "role": "administrator", "area": world.grid_a.pk}
    response = client.post("/api/role-assignments/", body, format="json")
    assert response.status_code == 403 and response.json()["code"] == "role_above_own"
    body["role"] = "grid_worker"
    response = client.post("/api/role-assignments/", body, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert client.delete(f"/api/role-assignments/{pk}/").status_code == 204
    # Another subtree's assignment is a 404, and stays.
    theirs = RoleAssignment.objects.get(user=world.user("outsider"), role=Role.SECRETARY)
    assert client.delete(f"/api/role-assignments/{theirs.pk}/").status_code == 404
    assert RoleAssignment.objects.filter(pk=theirs.pk).exists()


# --- page and admin -----------------------------------------------------------------------


def test_roles_page_grants_by_username_and_refuses_above_own(world, client):
    client.force_login(world.user("secretary"))
    page = client.get("/roles/")
    assert page.status_code == 200 and "gridworker" in page.content.decode()
    someone = f.UserFactory(username="newworker")
    response = client.post(
        "/roles/", {"user": "newworker", "role": "grid_worker", "node": f"area:{world.grid_a.pk}"}
    )
    assert response.status_code == 302
    assert _held(someone, Role.GRID_WORKER, area=world.grid_a)
    client.post(
        "/roles/",
        {"user": "newworker", "role": "administrator", "node": f"area:{world.grid_a.pk}"},
        HTTP_REFERER="/roles/",
    )
    assert not _held(someone, Role.ADMINISTRATOR)
    assert client.get("/roles/").status_code == 200
    client.force_login(world.user("member"))
    assert "/roles/" not in client.get("/").content.decode()


def test_admin_adds_through_the_service(world, staff_client):
    client = staff_client("secretary")
    someone = f.UserFactory()
    url = "/admin/accounts/roleassignment/add/"
    data = {"user": someone.pk, "role": "administrator", "area": world.grid_a.pk}
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with the service's refusal
    assert "不能授予或撤销高于本人的角色" in response.content.decode()
    assert not RoleAssignment.objects.filter(user=someone).exists()
    response = client.post(url, {**data, "role": "grid_worker"})
    assert response.status_code == 302
    assert _held(someone, Role.GRID_WORKER, area=world.grid_a)

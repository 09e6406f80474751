"""The permission matrix: every API endpoint × every role in the `world` (+ outsider,
nobody, anonymous) × an object in community A, in community B and the user's own, for list,
retrieve, update, delete and create. The tables below ARE the spec; `check` fails a row if
a role sees or changes anything it should not (or cannot do what it should).

World recap (tests/conftest.py): everyone is in community A except `outsider`, who is
member, grid worker (grid B) and secretary in community B. `administrator` holds the street,
so sees both. The group leader leads grid A and is a member in community A.

To add another app's endpoints, build `Endpoint` rows (tests/permission_matrix.py) and add
them to ENDPOINTS.
"""

import itertools

import pytest

from apps.register.models import Area, PartyOrg
from tests import factories as f
from tests.permission_matrix import ALL, ROLES, Endpoint, check

_n = itertools.count(1)

GRID_STAFF = {"grid_worker", "secretary", "administrator"}
AREA_ROLES = {"member", "group_leader", *GRID_STAFF}  # every role held at an area in A
# Who sees community A itself and its branch (the grid worker and the group leader's grid
# role sit below it; the leader is also a member of the community).
COMMUNITY_VIEWERS = {"member", "group_leader", "secretary", "administrator"}


def _area_parent(world, where):
    return world.grid_a if where == "A" else world.grid_b


def _building(world, where):
    return world.building_a if where == "A" else world.building_b


def _branch(world, where):
    return world.branch_a if where == "A" else world.branch_b


def _community(world, where):
    return world.community_a if where == "A" else world.community_b


def _make_area(world, where):
    return f.area(f"新楼{next(_n)}", Area.Kind.BUILDING, _area_parent(world, where))


def _make_household(world, where):
    if where == "own":
        return world.user("resident").resident.household
    return f.HouseholdFactory(area=_building(world, where), room=f"9{next(_n):03d}")


def _make_resident(world, where):
    if where == "own":
        return world.user("resident").resident
    return f.ResidentFactory(household=_make_household(world, where))


def _make_party_org(world, where):
    grid = world.grid_a if where == "A" else world.grid_b
    return f.party_org(f"党小组{next(_n)}", PartyOrg.Kind.GROUP, _branch(world, where), area=grid)


def _make_member(world, where):
    if where == "own":
        return world.user("member").member
    return f.MemberFactory(
        branch=_branch(world, where),
        community=_community(world, where),
        residence=_building(world, where),
    )


def _make_organisation(world, where):
    return f.OrganisationFactory(area=_community(world, where))


ENDPOINTS = [
    Endpoint(
        name="areas",
        url="/api/areas/",
        make=_make_area,
        create_payload=lambda w, where: {
            "name": f"新楼{next(_n)}",
            "kind": "building",
            "parent": _area_parent(w, where).pk,
        },
        update_payload={"code": "X-1"},
        view={"A": AREA_ROLES, "B": {"administrator", "outsider"}},
        change={"A": {"administrator"}, "B": {"administrator"}},
        target_view={"A": AREA_ROLES, "B": {"administrator", "outsider"}},
        create={"A": {"administrator"}, "B": {"administrator"}},
    ),
    Endpoint(
        name="households",
        url="/api/households/",
        make=_make_household,
        create_payload=lambda w, where: {
            "area": _building(w, where).pk,
            "unit": "2",
            "room": f"8{next(_n):03d}",
        },
        update_payload={"unit": "7"},
        places=("A", "B", "own"),
        # A group leader sees only their group's households (tests/grids/test_leader_scope.py).
        view={
            "A": GRID_STAFF,
            "B": {"administrator", "outsider"},
            "own": {"resident", *GRID_STAFF},
        },
        change={
            "A": GRID_STAFF,
            "B": {"administrator", "outsider"},
            "own": GRID_STAFF,
        },
        target_view={"A": AREA_ROLES, "B": {"administrator", "outsider"}},
        create={"A": GRID_STAFF, "B": {"administrator", "outsider"}},
    ),
    Endpoint(
        name="residents",
        url="/api/residents/",
        make=_make_resident,
        create_payload=lambda w, where: {
            "household": _make_household(w, where).pk,
            "name": "钱多多",
            "gender": "male",
            "phone": "13712345678",
        },
        update_payload={"hardship_note": "独居老人"},
        places=("A", "B", "own"),
        # A group leader sees only their group's households (tests/grids/test_leader_scope.py).
        view={
            "A": GRID_STAFF,
            "B": {"administrator", "outsider"},
            "own": {"resident", *GRID_STAFF},
        },
        change={"A": GRID_STAFF, "B": {"administrator", "outsider"}, "own": GRID_STAFF},
        target_view={"A": GRID_STAFF, "B": {"administrator", "outsider"}},
        create={"A": GRID_STAFF, "B": {"administrator", "outsider"}},
    ),
    Endpoint(
        name="party-orgs",
        url="/api/party-orgs/",
        make=_make_party_org,
        create_payload=lambda w, where: {
            "name": f"党小组{next(_n)}",
            "kind": "group",
            "parent": _branch(w, where).pk,
        },
        update_payload={"name": "改名党小组"},
        view={"A": AREA_ROLES, "B": {"administrator", "outsider"}},
        change={"A": {"secretary", "administrator"}, "B": {"administrator", "outsider"}},
        target_view={"A": COMMUNITY_VIEWERS, "B": {"administrator", "outsider"}},
        create={"A": {"secretary", "administrator"}, "B": {"administrator", "outsider"}},
    ),
    Endpoint(
        name="members",
        url="/api/members/",
        make=_make_member,
        create_payload=lambda w, where: {
            "name": "冯党员",
            "gender": "female",
            "branch": _branch(w, where).pk,
            "community": _community(w, where).pk,
            "kind": "retired",
        },
        update_payload={"joined_on": "2001-07-01"},
        places=("A", "B", "own"),
        # Members hang at their community, their branch and where they live: the grid roles
        # of the grid they live in see them, but only community staff change them.
        view={
            "A": {"grid_worker", "secretary", "administrator"},
            "B": {"administrator", "outsider"},
            "own": {"member", "grid_worker", "secretary", "administrator"},
        },
        change={
            "A": {"secretary", "administrator"},
            "B": {"administrator", "outsider"},
            "own": {"secretary", "administrator"},
        },
        target_view={"A": COMMUNITY_VIEWERS, "B": {"administrator", "outsider"}},
        create={"A": {"secretary", "administrator"}, "B": {"administrator", "outsider"}},
    ),
    Endpoint(
        name="organisations",
        url="/api/organisations/",
        make=_make_organisation,
        create_payload=lambda w, where: {
            "name": f"企业{next(_n)}",
            "kind": "enterprise",
            "area": _community(w, where).pk,
        },
        update_payload={"contact_name": "新联系人"},
        # Organisations hang at a community: a grid worker's grid does not contain it.
        view={
            "A": {"member", "group_leader", "secretary", "administrator"},
            "B": {"administrator", "outsider"},
        },
        change={"A": {"secretary", "administrator"}, "B": {"administrator", "outsider"}},
        target_view={"A": COMMUNITY_VIEWERS, "B": {"administrator", "outsider"}},
        create={"A": {"secretary", "administrator"}, "B": {"administrator", "outsider"}},
    ),
]


def test_the_spec_names_only_known_roles():
    for endpoint in ENDPOINTS:
        for table in (endpoint.view, endpoint.change, endpoint.create):
            for roles in table.values():
                assert set(roles) <= ALL, (endpoint.name, set(roles) - ALL)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_permission_matrix(world, endpoint, role):
    wrong = check(endpoint, role, world)
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", ROLES)
def test_me_for_every_role(world, api, role):
    if role != "anonymous":
        api.as_user(world.user(role))
    response = api.get("/api/me/")
    assert response.status_code == (401 if role == "anonymous" else 200)
    if role != "anonymous":
        assert response.json()["username"] == world.user(role).username


@pytest.mark.parametrize("role", ROLES)
def test_device_tokens_for_every_role(world, role):
    """/api/auth/tokens/: every role lists and revokes only its own devices; another user's
    token is a 404; anonymous is 401."""
    from apps.accounts.models import DeviceToken
    from tests.permission_matrix import _client

    others, _key = DeviceToken.objects.create(world.user("secretary"), name="别人的")
    client = _client(world, role)
    listed = client.get("/api/auth/tokens/")
    delete = client.delete(f"/api/auth/tokens/{others.public_id}/")
    if role == "anonymous":
        assert (listed.status_code, delete.status_code) == (401, 401)
        return
    owner = world.user(role)
    assert listed.status_code == 200
    names = {t["name"] for t in listed.json()["results"]}
    assert names == ({"test", "别人的"} if owner == others.user else {"test"})
    assert delete.status_code == (204 if owner == others.user else 404)


@pytest.mark.parametrize("role", ROLES)
def test_sms_code_endpoints_for_every_role(world, role, settings):
    """Asking for a code, logging in and resetting with one are public, answer every caller
    alike (a token sent along changes nothing) and never sign in with a wrong code."""
    from tests.permission_matrix import _client

    settings.TONGXIN = {**settings.TONGXIN, "NOTIFY_SMS_DEV": True}
    client = _client(world, role)
    asked = client.post("/api/auth/sms-code/", {"phone": "13900000011"})
    login = client.post("/api/auth/sms-login/", {"phone": "13900000011", "code": "000000"})
    reset = client.post(
        "/api/auth/password-reset/",
        {"phone": "13900000011", "code": "000000", "new_password": "Xin-mima-2026"},
    )
    assert asked.status_code == 202
    assert (login.status_code, login.json()["code"]) == (400, "invalid_code")
    assert (reset.status_code, reset.json()["code"]) == (400, "code_expired")


# Endpoints that are not scoped collections: covered by their own tests.
NOT_COLLECTIONS = {
    "/api/auth/tokens/",  # the caller's own devices: test_device_tokens_for_every_role
    "/api/auth/token/",
    "/api/auth/logout/",  # every role may revoke its own token: tests/accounts/test_auth_api.py
    "/api/me/",
    # Public: login and 忘记密码 by SMS code (test_sms_code_endpoints_for_every_role and
    # tests/accounts/test_sms_login.py).
    "/api/auth/sms-code/",
    "/api/auth/sms-login/",
    "/api/auth/password-reset/",
    "/api/schema/",
    "/api/docs/",
}
# Wishes have no update or delete, one POST per move instead: their action x role table is
# tests/wishes/test_permissions.py, their visibility per role tests/wishes/test_api.py.
NOT_COLLECTIONS |= {"/api/wishes/", "/api/wish-categories/"}
# Groups, visits, problems, pairings, points, report: their matrix (state changes through
# actions, not PATCH/DELETE) is tests/grids/test_permissions.py.
from tests.grids.test_permissions import COVERED as FIELDWORK_COVERED  # noqa: E402

NOT_COLLECTIONS |= FIELDWORK_COVERED
# Projects, pledges, review sessions and the public board: tests/projects/test_permissions.py.
from tests.projects.test_permissions import COVERED as PROJECTS_COVERED  # noqa: E402

NOT_COLLECTIONS |= PROJECTS_COVERED

# Volunteer posts, registrations, teams, activities, occurrences, sign-ups, records: their
# matrix (state changes through actions) is tests/volunteers/test_permissions.py.
from tests.volunteers.test_permissions import COVERED as VOLUNTEERS_COVERED  # noqa: E402

NOT_COLLECTIONS |= VOLUNTEERS_COVERED
# The numbers (apps/stats): administrators over the node; tests/stats/test_permissions.py.
from tests.stats.test_permissions import COVERED as STATS_COVERED  # noqa: E402

NOT_COLLECTIONS |= STATS_COVERED


def test_every_api_collection_is_in_the_matrix():
    """A new `/api/...` collection fails here until it has a row above."""
    from rest_framework.schemas.generators import EndpointEnumerator

    collections = {
        path
        for path, _method, _view in EndpointEnumerator().get_api_endpoints()
        if path.startswith("/api/") and "{" not in path
    }
    covered = {e.url for e in ENDPOINTS}
    assert collections - NOT_COLLECTIONS - covered == set()


# Personal endpoints: whatever roles a user holds, they reach only their own inbox and
# preferences; anonymous gets 401 everywhere.
PERSONAL_GETS = (
    "/api/notifications/",
    "/api/notifications/unread-count/",
    "/api/notifications/preferences/",
)


@pytest.fixture
def inboxes(world):
    from apps.notifications import audiences, services
    from apps.notifications.models import Notification

    for role in ALL:
        event = services.notify("notifications.test", audience=audiences.users(world.user(role).pk))
        services.outbox_relay(event_id=event.pk)
    return {role: Notification.objects.get(recipient=world.user(role)) for role in ALL}


@pytest.mark.parametrize("role", ROLES)
def test_inbox_matrix_every_role_reaches_only_its_own(world, inboxes, role):
    from apps.notifications.models import Notification
    from tests.permission_matrix import _client

    client = _client(world, role)
    if role == "anonymous":
        for url in PERSONAL_GETS:
            assert client.get(url).status_code == 401, url
        for url in ("/api/notifications/read-all/", "/api/notifications/test/"):
            assert client.post(url).status_code == 401, url
        assert not Notification.objects.filter(read_at__isnull=False).exists()
        return

    own = inboxes[role]
    listed = client.get("/api/notifications/", {"page_size": 200}).json()["results"]
    assert [row["id"] for row in listed] == [own.pk]
    assert client.get("/api/notifications/unread-count/").json()["unread"] == 1
    for other_role, other in inboxes.items():
        if other_role == role:
            continue
        assert client.get(f"/api/notifications/{other.pk}/").status_code == 404
        assert client.post(f"/api/notifications/{other.pk}/read/").status_code == 404
    assert client.post("/api/notifications/read-all/").status_code == 200
    read = set(Notification.objects.filter(read_at__isnull=False).values_list("pk", flat=True))
    assert read == {own.pk}


# Broadcasts: staff notify the members of an area they hold a staff role over.
BROADCAST = {
    "grid_a": {"grid_worker", "secretary", "administrator"},
    "community_a": {"secretary", "administrator"},
    "community_b": {"outsider", "administrator"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("place", sorted(BROADCAST))
def test_broadcast_matrix(world, role, place):
    from apps.notifications.models import OutboxEvent
    from tests.permission_matrix import _client

    response = _client(world, role).post(
        "/api/notifications/broadcast/",
        {"area": getattr(world, place).pk, "title": "停水通知"},
        format="json",
    )
    if role == "anonymous":
        assert response.status_code == 401
    elif role in BROADCAST[place]:
        assert response.status_code in (201, 202), response.json()
    else:
        assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert OutboxEvent.objects.exists() == (role in BROADCAST[place])


NOT_COLLECTIONS |= {  # covered by the personal and broadcast tables above
    *PERSONAL_GETS,
    "/api/notifications/read-all/",
    "/api/notifications/test/",
    "/api/notifications/broadcast/",
}


# The audit history (/api/audit/history/<app.model>/<id>/, apps.audit): secretaries and
# administrators over the object; everyone else a 404, anonymous a 401. The object's history
# itself is PostgreSQL's (tests/audit); the answer's status is the same on SQLite.
HISTORY = {"A": {"secretary", "administrator"}, "B": {"administrator", "outsider"}}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("place", sorted(HISTORY))
def test_audit_history_matrix(world, role, place):
    from tests.permission_matrix import _client

    resident = _make_resident(world, place)
    client = _client(world, role)
    response = client.get(f"/api/audit/history/register.resident/{resident.pk}/")
    expected = 401 if role == "anonymous" else 200 if role in HISTORY[place] else 404
    assert response.status_code == expected


# Role assignments (issue 13, scoped role administration): administrators and secretaries
# over the node list, grant and revoke; for anyone else a node is "does not exist" (400) and
# an assignment a 404. Rank rules: tests/accounts/test_roles.py.
ROLE_ADMINS_AT = {"A": {"secretary", "administrator"}, "B": {"administrator", "outsider"}}


@pytest.mark.parametrize("role", ROLES)
def test_role_assignment_matrix(world, role):
    from apps.accounts.models import Role, RoleAssignment
    from tests.permission_matrix import _client, _ids

    client = _client(world, role)
    anonymous = role == "anonymous"
    wrong = []
    for where, grid in (("A", world.grid_a), ("B", world.grid_b)):
        allowed = role in ROLE_ADMINS_AT[where]
        held = f.grant(f.UserFactory(), Role.GRID_WORKER, area=grid)
        listed = client.get("/api/role-assignments/", {"page_size": 200})
        got = listed.status_code if anonymous else held.pk in _ids(listed)
        if got != (401 if anonymous else allowed):
            wrong.append(f"list {where}: {got}")
        body = {"user": f.UserFactory().pk, "role": "grid_worker", "area": grid.pk}
        got = client.post("/api/role-assignments/", body, format="json").status_code
        if got != (401 if anonymous else 201 if allowed else 400):
            wrong.append(f"grant {where}: {got}")
        got = client.delete(f"/api/role-assignments/{held.pk}/").status_code
        if got != (401 if anonymous else 204 if allowed else 404):
            wrong.append(f"revoke {where}: {got}")
        if RoleAssignment.objects.filter(pk=held.pk).exists() == allowed and not anonymous:
            wrong.append(f"revoke {where} wrote the wrong thing")
    assert not wrong, f"role-assignments as {role}: " + ", ".join(wrong)


NOT_COLLECTIONS |= {"/api/role-assignments/"}  # the table above


# The live hall's catch-up (/api/live/sync/, apps.live): a wish's state is told only to the
# roles that see the wish (the hall's scoping); for everyone else it is "gone", exactly like
# an id that does not exist. The sockets' own table (who hears which wish) is
# tests/live/test_permissions.py (Redis).
LIVE_SEES = {
    "A": {"resident", "member", "group_leader", "grid_worker", "secretary", "administrator"},
    "B": {"outsider", "administrator"},
}


def _published_wish(world, where):
    from django.utils import timezone

    from apps.register.models import Resident
    from apps.wishes.models import Wish, WishCategory

    building = _building(world, where)
    if where == "A":
        resident = Resident.objects.get(user=world.user("resident"))
    else:
        resident = f.ResidentFactory(household=f.HouseholdFactory(area=building))
    category = WishCategory.objects.get_or_create(name="助老")[0]
    return Wish.objects.create(
        resident=resident,
        area=building,
        title=f"心愿{next(_n)}",
        category=category,
        status=Wish.Status.PUBLISHED,
        published_at=timezone.now(),
    )


@pytest.mark.parametrize("role", ROLES)
def test_live_sync_matrix(world, role):
    from tests.permission_matrix import _client

    wishes = {where: _published_wish(world, where) for where in ("A", "B")}
    ids = ",".join(str(w.pk) for w in wishes.values())
    missing = max(w.pk for w in wishes.values()) + 1000
    response = _client(world, role).get("/api/live/sync/", {"ids": f"{ids},{missing}"})
    if role == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    body = response.json()
    for where, wish in wishes.items():
        expected = "published" if role in LIVE_SEES[where] else "gone"
        assert body["wishes"][str(wish.pk)] == expected, where
        assert (wish.pk in body["published"]) == (role in LIVE_SEES[where]), where
    assert body["wishes"][str(missing)] == "gone"
    assert set(body) == {"now", "wishes", "published", "unread"}


NOT_COLLECTIONS |= {"/api/live/sync/"}  # the table above


# The 代录 picker (/api/wish-residents/?q=, apps.wishes): grid workers and secretaries find
# the residents of their own area, and nobody else's; other roles are refused whatever they
# hold (403 not_a_vetter), anonymous 401.
PICKER = {"A": {"grid_worker", "secretary"}, "B": {"outsider"}}


@pytest.mark.parametrize("role", ROLES)
def test_resident_picker_matrix(world, role):
    from tests.permission_matrix import _client

    client = _client(world, role)
    found, statuses = {}, set()
    for where in ("A", "B"):
        resident = f.ResidentFactory(household=_make_household(world, where), name=f"欧阳{where}")
        response = client.get("/api/wish-residents/", {"q": "欧阳"})
        statuses.add(response.status_code)
        if response.status_code == 200:
            found[where] = resident.pk in {row["id"] for row in response.json()["results"]}
    if role == "anonymous":
        assert statuses == {401}
    elif role in PICKER["A"] | PICKER["B"]:
        assert statuses == {200}
        assert found == {where: role in PICKER[where] for where in ("A", "B")}
    else:
        assert statuses == {403}


NOT_COLLECTIONS |= {"/api/wish-residents/"}  # the table above

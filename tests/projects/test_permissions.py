"""Permission matrix for /api/projects/, /api/pledges/ and /api/review-sessions/: every role
of the `world` × an object in community A and in B, for list, retrieve and create (these
change state through actions, tested in test_api.py, not through PATCH/DELETE). Rows use the
fieldwork matrix's `Row` shape (tests/grids/test_permissions.py)."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.projects import services
from tests.grids.test_permissions import Row
from tests.permission_matrix import ALL, ROLES, _client, _ids
from tests.projects.conftest import TODAY, make_project

LOCAL_VIEW = {"member", "group_leader", "secretary", "administrator"}
B_STAFF = {"administrator", "outsider"}


def _org(world, where):
    return world.branch_a if where == "A" else world.branch_b


def _project(world, where):
    return make_project(world, "draft", org=_org(world, where))


def _project_payload(world, where):
    return {
        "level": "secretary",
        "party_org": _org(world, where).pk,
        "title": "垃圾分类",
        "problem": "乱扔垃圾",
        "goal": "分类率 90%",
        "category": "ecology",
        "start_on": TODAY().isoformat(),
        "due_on": (TODAY() + dt.timedelta(days=90)).isoformat(),
    }


def _pledge(world, where):
    user = world.user("member" if where == "A" else "outsider")
    return services.pledge_make(actor=user, title="承诺", due_on=TODAY())


def _session(world, where):
    user = world.user("secretary" if where == "A" else "outsider")
    return services.session_create(
        actor=user, party_org=_org(world, where), title="推进会", year=2026, quarter=4,
        deadline=timezone.now() + dt.timedelta(days=3), projects=[],
    )  # fmt: skip


def _session_payload(world, where):
    deadline = (timezone.now() + dt.timedelta(days=3)).isoformat()
    org = _org(world, where).pk
    return {"party_org": org, "title": "推进会", "year": 2026, "quarter": 4, "deadline": deadline}


ROWS = [
    Row(
        "projects",
        "/api/projects/",
        _project,
        {"A": LOCAL_VIEW, "B": B_STAFF},
        _project_payload,
        # Roles that cannot see the organisation get "unknown_org" (400), like any other
        # unknown id; those that see it but are not its secretary get 403.
        {
            "A": {"secretary": 201, "administrator": 201, "member": 403, "group_leader": 403},
            "B": {"administrator": 201, "outsider": 201},
        },
        denied=400,
    ),
    Row(
        "pledges",
        "/api/pledges/",
        _pledge,
        {"A": LOCAL_VIEW, "B": B_STAFF},
        lambda w, where: {
            "member": w.user("member").member.pk,
            "title": "承诺",
            "due_on": TODAY().isoformat(),
        },
        {"A": {"member": 201}},  # a pledge is one's own: pledge_not_own for everybody else
    ),
    Row(
        "review-sessions",
        "/api/review-sessions/",
        _session,
        {"A": {"secretary", "administrator"}, "B": B_STAFF},
        _session_payload,
        {
            "A": {"secretary": 201, "administrator": 201, "member": 403, "group_leader": 403},
            "B": {"administrator": 201, "outsider": 201},
        },
        denied=400,
    ),
]


# --- joint requests -------------------------------------------------------------------------


def _joint(world, where):
    from tests.projects.joint_helpers import open_request, resident

    building = world.building_a if where == "A" else world.building_b
    return open_request(world, opener=resident(world, building=building))


def _joint_payload(world, where):
    from tests.projects.joint_helpers import resident

    payload = {"topic": "停车难", "level": "community"}
    if where == "B":  # entered for a resident of B (the workstation channel)
        payload["resident"] = resident(world, building=world.building_b, login=False).pk
    return payload


def _seat(world, where):
    from tests import factories as f

    who, community = (
        ("secretary", world.community_a) if where == "A" else ("outsider", world.community_b)
    )
    return services.working_group_name(
        actor=world.user(who), community=community, user=f.UserFactory()
    )


def _seat_payload(world, where):
    from tests import factories as f

    community = world.community_a if where == "A" else world.community_b
    return {"community": community.pk, "user": f.UserFactory().pk}


ROWS += [
    Row(
        "joint-requests",
        "/api/joint-requests/",
        _joint,
        # Everyone living in or holding a role inside the community (the grid worker too),
        # and the street.
        {"A": LOCAL_VIEW | {"resident", "grid_worker"}, "B": B_STAFF},
        _joint_payload,
        {
            # For oneself: only a resident; everyone else is not_a_resident.
            "A": {"resident": 201},
            # For a resident of B: B's grid worker enters it; the administrator sees the
            # resident but may not enter (not_allowed); nobody else sees them.
            "B": {
                "outsider": 201,
                "administrator": 403,
                **dict.fromkeys(
                    ["resident", "member", "group_leader", "grid_worker", "secretary", "nobody"],
                    400,
                ),
            },
        },
    ),
    Row(
        "joint-working-group",
        "/api/joint-working-group/",
        _seat,
        {"A": LOCAL_VIEW, "B": B_STAFF},
        _seat_payload,
        {
            "A": {
                "secretary": 201,
                **dict.fromkeys(["administrator", "member", "group_leader"], 403),
                **dict.fromkeys(["resident", "grid_worker", "nobody"], 400),
            },
            "B": {"outsider": 201, "administrator": 403},
        },
        denied=400,
    ),
]

# The boards: test_api.py and test_joint_api.py.
COVERED = {row.url for row in ROWS} | {"/api/board/", "/api/joint-board/"}


def test_the_spec_names_only_known_roles():
    for row in ROWS:
        for roles in [*row.view.values(), *(row.create or {}).values()]:
            assert set(roles) <= ALL, (row.name, set(roles) - ALL)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_permission_matrix(world, row, role):
    client = _client(world, role)
    anonymous = role == "anonymous"
    wrong = []
    for where in ("A", "B"):
        obj = row.make(world, where)
        listed = client.get(row.url, {"page_size": 200})
        got = listed.status_code if anonymous else obj.pk in _ids(listed)
        want = 401 if anonymous else role in row.view[where]
        if got != want:
            wrong.append(f"list {where}: got {got}, expected {want}")
        got = client.get(f"{row.url}{obj.pk}/").status_code
        want = 401 if anonymous else (200 if role in row.view[where] else 404)
        if got != want:
            wrong.append(f"retrieve {where}: got {got}, expected {want}")
    for where, allowed in (row.create or {}).items():
        model = type(row.make(world, where))
        count = model._default_manager.count()
        response = client.post(row.url, row.create_payload(world, where), format="json")
        want = 401 if anonymous else allowed.get(role, row.denied)
        if response.status_code != want:
            wrong.append(f"create {where}: got {response.status_code}, expected {want}")
        if response.status_code >= 400:
            if model._default_manager.count() != count:
                wrong.append(f"refused create in {where} WROTE a row")
            if "code" not in response.json():
                wrong.append(f"error without a code: {response.json()}")
    assert not wrong, f"{row.name} as {role}:\n" + "\n".join(wrong)

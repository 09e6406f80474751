"""Permission matrix for the groups/visits/problems/pairings/points/report API: every role
of the `world` (+ outsider, nobody, anonymous) × an object in community A and in B, for list,
retrieve and create. These endpoints change state through actions (escalate, resolve, end)
tested in test_api.py, not through PATCH/DELETE, so the foundation's generic
`check` (which PATCHes and DELETEs) does not fit them; the tables below are the spec.
"""

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.utils import timezone

from apps.grids.models import Pairing, Problem, ResponsibilityGroup, Visit
from apps.points.services import points_award
from apps.register.models import Member
from tests import factories as f
from tests.permission_matrix import ALL, ROLES, _client, _ids

_n = itertools.count(1)
STAFF = {"grid_worker", "secretary", "administrator"}
B_STAFF = {"administrator", "outsider"}


def _place(world, where):
    if where == "A":
        return world.community_a, world.grid_a, world.building_a, world.branch_a
    return world.community_b, world.grid_b, world.building_b, world.branch_b


def _member(world, where) -> Member:
    community, _grid, building, branch = _place(world, where)
    return f.MemberFactory(branch=branch, community=community, residence=building)


def _household(world, where):
    return f.HouseholdFactory(area=_place(world, where)[2], room=f"P{next(_n)}")


def _group(world, where) -> ResponsibilityGroup:
    grid = _place(world, where)[1]
    group = ResponsibilityGroup.objects.create(name="组", grid=grid, leader=_member(world, where))
    for _ in range(3):
        group.memberships.create(member=_member(world, where))
    group.coverage.create(household=_household(world, where))
    return group


def _visit(world, where) -> Visit:
    household = _household(world, where)
    return Visit.objects.create(
        household=household,
        area=household.area,
        member=_member(world, where),
        visited_at=timezone.now(),
    )


def _problem(world, where) -> Problem:
    return Problem.objects.create(
        area=_place(world, where)[2], category="other", title="t", due_at=timezone.now()
    )


def _vulnerable(world, where):
    return f.ResidentFactory(household=_household(world, where), elderly=True)


def _pairing(world, where) -> Pairing:
    return Pairing.objects.create(
        helper=_member(world, where), resident=_vulnerable(world, where), started_on="2026-01-01"
    )


def _points(world, where):
    return points_award(member=_member(world, where), rule="volunteer_hours")


def _group_payload(world, where):
    leader, *others = [_member(world, where) for _ in range(3)]
    return {
        "grid": _place(world, where)[1].pk,
        "leader": leader.pk,
        "members": [m.pk for m in others],
        "households": [_household(world, where).pk],
    }


@dataclass
class Row:
    name: str
    url: str
    make: Callable
    view: dict  # where -> roles that list and retrieve it
    create_payload: Callable | None = None
    create: dict | None = None  # where -> {role: status} (others: `denied`)
    denied: int = 403


# The group leader's scope is their own group's households (tests/grids/test_leader_scope.py),
# not the grid: the fresh rows made here belong to no group of theirs.
VISIBLE = {"A": STAFF, "B": B_STAFF}

ROWS = [
    Row(
        "groups",
        "/api/groups/",
        _group,
        VISIBLE,
        _group_payload,
        {"A": dict.fromkeys(STAFF, 201), "B": dict.fromkeys(B_STAFF, 201)},
    ),
    Row(
        "visits",
        "/api/visits/",
        _visit,
        VISIBLE,
        lambda w, where: {"household": _household(w, where).pk},
        # A visit is a member's (or group's): staff without a member row get "visitor_required";
        # a household the user cannot reach is "household_not_found".
        {
            "A": dict.fromkeys(STAFF, 400),
            "B": {"outsider": 201, "administrator": 400},
        },
        denied=404,
    ),
    Row(
        "problems",
        "/api/problems/",
        _problem,
        VISIBLE,
        lambda w, where: {"household": _household(w, where).pk, "category": "other", "title": "t"},
        {
            "A": dict.fromkeys(STAFF, 201),
            "B": dict.fromkeys(B_STAFF, 201),
        },
    ),
    Row(
        "pairings",
        "/api/pairings/",
        _pairing,
        VISIBLE,
        lambda w, where: {"helper": _member(w, where).pk, "resident": _vulnerable(w, where).pk},
        {"A": dict.fromkeys(STAFF, 201), "B": dict.fromkeys(B_STAFF, 201)},
    ),
    # Points hang at the member's community: community staff see them (and the member).
    Row("points", "/api/points/", _points, {"A": {"secretary", "administrator"}, "B": B_STAFF}),
]

# Collections of this module's API; the foundation's coverage check counts them as covered.
COVERED = {row.url for row in ROWS} | {
    "/api/groups/propose/",  # test_api.py: test_group_proposal_and_accept
    "/api/groups/accept/",
    "/api/pairings/unvisited/",  # test_api.py: test_second_helper_and_sixth_pairing_via_api
    "/api/points/stars/",  # test_api.py: test_points_and_stars
    "/api/reports/grid/",  # test_report_matrix below
}


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
        sees = role in row.view[where]
        listed = client.get(row.url, {"page_size": 200})
        if anonymous:
            got, want = listed.status_code, 401
        else:
            got, want = obj.pk in _ids(listed), sees
        if got != want:
            wrong.append(f"list {where}: got {got}, expected {want}")
        got = client.get(f"{row.url}{obj.pk}/").status_code
        want = 401 if anonymous else (200 if sees else 404)
        if got != want:
            wrong.append(f"retrieve {where}: got {got}, expected {want}")
    for where, allowed in (row.create or {}).items():
        model = type(row.make(world, where))
        count = model._default_manager.count()
        response = client.post(row.url, row.create_payload(world, where), format="json")
        # A role that cannot see the place gets the answer for ids that do not exist (400
        # from the scoped related fields, issue 13 finding 5), never a 403 that confirms them.
        refused = row.denied if role in row.view[where] else 400
        want = 401 if anonymous else allowed.get(role, refused)
        if response.status_code != want:
            wrong.append(f"create {where}: got {response.status_code}, expected {want}")
        if response.status_code >= 400:
            if model._default_manager.count() != count:
                wrong.append(f"refused create in {where} WROTE a row")
            if "code" not in response.json():
                wrong.append(f"error without a code: {response.json()}")
    assert not wrong, f"{row.name} as {role}:\n" + "\n".join(wrong)


REPORT_ALLOWED = {
    "grid": {"grid_worker", "secretary", "administrator"},
    "community": {"secretary", "administrator"},
    "street": {"administrator"},
}


@pytest.mark.parametrize("role", ROLES)
def test_report_matrix(world, role):
    client = _client(world, role)
    nodes = {"grid": world.grid_a, "community": world.community_a, "street": world.street}
    for kind, node in nodes.items():
        response = client.get("/api/reports/grid/", {"node": node.pk})
        want = 401 if role == "anonymous" else 200 if role in REPORT_ALLOWED[kind] else 403
        assert response.status_code == want, (kind, response.json())
        if want == 403:
            assert response.json()["code"] == "report_out_of_scope"

"""Permission matrix for the volunteer API: every role of the `world` (+ outsider, nobody,
anonymous) × an object in community A and in B, for list, retrieve and create. State
changes go through actions (approve, sign up, confirm …) tested in test_api.py, not through
PATCH/DELETE, so the tables below (in the shape of tests/grids/test_permissions.py) are the
spec."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from apps.register.models import Member
from apps.volunteers.models import (
    Activity,
    Certificate,
    Need,
    Occurrence,
    Post,
    ServiceRecord,
    SignUp,
    Team,
    VolunteerRegistration,
)
from tests import factories as f
from tests.grids.test_permissions import Row
from tests.permission_matrix import ALL, ROLES, _client, _ids

_n = itertools.count(1)
ORGANISERS = {"secretary", "administrator"}
B_STAFF = {"administrator", "outsider"}
# Community-level rows are seen by every area role at the community (not by a grid worker,
# whose grid is below it).
COMMUNITY_VIEW = {"A": {"member", "group_leader", *ORGANISERS}, "B": B_STAFF}
STAFF_VIEW = {"A": ORGANISERS, "B": B_STAFF}


def _community(world, where):
    return world.community_a if where == "A" else world.community_b


def _member(world, where) -> Member:
    branch = world.branch_a if where == "A" else world.branch_b
    return f.MemberFactory(branch=branch, community=_community(world, where))


def _post(world, where) -> Post:
    return Post.objects.create(community=_community(world, where), name=f"岗位{next(_n)}")


def _registration(world, where) -> VolunteerRegistration:
    return VolunteerRegistration.objects.create(
        member=_member(world, where),
        community=_community(world, where),
        choice_1=_post(world, where),
    )


def _team(world, where) -> Team:
    return Team.objects.create(community=_community(world, where), name="队", specialty="医疗")


def _activity(world, where) -> Activity:
    return Activity.objects.create(
        community=_community(world, where),
        title="活动",
        place="站",
        organiser=world.user("secretary"),
    )


def _occurrence(world, where) -> Occurrence:
    starts = timezone.now() + dt.timedelta(days=3)
    return Occurrence.objects.create(
        activity=_activity(world, where),
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        capacity=5,
    )


def _signup(world, where) -> SignUp:
    occ = _occurrence(world, where)
    return SignUp.objects.create(
        occurrence=occ,
        member=_member(world, where),
        status="signed_up",
        arrival=1,
        starts_at=occ.starts_at,
        ends_at=occ.ends_at,
    )


def _record(world, where) -> ServiceRecord:
    occ = _occurrence(world, where)
    return ServiceRecord.objects.create(
        member=_member(world, where), occurrence=occ, hours=2, served_on=occ.starts_at.date()
    )


def _certificate(world, where) -> Certificate:
    return Certificate.objects.create(
        serial=f"S{next(_n)}",
        verify_code=f"V{next(_n)}",
        member=_member(world, where),
        name="某",
        id_type="居民身份证",
        total_hours=1,
        organisation="社区",
        issued_on="2026-01-01",
        issued_by=world.user("secretary"),
        community=_community(world, where),
    )


def _need(world, where) -> Need:
    area = world.building_a if where == "A" else world.building_b
    return Need.objects.create(
        area=area,
        created_by=world.user("secretary"),
        title="陪同就医",
        wanted_at=timezone.now() + dt.timedelta(days=1),
    )


def _need_payload(world, where):
    area = world.building_a if where == "A" else world.building_b
    return {
        "area": area.pk,
        "title": "法律咨询",
        "wanted_at": (timezone.now() + dt.timedelta(days=1)).isoformat(),
    }


def _post_payload(world, where):
    return {"community": _community(world, where).pk, "name": f"新岗{next(_n)}", "capacity": 5}


def _registration_payload(world, where):
    return {"community": _community(world, where).pk, "choices": [_post(world, where).pk]}


def _activity_payload(world, where):
    starts = timezone.now() + dt.timedelta(days=5)
    return {
        "community": _community(world, where).pk,
        "title": "温暖星期五",
        "place": "服务站",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
        "capacity": 10,
        "weeks": 2,
    }


def _team_payload(world, where):
    return {"community": _community(world, where).pk, "name": "医疗队", "specialty": "医疗"}


ORGANISE = {"A": dict.fromkeys(ORGANISERS, 201), "B": dict.fromkeys(B_STAFF, 201)}

ROWS = [
    Row("posts", "/api/volunteer-posts/", _post, COMMUNITY_VIEW, _post_payload, ORGANISE),
    Row(
        "registrations",
        "/api/volunteer-registrations/",
        _registration,
        STAFF_VIEW,
        _registration_payload,
        # Only a member registering with their own home community: the world's member and
        # group leader live in A, the outsider in B; everyone else is not a member (403) or
        # not at home there (403, not_home_community).
        {"A": {"member": 201, "group_leader": 201}, "B": {"outsider": 201}},
    ),
    Row("teams", "/api/volunteer-teams/", _team, COMMUNITY_VIEW, _team_payload, ORGANISE),
    Row(
        "activities",
        "/api/volunteer-activities/",
        _activity,
        COMMUNITY_VIEW,
        _activity_payload,
        ORGANISE,
    ),
    Row("occurrences", "/api/volunteer-occurrences/", _occurrence, COMMUNITY_VIEW),
    Row("signups", "/api/volunteer-signups/", _signup, STAFF_VIEW),
    Row("records", "/api/volunteer-records/", _record, STAFF_VIEW),
    # Issued by the member for themself (test_certificates.py); organisers see them.
    Row("certificates", "/api/volunteer-certificates/", _certificate, STAFF_VIEW),
    # Needs hang at a building: the grid's staff see and record them.
    Row(
        "needs",
        "/api/volunteer-needs/",
        _need,
        {"A": {"grid_worker", *ORGANISERS}, "B": B_STAFF},
        _need_payload,
        {
            "A": dict.fromkeys({"grid_worker", "secretary"}, 201),
            "B": dict.fromkeys({"outsider"}, 201),
        },
    ),
]

COVERED = {row.url for row in ROWS} | {
    "/api/volunteer-proposals/",  # test_api.py: test_proposal_api_* (secretary only)
    "/api/volunteer-reports/hours/",  # test_reports.py (scoped sums)
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
        got, want = (listed.status_code, 401) if anonymous else (obj.pk in _ids(listed), sees)
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
        want = 401 if anonymous else allowed.get(role, row.denied)
        if response.status_code != want:
            wrong.append(f"create {where}: got {response.status_code}, expected {want}")
        if response.status_code >= 400:
            if model._default_manager.count() != count:
                wrong.append(f"refused create in {where} WROTE a row")
            if "code" not in response.json():
                wrong.append(f"error without a code: {response.json()}")
    assert not wrong, f"{row.name} as {role}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", ROLES)
def test_certificate_pdf_has_the_certificates_scope(world, role):
    """`/api/volunteer-certificates/<pk>/pdf/`: whoever may retrieve the certificate gets
    the PDF; anyone else a 404 (401 anonymous), as for the row itself."""
    row = next(r for r in ROWS if r.name == "certificates")
    client = _client(world, role)
    for where in ("A", "B"):
        cert = _certificate(world, where)
        response = client.get(f"{row.url}{cert.pk}/pdf/")
        sees = role in row.view[where]
        want = 401 if role == "anonymous" else (200 if sees else 404)
        assert response.status_code == want, (role, where, response.status_code)
        if want == 200:
            assert response.content.startswith(b"%PDF")

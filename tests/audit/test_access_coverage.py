"""The personal-data access log on the field-work, volunteers', projects' and admin pages, and
the audit trail of the volunteers' and projects' workflows (issue 13, the gaps)."""

import datetime as dt
import itertools

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.audit.models import PersonalDataAccess
from apps.register.models import Household, Member, Resident
from tests import factories as f
from tests.projects import joint_helpers as jh
from tests.volunteers.conftest import make_activity, make_post, shift

__all__ = ["make_activity", "make_post"]  # fixtures

pytestmark = pytest.mark.django_db


def _rows(model, **kw):
    kind = ContentType.objects.get_for_model(model)
    return PersonalDataAccess.objects.filter(subject_type=kind, **kw)


_room = itertools.count(1)


def _residents(world, n, *, vulnerable=False):
    out = []
    for _k in range(n):
        household = f.HouseholdFactory(area=world.building_a, room=f"A{next(_room)}")
        out.append(f.ResidentFactory(household=household, lives_alone=vulnerable))
    return out


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(ctx)


# --- field work -----------------------------------------------------------------------------


def test_the_grid_workers_page_logs_the_residents_it_names(world, client):
    resident = _residents(world, 1, vulnerable=True)[0]
    client.force_login(world.user("grid_worker"))
    assert client.get(reverse("grids:worker")).status_code == 200
    row = _rows(Resident, subject_id=resident.pk).get()
    assert (row.viewer, row.fields, row.channel) == (world.user("grid_worker"), ["name"], "page")
    assert _rows(Household, subject_id=resident.household_id, fields=["address"]).exists()


def test_the_grid_workers_page_costs_the_same_queries_for_5_and_50_residents(world, client):
    client.force_login(world.user("grid_worker"))
    _residents(world, 4, vulnerable=True)  # with the world's (elderly) resident: 5
    small = _queries(client, reverse("grids:worker"))
    first = _rows(Resident).count()
    _residents(world, 45, vulnerable=True)
    large = _queries(client, reverse("grids:worker"))
    assert large == small
    assert first == 5 and _rows(Resident).count() - first == 50


def test_the_helper_page_logs_the_paired_residents_name_only_when_shown(world, client):
    from apps.grids import services

    resident = world.user("resident").resident
    helper = Member.objects.get(user=world.user("member"))
    services.pairing_create(actor=world.user("grid_worker"), helper=helper, resident=resident)
    client.force_login(world.user("member"))
    page = client.get(reverse("grids:helper")).content.decode()
    # A member is not staff: the name is masked, so no access to the resident is logged.
    assert "王秀梅" not in page and "王*梅" in page
    assert not _rows(Resident).exists()


# --- projects -------------------------------------------------------------------------------


def test_the_joint_request_page_logs_signer_names_for_the_secretary_only(world, client):
    request, signers = jh.make_request(world, "under_review", threshold=3)
    url = reverse("projects:joint", args=[request.pk])
    client.force_login(signers[1].user)  # a signer: their own name, the others masked
    assert client.get(url).status_code == 200
    assert not _rows(Resident).exists()
    client.force_login(world.user("secretary"))
    page = client.get(url).content.decode()
    assert signers[2].name in page
    logged = set(_rows(Resident, fields=["name"]).values_list("subject_id", flat=True))
    assert {s.pk for s in signers} <= logged
    assert set(_rows(Resident).values_list("viewer_id", flat=True)) == {world.user("secretary").pk}


def test_the_joint_request_api_logs_the_opener_and_signers_once_each(world, api):
    request, signers = jh.make_request(world, "under_review", threshold=3)
    response = api.as_user(world.user("secretary")).get(f"/api/joint-requests/{request.pk}/")
    assert response.status_code == 200
    rows = _rows(Resident)
    assert rows.count() == len(signers)  # the opener is a signer too: one row each
    assert all(row.channel == "api" for row in rows)


def test_the_joint_request_page_shows_its_history_to_the_secretary(services, world, client):
    request, signers = jh.make_request(world, "under_review", threshold=3)
    client.force_login(world.user("secretary"))
    page = client.get(reverse("projects:joint", args=[request.pk])).content.decode()
    assert 'id="history"' in page


# --- volunteers -----------------------------------------------------------------------------


def _registration(world, make_post, member_user):
    from apps.volunteers import services

    post = make_post(name="助老服务")
    return services.registration_submit(
        actor=member_user, community=world.community_a, choices=[post.pk]
    )


def _members(world, n):
    users = []
    for _k in range(n):
        user = f.UserFactory()
        f.MemberFactory(
            user=user,
            branch=world.branch_a,
            community=world.community_a,
            residence=world.building_a,
        )
        users.append(user)
    return users


def test_the_secretarys_volunteer_page_logs_each_named_member(world, client, make_post):
    registration = _registration(world, make_post, world.user("member"))
    client.force_login(world.user("secretary"))
    assert client.get(reverse("volunteers:manage")).status_code == 200
    row = _rows(Member, subject_id=registration.member_id).get()
    assert (row.fields, row.channel) == (["name"], "page")


def test_the_volunteer_page_costs_the_same_queries_for_5_and_50_registrations(
    world, client, make_post
):
    from apps.volunteers import services

    post = make_post(name="助老服务", capacity=100)
    for user in _members(world, 5):
        services.registration_submit(actor=user, community=world.community_a, choices=[post.pk])
    client.force_login(world.user("secretary"))
    small = _queries(client, reverse("volunteers:manage"))
    for user in _members(world, 45):
        services.registration_submit(actor=user, community=world.community_a, choices=[post.pk])
    large = _queries(client, reverse("volunteers:manage"))
    assert large == small
    assert _rows(Member).filter(path=reverse("volunteers:manage")).count() >= 5 + 50


@pytest.fixture
def certificate(world, make_activity):
    from apps.volunteers import services

    occ = make_activity(hours=2).occurrences.get()
    services.signup_create(actor=world.user("member"), occurrence=occ)
    occ = shift(occ, by=-dt.timedelta(days=2, minutes=5))
    record = services.checkin(
        actor=world.user("member"), occurrence=occ, token=services.checkin_token(occurrence=occ)
    )
    services.record_confirm(actor=world.user("secretary"), record=record)
    member = Member.objects.get(user=world.user("member"))
    return services.certificate_issue(actor=world.user("member"), member=member)


def test_ones_own_certificate_is_not_an_access_and_the_secretarys_view_is(
    world, client, api, certificate
):
    client.force_login(world.user("member"))
    assert client.get(reverse("volunteers:certificate", args=[certificate.pk])).status_code == 200
    assert api.as_user(world.user("member")).get("/api/volunteer-certificates/").status_code == 200
    assert not PersonalDataAccess.objects.exists()
    client.force_login(world.user("secretary"))
    response = client.get(reverse("volunteers:certificate", args=[certificate.pk]))
    assert response.status_code == 200
    row = _rows(Member, subject_id=certificate.member_id).get()
    assert row.fields == ["name"]


def test_a_certificate_pdf_for_someone_else_is_an_export_of_one(world, client, certificate):
    client.force_login(world.user("secretary"))
    response = client.get(reverse("volunteers:certificate-pdf", args=[certificate.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    row = _rows(Member, subject_id=certificate.member_id).get()
    assert (row.channel, row.row_count, row.fields) == ("export", 1, ["name"])


# --- the admin ------------------------------------------------------------------------------


def test_an_admin_change_page_is_one_access_with_the_fields_on_it(world, staff_client):
    resident = _residents(world, 1)[0]
    client = staff_client("secretary")
    response = client.get(f"/admin/register/resident/{resident.pk}/change/")
    assert response.status_code == 200
    row = _rows(Resident, subject_id=resident.pk).get()
    assert {"name", "phone", "id_number"} <= set(row.fields) and row.channel == "page"


def test_an_admin_household_page_logs_its_residents_too(world, staff_client):
    resident = _residents(world, 1)[0]
    client = staff_client("secretary")
    url = f"/admin/register/household/{resident.household_id}/change/"
    page = client.get(url).content.decode()
    assert _rows(Household, subject_id=resident.household_id).exists()
    # The residents' inline shows to who may view residents in the admin: each one shown
    # is an access too.
    shown = resident.name in page
    assert _rows(Resident, subject_id=resident.pk).exists() == shown


def test_an_admin_page_out_of_scope_logs_nothing(world, staff_client):
    resident = f.ResidentFactory(household=f.HouseholdFactory(area=world.building_b))
    client = staff_client("secretary")
    assert client.get(f"/admin/register/resident/{resident.pk}/change/").status_code in (302, 404)
    assert not PersonalDataAccess.objects.exists()


def test_the_admin_list_costs_the_same_queries_for_5_and_50_rows(world, staff_client):
    client = staff_client("secretary")
    _residents(world, 4)  # with the world's resident: 5
    small = _queries(client, "/admin/register/resident/")
    assert _rows(Resident).count() == 5
    _residents(world, 45)
    large = _queries(client, "/admin/register/resident/")
    assert large == small
    assert _rows(Resident).count() == 5 + 50
    assert set(_rows(Resident).first().fields) == {"name", "phone", "vulnerable"}


def test_an_admin_export_is_logged_once_with_its_row_count(world):
    from django.contrib import admin
    from django.test import RequestFactory
    from import_export.formats.base_formats import CSV

    from apps.core.history import pending_accesses

    _residents(world, 3)
    model_admin = admin.site._registry[Resident]
    request = RequestFactory().post("/admin/register/resident/export/")
    request.user = world.user("administrator")
    request.user.is_staff = True
    queryset = model_admin.get_queryset(request)
    model_admin.get_export_data(CSV(), request, queryset)
    (entry,) = pending_accesses(request)  # written by the middleware after the response
    assert (entry["channel"], entry["subject_id"], entry["row_count"]) == ("export", None, 4)
    assert {"name", "phone"} <= set(entry["fields"])


# --- the audit trail of the volunteers and the projects (PostgreSQL) ------------------------


def _events(name, **kw):
    return apps.get_model("audit", f"{name}Event").objects.filter(**kw)


def test_a_volunteer_sign_up_is_in_the_history(services, world, make_activity):
    """The sign-up is one raw SQL statement (UPDATE … RETURNING, INSERT … RETURNING): the
    statement-level triggers see it."""
    from apps.volunteers import services as volunteer_services

    occ = make_activity().occurrences.get()
    signup = volunteer_services.signup_create(actor=world.user("member"), occurrence=occ)
    event = _events("SignUp", pgh_obj_id=signup.pk).get()
    assert event.pgh_label == "insert" and event.status == signup.status
    assert _events("Occurrence", pgh_obj_id=occ.pk, pgh_label="update").exists()


def test_a_joint_request_signature_is_in_the_history(services, world):
    from apps.projects import services as project_services

    request = jh.open_request(world, threshold=5)
    signer = jh.resident(world)
    project_services.joint_sign(actor=signer.user, request=request, resident=signer)
    assert _events("Signature", resident_id=signer.pk, pgh_label="insert").count() == 1
    assert _events("JointRequest", pgh_obj_id=request.pk, pgh_label="insert").exists()


def test_a_pledge_in_the_api_logs_its_members_name_for_others_only(world, api):
    from apps.projects import services as project_services

    member = Member.objects.get(user=world.user("member"))
    pledge = project_services.pledge_make(
        actor=world.user("member"), title="每月走访两户", content="", due_on="2099-01-01"
    )
    mine = api.as_user(world.user("member")).get(f"/api/pledges/{pledge.pk}/")
    assert mine.status_code == 200 and mine.json()["member_name"] == member.name
    assert not PersonalDataAccess.objects.exists()  # one's own pledge
    theirs = api.as_user(world.user("secretary")).get(f"/api/pledges/{pledge.pk}/")
    assert theirs.status_code == 200
    assert theirs.json()["member_name"] == member.name  # the community's secretary: unmasked
    row = _rows(Member, subject_id=member.pk, channel="api").get()
    assert row.fields == ["name"] and row.viewer == world.user("secretary")

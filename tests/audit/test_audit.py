"""The audit trail (django-pghistory triggers, PostgreSQL) and the personal-data access log."""

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.audit.models import PersonalDataAccess
from apps.register.models import Member, Resident
from apps.rosters.models import ImportJob
from apps.wishes.models import Wish
from tests import factories as f
from tests.rosters.helpers import MEMBER_HEADER, member_row, xlsx_bytes

pytestmark = pytest.mark.django_db


def _event(name):
    return apps.get_model("audit", f"{name}Event")


@pytest.fixture
def category(db):
    from apps.wishes.models import WishCategory

    return WishCategory.objects.get_or_create(name="助老", defaults={"order": 40})[0]


@pytest.fixture
def published_wish(world, category):
    from apps.wishes import services

    wish = services.wish_submit(actor=world.user("resident"), title="想要助听器", category=category)
    return services.wish_publish(wish=wish, actor=world.user("grid_worker"))


# --- the audit trail ------------------------------------------------------------------------


def test_a_claim_through_the_api_is_in_the_history_with_who_and_from_where(
    services, world, api, published_wish
):
    """The claim is a conditional UPDATE (published → claimed), which no save signal sees;
    the trigger does, and DRF's user (authenticated in the view) is in the context."""
    member = world.user("member")
    response = api.as_user(member).post(
        f"/api/wishes/{published_wish.pk}/claim/", {}, format="json", REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 200, response.content
    secretary = api.as_user(world.user("secretary"))
    history = secretary.get(f"/api/audit/history/wishes.wish/{published_wish.pk}/").json()
    assert history[0]["action"] == "update" and history[0]["user"] == member.name
    assert {"field": "状态", "old": "已发布", "new": "已认领"} in history[0]["changes"]
    update = (
        _event("Wish")
        .objects.filter(pgh_obj=published_wish, pgh_label="update", status=Wish.Status.CLAIMED)
        .select_related("pgh_context")
        .get()
    )
    context = update.pgh_context.metadata
    assert context["user"] == member.pk
    assert context["ip"] == "10.1.2.3" and context["remote_addr"] == "10.1.2.3"
    assert context["url"] == f"/api/wishes/{published_wish.pk}/claim/"
    assert context["method"] == "POST"
    claim = _event("Claim").objects.get(pgh_label="insert", wish_id=published_wish.pk)
    assert claim.pgh_context_id == update.pgh_context_id  # one request, one context


def test_a_role_grant_is_in_the_history(services, world):
    from apps.accounts.models import Role, RoleAssignment

    grant = f.grant(world.user("nobody"), Role.GRID_WORKER, area=world.grid_a)
    RoleAssignment.objects.filter(pk=grant.pk).delete()
    labels = list(
        _event("RoleAssignment")
        .objects.filter(pgh_obj_id=grant.pk)
        .order_by("pgh_id")
        .values_list("pgh_label", flat=True)
    )
    assert labels == ["insert", "delete"]


def test_an_imports_rows_are_in_the_history_with_the_import_job(
    services, world, client, settings, tmp_path, django_capture_on_commit_callbacks
):
    """The import writes with COPY (new rows) and INSERT … ON CONFLICT (changed rows); both
    are in the history, each event naming the job, and the job's page counts them."""
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.user("administrator"))

    def run(rows):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("rosters:upload"),
                {
                    "kind": "members",
                    "file": SimpleUploadedFile("m.xlsx", xlsx_bytes([MEMBER_HEADER, *rows])),
                },
            )
        job = ImportJob.objects.latest("pk")
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("rosters:confirm", args=[job.pk]))
        job.refresh_from_db()
        assert job.status == ImportJob.Status.DONE, job.detail
        return job

    first = run([member_row(1), member_row(2), member_row(3)])
    events = _event("Member").objects.filter(pgh_context__metadata__import_job=first.pk)
    assert events.filter(pgh_label="insert").count() == 3
    members = set(Member.objects.filter(phone__startswith="137").values_list("pk", flat=True))
    assert set(events.values_list("pgh_obj_id", flat=True)) == members
    metadata = events.first().pgh_context.metadata
    assert metadata["user"] == world.user("administrator").pk
    assert metadata["task"] == "apps.rosters.tasks.roster_import_task"

    second = run([member_row(1), member_row(2, 姓名="改名")])
    changed = _event("Member").objects.filter(pgh_context__metadata__import_job=second.pk)
    assert list(changed.values_list("pgh_label", "name")) == [("update", "改名")]

    page = client.get(reverse("rosters:job", args=[first.pk])).content.decode()
    assert 'id="written"' in page and "新增 3，修改 0" in page


def _history_url(obj, label):
    return f"/audit/history/{label}/{obj.pk}/"


@pytest.mark.parametrize(
    "role,status",
    [
        ("administrator", 200),
        ("secretary", 200),
        ("grid_worker", 404),
        ("group_leader", 404),
        ("member", 404),
        ("resident", 404),
        ("outsider", 404),
        ("nobody", 404),
    ],
)
def test_the_history_page_and_api_for_each_role(services, world, client, api, role, status):
    resident = f.ResidentFactory(household=f.HouseholdFactory(area=world.building_a, room="808"))
    Resident.objects.filter(pk=resident.pk).update(phone="13912345678")
    client.force_login(world.user(role))
    page = client.get(_history_url(resident, "register.resident"))
    assert page.status_code == status
    response = api.as_user(world.user(role)).get(
        f"/api/audit/history/register.resident/{resident.pk}/"
    )
    assert response.status_code == status
    if status == 200:
        rows = response.json()
        assert [r["action"] for r in rows] == ["update", "insert"]
        assert rows[0]["changes"] == [
            {"field": "手机号", "old": resident.phone, "new": "13912345678"}
        ]
        assert "13912345678" in page.content.decode()
        # Seeing the unmasked phone in the history is an access too.
        assert PersonalDataAccess.objects.filter(
            viewer=world.user(role), subject_id=resident.pk
        ).exists()


def test_the_history_of_an_unknown_model_or_id_is_a_404(services, world, client):
    client.force_login(world.user("administrator"))
    assert client.get("/audit/history/accounts.user/1/").status_code == 404
    assert client.get("/audit/history/register.resident/999999/").status_code == 404


def test_problem_and_wish_pages_show_their_history_to_secretaries_only(
    services, world, client, published_wish
):
    client.force_login(world.user("secretary"))
    page = client.get(reverse("wishes:detail", args=[published_wish.pk])).content.decode()
    assert 'id="history"' in page and "想要助听器" in page
    client.force_login(world.user("grid_worker"))
    page = client.get(reverse("wishes:detail", args=[published_wish.pk])).content.decode()
    assert 'id="history"' not in page


# --- the access log -------------------------------------------------------------------------


def test_an_unmasked_api_object_writes_one_access_row_with_its_fields(world, api):
    resident = f.ResidentFactory(household=f.HouseholdFactory(area=world.building_a, room="909"))
    secretary = world.user("secretary")
    response = api.as_user(secretary).get(f"/api/residents/{resident.pk}/")
    assert response.status_code == 200 and response.json()["phone"] == resident.phone
    access = PersonalDataAccess.objects.get()
    assert (access.viewer, access.subject_id, access.channel) == (secretary, resident.pk, "api")
    assert {"name", "phone", "id_number"} <= set(access.fields)
    assert access.subject_type.model_class() is Resident
    assert access.path == f"/api/residents/{resident.pk}/"


def test_a_masked_view_writes_no_access_row(world, api, client):
    resident = f.ResidentFactory(household=f.HouseholdFactory(area=world.building_a, room="910"))
    leader = world.user("group_leader")  # sees their group's residents, masked
    f.cover(resident.household, leader)
    response = api.as_user(leader).get(f"/api/residents/{resident.pk}/")
    assert response.status_code == 200 and response.json()["phone"] != resident.phone
    client.force_login(leader)
    assert client.get(reverse("register:resident-list")).status_code == 200
    assert not PersonalDataAccess.objects.exists()


def test_ones_own_record_is_not_an_access(world, api):
    resident_user = world.user("resident")
    response = api.as_user(resident_user).get(f"/api/residents/{resident_user.resident.pk}/")
    assert response.status_code == 200
    assert not PersonalDataAccess.objects.exists()


def _residents(world, n):
    household = f.HouseholdFactory(area=world.building_a, room=f"R{n}")
    for _ in range(n):
        f.ResidentFactory(household=household)


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/api/residents/?page_size=200", "/grids/residents/"])
def test_a_list_of_50_costs_the_queries_of_a_list_of_5(world, api, client, url):
    secretary = world.user("secretary")
    if url.startswith("/api/"):
        client = api.as_user(secretary)
    else:
        client.force_login(secretary)
    _residents(world, 4)  # with the world's resident: 5
    small = _count(client, url)
    logged_small = PersonalDataAccess.objects.count()
    _residents(world, 45)
    large = _count(client, url)
    assert large == small
    assert logged_small == 5
    assert PersonalDataAccess.objects.count() == logged_small + 50  # every row, one INSERT


def test_an_export_is_logged_once_with_its_row_count(world, client):
    for _n in range(3):
        f.MemberFactory(
            branch=world.branch_a, community=world.community_a, residence=world.building_a
        )
    total = Member.objects.count()
    client.force_login(world.user("administrator"))
    response = client.get(reverse("rosters:export", args=["members", "csv"]))
    assert response.status_code == 200
    access = PersonalDataAccess.objects.get()
    assert (access.channel, access.subject_id, access.row_count) == ("export", None, total)
    assert access.subject_type.model_class() is Member
    assert {"name", "phone", "id_number"} <= set(access.fields)


# --- the access-log page --------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["secretary", "grid_worker", "group_leader", "member", "resident", "outsider", "nobody"]
)
def test_the_access_log_page_is_a_404_for_everyone_but_administrators(world, client, role):
    client.force_login(world.user(role))
    assert client.get(reverse("audit:access-log")).status_code == 404


def test_the_administrator_sees_who_looked_at_a_person_and_whom_a_user_looked_at(
    world, api, client
):
    resident = f.ResidentFactory(household=f.HouseholdFactory(area=world.building_a, room="911"))
    api.as_user(world.user("secretary")).get(f"/api/residents/{resident.pk}/")
    client.force_login(world.user("administrator"))
    url = reverse("audit:access-log")
    page = client.get(url, {"type": "resident", "id": resident.pk}).content.decode()
    assert "周书记" in page and f"/api/residents/{resident.pk}/" in page
    page = client.get(url, {"viewer": "secretary"}).content.decode()
    assert resident.name in page and "phone" in page
    # Out of reach looks like nothing there: an unknown person, an unknown user.
    assert client.get(url, {"type": "resident", "id": 999999}).status_code == 404
    assert client.get(url, {"viewer": "nosuchuser"}).status_code == 404


def test_an_administrator_of_another_street_sees_nothing_of_this_one(world, api, client):
    from apps.accounts.models import Role
    from apps.register.models import Area

    resident = f.ResidentFactory(household=f.HouseholdFactory(area=world.building_a, room="912"))
    api.as_user(world.user("secretary")).get(f"/api/residents/{resident.pk}/")
    street = f.area("白峰街道", Area.Kind.STREET, world.district)
    other = f.UserFactory(username="admin2")
    f.grant(other, Role.ADMINISTRATOR, area=street)
    client.force_login(other)
    url = reverse("audit:access-log")
    assert client.get(url, {"type": "resident", "id": resident.pk}).status_code == 404
    assert client.get(url, {"viewer": "secretary"}).status_code == 404
    assert client.get(url).status_code == 200


def test_a_resident_does_not_see_the_history_of_their_own_record(services, world, client):
    resident = world.user("resident").resident
    client.force_login(world.user("resident"))
    assert client.get(_history_url(resident, "register.resident")).status_code == 404


def test_the_resident_list_links_each_row_to_its_history_for_secretaries_only(world, client):
    resident = world.user("resident").resident
    link = _history_url(resident, "register.resident")
    client.force_login(world.user("secretary"))
    assert link in client.get(reverse("register:resident-list")).content.decode()
    client.force_login(world.user("grid_worker"))
    assert link not in client.get(reverse("register:resident-list")).content.decode()


def test_deleting_a_user_keeps_their_access_rows(world, api):
    resident = f.ResidentFactory(household=f.HouseholdFactory(area=world.building_a, room="913"))
    worker = world.user("grid_worker")
    api.as_user(worker).get(f"/api/residents/{resident.pk}/")
    worker_id = worker.pk
    worker.delete()
    assert PersonalDataAccess.objects.filter(viewer_id=worker_id, subject_id=resident.pk).exists()


def test_a_person_nobody_looked_at_says_so(world, client):
    resident = f.ResidentFactory(household=f.HouseholdFactory(area=world.building_a, room="914"))
    client.force_login(world.user("administrator"))
    page = client.get(reverse("audit:access-log"), {"type": "resident", "id": resident.pk})
    assert page.status_code == 200 and "没有访问记录。" in page.content.decode()


def test_a_problems_transitions_through_its_page_are_in_its_history(services, world, client):
    """Start and escalate are conditional UPDATEs; the page shows them to the secretary with
    who made them and the level's label."""
    from apps.grids import services as grid_services
    from apps.grids.models import Problem

    problem = grid_services.problem_report(
        actor=world.user("grid_worker"),
        area=world.building_a,
        category=Problem.Category.values[0],
        title="漏水",
    )
    client.force_login(world.user("grid_worker"))
    url = reverse("grids:problem", args=[problem.pk])
    client.post(url, {"action": "start"}, REMOTE_ADDR="10.9.8.7")
    client.post(url, {"action": "escalate", "reason": "需要社区协调"})
    labels = list(
        _event("Problem")
        .objects.filter(pgh_obj=problem)
        .order_by("pgh_id")
        .values_list("pgh_label", "status", "pgh_context__metadata__ip")
    )
    assert labels[0][:2] == ("insert", "open")
    assert ("update", "in_progress", "10.9.8.7") in labels
    assert page_has_history(client, url) is False  # a grid worker sees no history
    client.force_login(world.user("secretary"))
    page = client.get(url).content.decode()
    assert 'id="history"' in page and "陈网格" in page and "10.9.8.7" in page


def page_has_history(client, url) -> bool:
    return 'id="history"' in client.get(url).content.decode()

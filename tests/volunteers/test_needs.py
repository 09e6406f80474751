import datetime as dt

import pytest
from django.utils import timezone

from apps.core.errors import AppError
from apps.notifications.models import OutboxEvent
from apps.register.models import Member, Resident
from apps.volunteers import services
from apps.volunteers.models import Need, VolunteerRegistration

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteers(world, make_post):
    """The world's member (lives in building A, lawyer, free on Fridays) and the group
    leader (no matching skill), both approved in community A."""
    post = make_post("法律咨询员", capacity=5)
    for role, skills, times in (("member", "法律", "周五下午"), ("group_leader", "文艺", "")):
        reg = services.registration_submit(
            actor=world.user(role),
            community=world.community_a,
            choices=[post],
            skills=skills,
            available_times=times,
        )
        services.registration_approve(actor=world.user("secretary"), registration=reg)
    return VolunteerRegistration.objects.all()


def _friday():
    today = timezone.localdate()
    friday = today + dt.timedelta(days=(4 - today.weekday()) % 7 or 7)
    return timezone.make_aware(dt.datetime.combine(friday, dt.time(15, 0)))


@pytest.fixture
def need(world, volunteers):
    resident = Resident.objects.get(user=world.user("resident"))
    return services.need_create(
        actor=world.user("grid_worker"),
        area=world.building_a,
        resident=resident,
        title="法律咨询：遗产继承",
        skills=["法律"],
        wanted_at=_friday(),
    )


def _code(call) -> str:
    with pytest.raises(AppError) as exc:
        call()
    return exc.value.code


def test_ranking_explains_skill_nearness_availability_and_load(world, need):
    first, second = services.need_candidates(need=need)
    member = Member.objects.get(user=world.user("member"))
    assert first["member"] == member.pk and first["score"] > second["score"]
    assert first["why"][:3] == ["技能匹配：法律", "同楼幢", "该时段有空"]


def test_dispatch_accept_complete_and_rate(world, need):
    member = Member.objects.get(user=world.user("member"))
    services.need_dispatch(actor=world.user("grid_worker"), need=need, member=member)
    assert OutboxEvent.objects.filter(name="volunteer.need_offered").exists()
    assert _code(lambda: services.need_accept(actor=world.user("group_leader"), need=need)) == (
        "not_the_volunteer"
    )
    services.need_accept(actor=world.user("member"), need=need)
    services.need_complete(actor=world.user("member"), need=need, note="已上门解答")
    assert _code(
        lambda: services.need_confirm(actor=world.user("member"), need=need, rating=5)
    ) == ("not_need_owner")
    services.need_confirm(actor=world.user("resident"), need=need, rating=5, comment="很耐心")
    need.refresh_from_db()
    assert (need.status, need.rating) == ("closed", 5)


def test_decline_returns_it_with_the_next_candidate(world, need):
    member = Member.objects.get(user=world.user("member"))
    services.need_dispatch(actor=world.user("grid_worker"), need=need, member=member)
    services.need_decline(actor=world.user("member"), need=need, reason="出差")
    need.refresh_from_db()
    assert need.status == "open" and need.volunteer is None
    event = OutboxEvent.objects.get(name="volunteer.need_returned")
    assert event.context["next"] == "赵组长"
    assert [c["name"] for c in services.need_candidates(need=need)] == ["赵组长"]


def test_an_unanswered_offer_expires_back_to_the_worker(world, need):
    member = Member.objects.get(user=world.user("member"))
    services.need_dispatch(actor=world.user("grid_worker"), need=need, member=member)
    Need.objects.filter(pk=need.pk).update(answer_by=timezone.now() - dt.timedelta(minutes=1))
    assert services.needs_expire_offers() == 1
    need.refresh_from_db()
    assert need.status == "open"
    assert _code(lambda: services.need_accept(actor=world.user("member"), need=need)) in (
        "not_the_volunteer",
        "invalid_transition",
    )


def test_dispatch_is_for_staff_in_scope_and_to_volunteers_only(world, need):
    outsider_member = Member.objects.get(user=world.user("outsider"))
    code = _code(
        lambda: services.need_dispatch(
            actor=world.user("outsider"), need=need, member=outsider_member
        )
    )
    assert code == "not_need_staff"
    code = _code(
        lambda: services.need_dispatch(
            actor=world.user("grid_worker"), need=need, member=outsider_member
        )
    )
    assert code == "not_a_candidate"
    assert Need.objects.get(pk=need.pk).status == "open"


def test_needs_api(world, api, need):
    r = api.as_user(world.user("grid_worker")).get(f"/api/volunteer-needs/{need.pk}/candidates/")
    assert r.status_code == 200 and r.json()["candidates"][0]["why"][0] == "技能匹配：法律"
    member_pk = r.json()["candidates"][0]["member"]
    r = api.post(f"/api/volunteer-needs/{need.pk}/dispatch/", {"member": member_pk})
    assert r.status_code == 200 and r.json()["status"] == "offered"
    r = api.as_user(world.user("member")).post(f"/api/volunteer-needs/{need.pk}/accept/")
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    r = api.as_user(world.user("resident")).post(
        "/api/volunteer-needs/",
        {"resident": need.resident_id, "title": "陪同就医", "wanted_at": _friday().isoformat()},
        format="json",
    )
    assert r.status_code == 201, r.json()


def test_needs_page_for_worker_volunteer_and_resident(world, client, need):
    client.force_login(world.user("grid_worker"))
    page = client.get("/volunteers/needs/").content.decode()
    assert f"dispatch-{need.pk}" in page and "技能匹配：法律" in page
    member = Member.objects.get(user=world.user("member"))
    client.post(f"/volunteers/needs/{need.pk}/dispatch/", {"member": member.pk})
    client.force_login(world.user("member"))
    assert f"need-{need.pk}" in client.get("/volunteers/needs/").content.decode()
    client.post(f"/volunteers/needs/{need.pk}/accept/")
    client.post(f"/volunteers/needs/{need.pk}/complete/", {"note": "已解答"})
    client.force_login(world.user("resident"))
    client.post(f"/volunteers/needs/{need.pk}/confirm/", {"rating": "4"})
    need.refresh_from_db()
    assert (need.status, need.rating) == ("closed", 4)
    # Out of scope: the pages' POST convention (apps.core.views.page) — a message, no change.
    client.force_login(world.user("outsider"))
    response = client.post(f"/volunteers/needs/{need.pk}/accept/")
    assert response.status_code == 302
    assert Need.objects.get(pk=need.pk).status == "closed"

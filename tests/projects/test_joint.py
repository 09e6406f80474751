"""Joint requests (双向约谈 / 点题) through the services: every move, every refusal (with
its code, nothing written), notifications, reminders, the board and the statistics."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.notifications.models import OutboxEvent, ReminderSent
from apps.notifications.reminding import registered, reminder_run
from apps.projects import selectors, services
from apps.projects.models import (
    JointRequest,
    JointRequestEvent,
    Project,
    Rating,
    Signature,
    WorkingGroup,
)
from tests import factories as f
from tests.projects.joint_helpers import make_request, open_request, resident, residents
from tests.projects.test_services import raises

pytestmark = pytest.mark.django_db
J = JointRequest.Status


def moves(request) -> list[str]:
    return list(JointRequestEvent.objects.filter(request=request).values_list("move", flat=True))


def events(name: str) -> int:
    return OutboxEvent.objects.filter(name=name).count()


# --- opening and signing --------------------------------------------------------------------


def test_open_uses_the_default_threshold_and_signs_for_the_opener(world):
    request = open_request(world)
    assert request.status == J.COLLECTING
    assert request.threshold == 10 and request.one_per_household is True
    assert request.signature_count == 1
    assert request.signatures.get().resident == request.opener
    assert moves(request) == ["open"]
    assert request.signing_until - timezone.now() > dt.timedelta(days=29)


def test_a_community_sets_its_own_threshold_and_household_rule(world):
    WorkingGroup.objects.create(community=world.community_a, threshold=5, one_per_household=False)
    request = open_request(world)
    assert (request.threshold, request.one_per_household) == (5, False)


def test_a_department_request_needs_the_department(world):
    with raises("department_required"):
        open_request(world, level="department")
    assert not JointRequest.objects.exists()


def test_bad_level_and_empty_topic_write_nothing(world):
    with raises("invalid_level"):
        open_request(world, level="province")
    with raises("topic_required"):
        open_request(world, topic="  ")
    assert not JointRequest.objects.exists() and not Signature.objects.exists()


def test_grid_worker_enters_a_request_for_a_resident_without_login(world):
    paper = resident(world, login=False)
    request = services.joint_open(
        actor=world.user("grid_worker"), resident=paper, topic="路灯不亮", level="street"
    )
    assert request.entered_by == world.user("grid_worker")
    assert request.signatures.get().entered_by == world.user("grid_worker")


def test_outsider_cannot_enter_for_a_resident_of_another_community(world):
    paper = resident(world, login=False)
    with raises("not_allowed"):
        services.joint_open(actor=world.user("outsider"), resident=paper, topic="t", level="street")


def test_a_user_who_is_no_resident_cannot_open(world):
    with raises("not_a_resident"):
        services.joint_open(actor=world.user("member"), topic="t", level="community")


def test_the_threshold_signature_moves_to_review_once_and_tells_the_working_group(world):
    request = open_request(world, threshold=3)
    a, b, c = residents(world, 3)
    services.joint_sign(actor=a.user, request=request)
    assert request.status == J.COLLECTING and events("joint.reached") == 0
    services.joint_sign(actor=b.user, request=request)
    assert request.status == J.UNDER_REVIEW
    assert request.reached_at is not None
    assert events("joint.reached") == 1
    # Support keeps counting under review; the move does not happen again.
    services.joint_sign(actor=c.user, request=request)
    request.refresh_from_db()
    assert request.signature_count == 4 and request.status == J.UNDER_REVIEW
    assert moves(request) == ["open", "reach"]
    assert events("joint.reached") == 1


def test_signing_twice_is_already_signed_and_writes_nothing(world):
    request = open_request(world)
    with raises("already_signed"):
        services.joint_sign(actor=request.opener.user, request=request)
    request.refresh_from_db()
    assert request.signature_count == 1 and request.signatures.count() == 1


def test_a_second_signature_from_the_same_household_is_already_signed(world):
    request = open_request(world)
    spouse = resident(world, household=request.opener.household)
    with raises("already_signed"):
        services.joint_sign(actor=spouse.user, request=request)
    request.refresh_from_db()
    assert request.signature_count == 1


def test_households_may_sign_twice_when_the_community_allows_it(world):
    WorkingGroup.objects.create(community=world.community_a, one_per_household=False)
    request = open_request(world)
    spouse = resident(world, household=request.opener.household)
    services.joint_sign(actor=spouse.user, request=request)
    assert request.signature_count == 2


def test_a_resident_of_another_community_cannot_sign(world):
    request = open_request(world)
    stranger = resident(world, building=world.building_b)
    with raises("not_same_community"):
        services.joint_sign(actor=stranger.user, request=request)
    assert request.signatures.count() == 1


def test_signing_after_the_signing_period_is_request_expired(world):
    request = open_request(world)
    JointRequest.objects.filter(pk=request.pk).update(
        signing_until=timezone.now() - dt.timedelta(minutes=1)
    )
    request.refresh_from_db()
    with raises("request_expired"):
        services.joint_sign(actor=resident(world).user, request=request)
    assert services.joint_requests_expire() == 1
    assert services.joint_requests_expire() == 0  # safe to run twice
    request.refresh_from_db()
    assert request.status == J.EXPIRED and events("joint.expired") == 1
    with raises("request_expired"):
        services.joint_sign(actor=resident(world).user, request=request)


def test_signing_a_closed_request_is_signing_closed(world):
    request, _ = make_request(world, "closed")
    with raises("signing_closed"):
        services.joint_sign(actor=resident(world).user, request=request)


def test_a_paper_signature_is_entered_with_who_entered_it(world):
    request = open_request(world)
    paper = resident(world, login=False)
    sig = services.joint_sign(actor=world.user("grid_worker"), request=request, resident=paper)
    assert sig.entered_by == world.user("grid_worker")


def test_withdraw_only_before_the_threshold(world):
    request = open_request(world, threshold=3)
    a, b = residents(world, 2)
    services.joint_sign(actor=a.user, request=request)
    services.joint_unsign(actor=a.user, request=request)
    request.refresh_from_db()
    assert request.signature_count == 1
    assert Signature.objects.filter(resident=a, withdrawn_at__isnull=False).exists()
    services.joint_sign(actor=a.user, request=request)  # may sign again after withdrawing
    services.joint_sign(actor=b.user, request=request)
    assert request.status == J.UNDER_REVIEW
    with raises("signature_locked"):
        services.joint_unsign(actor=a.user, request=request)
    request.refresh_from_db()
    assert request.signature_count == 3


# --- the working group ----------------------------------------------------------------------


def test_accept_assigns_and_tells_signers_and_assignee(world):
    request, _ = make_request(world, "accepted")
    assert request.status == J.ACCEPTED
    assert request.assignee == world.user("grid_worker")
    assert events("joint.accepted") == 1 and events("joint.assigned") == 1


def test_only_the_working_group_accepts(world):
    request, _ = make_request(world, "under_review")
    for who in ("member", "grid_worker", "outsider"):
        with raises("not_working_group"):
            services.joint_accept(
                actor=world.user(who), request=request, assignee=world.user("grid_worker")
            )
    named = f.UserFactory(username="wg")
    services.working_group_name(
        actor=world.user("secretary"), community=world.community_a, user=named
    )
    services.joint_accept(actor=named, request=request, assignee=world.user("grid_worker"))
    assert request.status == J.ACCEPTED


def test_only_the_secretary_names_working_group_members(world):
    with raises("not_a_secretary"):
        services.working_group_name(
            actor=world.user("grid_worker"), community=world.community_a, user=world.user("member")
        )


def test_accept_refuses_an_assignee_from_elsewhere_and_a_past_due_date(world):
    request, _ = make_request(world, "under_review")
    secretary = world.user("secretary")
    with raises("invalid_assignee"):
        services.joint_accept(actor=secretary, request=request, assignee=world.user("outsider"))
    with raises("due_in_past"):
        services.joint_accept(
            actor=secretary,
            request=request,
            assignee=world.user("grid_worker"),
            reply_due=dt.date.today() - dt.timedelta(days=1),
        )
    request.refresh_from_db()
    assert request.status == J.UNDER_REVIEW and request.assignee is None


def test_accepting_while_collecting_is_an_invalid_transition(world):
    request = open_request(world)
    with raises("invalid_transition"):
        services.joint_accept(
            actor=world.user("secretary"), request=request, assignee=world.user("grid_worker")
        )


def test_decline_needs_a_reason_that_every_signer_is_told(world):
    request, _ = make_request(world, "under_review")
    with raises("reason_required"):
        services.joint_decline(actor=world.user("secretary"), request=request, reason="")
    services.joint_decline(actor=world.user("secretary"), request=request, reason="属于物业")
    assert request.status == J.DECLINED
    event = OutboxEvent.objects.get(name="joint.declined")
    assert event.context["reason"] == "属于物业"
    assert event.audience == {"kind": "joint_signers", "request": request.pk}


def test_the_signers_audience_reaches_residents_and_the_enterer_of_paper_ones(world):
    from apps.notifications.audiences import resolve

    request, signers = make_request(world, "collecting")
    paper = resident(world, login=False)
    services.joint_sign(actor=world.user("grid_worker"), request=request, resident=paper)
    reached = set(resolve(services.joint_signers(request.pk)))
    assert reached == {signers[0].user_id, world.user("grid_worker").pk}


# --- reply, rating, reopen, close -----------------------------------------------------------


def test_reply_only_by_the_assignee(world):
    request, _ = make_request(world, "accepted")
    for who in ("secretary", "member"):
        with raises("not_assignee"):
            services.joint_reply(actor=world.user(who), request=request, text="x")
    request.refresh_from_db()
    assert request.status == J.ACCEPTED and request.reply_text == ""


def test_reply_with_a_meeting_needs_a_place(world):
    request, _ = make_request(world, "accepted")
    meeting = timezone.now() + dt.timedelta(days=3)
    with raises("meeting_place_required"):
        services.joint_reply(
            actor=world.user("grid_worker"), request=request, text="面谈", meeting_at=meeting
        )
    services.joint_reply(
        actor=world.user("grid_worker"),
        request=request,
        text="面谈",
        meeting_at=meeting.isoformat(),
        meeting_place="社区会议室",
    )
    assert request.status == J.REPLIED and request.meeting_place == "社区会议室"
    assert events("joint.replied") == 1


def test_signers_rate_once_and_non_signers_cannot(world):
    request, signers = make_request(world, "replied")
    services.joint_rate(actor=signers[0].user, request=request, stars=5)
    with raises("already_rated"):
        services.joint_rate(actor=signers[0].user, request=request, stars=4)
    with raises("not_a_signer"):
        services.joint_rate(actor=resident(world).user, request=request, stars=5)
    with raises("invalid_rating"):
        services.joint_rate(actor=signers[1].user, request=request, stars=6)
    assert Rating.objects.count() == 1
    assert selectors.joint_rating_mean(request) == 5


def test_rating_before_the_reply_is_not_replied(world):
    request, signers = make_request(world, "accepted")
    with raises("not_replied"):
        services.joint_rate(actor=signers[0].user, request=request, stars=3)
    assert not Rating.objects.exists()


def test_a_low_mean_tells_the_working_group_once_and_reopen_starts_a_new_round(world):
    request, signers = make_request(world, "replied")
    services.joint_rate(actor=signers[0].user, request=request, stars=2)
    services.joint_rate(actor=signers[1].user, request=request, stars=1)
    assert events("joint.low_rating") == 1
    services.joint_reopen(actor=world.user("secretary"), request=request, note="请再落实")
    request.refresh_from_db()
    assert request.status == J.ACCEPTED and request.round == 2
    assert events("joint.reopened") == 1
    services.joint_reply(actor=world.user("grid_worker"), request=request, text="已落实")
    services.joint_rate(actor=signers[0].user, request=request, stars=5)  # a new round
    assert Rating.objects.filter(request=request).count() == 3
    services.joint_close(actor=world.user("secretary"), request=request)
    assert request.status == J.CLOSED
    assert moves(request) == [
        "open", "reach", "accept", "reply", "reopen", "reply", "close"
    ]  # fmt: skip


# --- adoption -------------------------------------------------------------------------------


def _adopt(world, request, who="secretary"):
    return services.joint_adopt(
        actor=world.user(who),
        request=request,
        goal="新增 50 个车位",
        category="livelihood",
        due_on=dt.date.today() + dt.timedelta(days=180),
    )


def test_a_secretary_adopts_an_accepted_request_as_a_project(world):
    request, _ = make_request(world, "accepted")
    project = _adopt(world, request)
    assert project.level == Project.Level.SECRETARY and project.title == request.topic
    assert project.joint_request == request
    request.refresh_from_db()
    assert request.project == project
    assert moves(request)[-1] == "adopt"
    with raises("already_adopted"):
        _adopt(world, request)
    assert Project.objects.count() == 1


def test_adopting_a_declined_request_is_refused(world):
    request, _ = make_request(world, "declined")
    with raises("not_adoptable"):
        _adopt(world, request)
    assert not Project.objects.exists()


def test_only_a_secretary_adopts(world):
    request, _ = make_request(world, "accepted")
    with raises("not_a_secretary"):
        _adopt(world, request, "grid_worker")
    request.refresh_from_db()
    assert request.project is None and not Project.objects.exists()


# --- reminders, board, statistics -----------------------------------------------------------


def test_overdue_reply_is_reminded_then_escalated_to_the_street(world):
    request, _ = make_request(world, "accepted")
    JointRequest.objects.filter(pk=request.pk).update(
        reply_due=dt.date.today() - dt.timedelta(days=1)
    )
    jobs = registered()
    now = timezone.now()
    assert reminder_run(jobs["projects.joint_reply_due"], now=now) == 1
    assert reminder_run(jobs["projects.joint_reply_due"], now=now) == 0
    assert reminder_run(jobs["projects.joint_reply_escalated"], now=now) == 0  # not yet
    JointRequest.objects.filter(pk=request.pk).update(
        reply_due=dt.date.today() - dt.timedelta(days=5)
    )
    assert reminder_run(jobs["projects.joint_reply_escalated"], now=now) == 1
    event = OutboxEvent.objects.get(name="joint.reply_escalated")
    assert event.audience["area"] == world.street.pk
    assert ReminderSent.objects.filter(reminder="projects.joint_reply_escalated").count() == 1


def test_board_shows_open_requests_with_counts_and_masked_names(world):
    request = open_request(world, opener=resident(world, name="王小明"))
    make_request(world, "declined")
    rows = [
        selectors.joint_board_row(r) for r in selectors.joint_board(community=world.community_a)
    ]
    assert [r["id"] for r in rows] == [request.pk]
    assert rows[0]["opener"] == "王*明" and rows[0]["signature_count"] == 1
    assert rows[0]["progress"] == 10


def test_statistics_for_a_date_range(world):
    replied, signers = make_request(world, "replied")
    services.joint_rate(actor=signers[0].user, request=replied, stars=4)
    services.joint_rate(actor=signers[1].user, request=replied, stars=5)
    make_request(world, "declined")
    make_request(world, "collecting")
    today = dt.date.today()
    stats = selectors.joint_stats(community=world.community_a, start=today, end=today)
    assert stats["requests"] == 3
    assert stats["accepted_share"] == 0.5
    assert stats["mean_rating"] == 4.5
    assert stats["median_days_to_reply"] == 0.0
    empty = selectors.joint_stats(
        community=world.community_a,
        start=today - dt.timedelta(days=9),
        end=today - dt.timedelta(days=1),
    )
    assert empty["requests"] == 0 and empty["accepted_share"] is None


def test_residents_see_their_communitys_requests_and_not_others(world):
    request = open_request(world)
    neighbour = resident(world)
    stranger = resident(world, building=world.building_b)
    assert request in selectors.joint_requests_visible_to(user=neighbour.user)
    assert request not in selectors.joint_requests_visible_to(user=stranger.user)
    assert request not in selectors.joint_requests_visible_to(user=world.user("outsider"))
    assert request in selectors.joint_requests_visible_to(user=world.user("member"))


def test_a_secretary_sets_the_communitys_rules_and_others_cannot(world):
    with raises("not_a_secretary"):
        services.working_group_configure(
            actor=world.user("grid_worker"), community=world.community_a, threshold=5
        )
    with raises("invalid_threshold"):
        services.working_group_configure(
            actor=world.user("secretary"), community=world.community_a, threshold=1
        )
    assert not WorkingGroup.objects.exists()
    group = services.working_group_configure(
        actor=world.user("secretary"), community=world.community_a, threshold=12, signing_days=7
    )
    services.working_group_update(
        actor=world.user("secretary"), group=group, one_per_household=False
    )
    request = open_request(world)
    assert (request.threshold, request.one_per_household) == (12, False)
    assert request.signing_until - timezone.now() < dt.timedelta(days=7, minutes=1)


def test_the_beat_task_expires_requests_past_their_signing_period(world):
    from apps.projects.tasks import expire_joint_requests

    request = open_request(world)
    JointRequest.objects.filter(pk=request.pk).update(
        signing_until=timezone.now() - dt.timedelta(hours=1)
    )
    assert expire_joint_requests.delay().get() == 1
    request.refresh_from_db()
    assert request.status == J.EXPIRED and moves(request) == ["open", "expire"]


def test_the_secretary_sets_the_rules_in_the_admin(world, staff_client):
    client = staff_client("secretary")
    r = client.post(
        "/admin/projects/workinggroup/add/",
        {"community": world.community_a.pk, "threshold": "1", "signing_days": ""},
    )
    assert r.status_code == 200 and not WorkingGroup.objects.exists()  # refused on the form
    r = client.post(
        "/admin/projects/workinggroup/add/",
        {"community": world.community_a.pk, "threshold": "8", "signing_days": "20"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert WorkingGroup.objects.get().threshold == 8


def test_the_signature_list_is_one_query_whatever_its_length(world, django_assert_num_queries):
    request = open_request(world, threshold=50)
    for r in residents(world, 6):
        services.joint_sign(actor=r.user, request=request)
    staff = world.user("secretary")
    selectors.joint_signature_names(request, staff)  # the user's grants, read once
    with django_assert_num_queries(1):
        shown = selectors.joint_signature_names(request, staff)
    assert len(shown) == 7 and all("*" not in row["name"] for row in shown)

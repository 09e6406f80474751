"""Every write to volunteering. The moves are the `Workflow`s in models.py, made by
`apps.core.workflow.transition` (conditional UPDATE + history row); the capacity counters
(`Post.filled`, `Occurrence.taken`) change only by a conditional UPDATE or under their
row's lock, so no count-then-insert anywhere."""

from contextlib import nullcontext
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from secrets import token_urlsafe

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import Role, RoleAssignment
from apps.accounts.scoping import has_role_over
from apps.core import workflow
from apps.core.conf import conf
from apps.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from apps.core.masking import mask_id_number
from apps.core.validators import clean_rating, clean_text, invalid, parse_id
from apps.notifications import audiences
from apps.notifications.services import notify
from apps.points.services import points_award
from apps.register.models import Area, Member

from . import proposal
from .models import (
    ORGANISERS,
    Activity,
    Assignment,
    Certificate,
    Need,
    Occurrence,
    Post,
    ServiceRecord,
    SignUp,
    SignUpEvent,
    StandardPost,
    Team,
    VolunteerRegistration,
)
from .needs import need_candidates

R = VolunteerRegistration.Status
CHECKIN_SALT = "volunteers.checkin"
MAX_WEEKS = 52


class NotHomeCommunity(Forbidden):
    code = "not_home_community"
    default_detail = gettext_lazy("只能在本人报到社区（居住社区）登记志愿服务。")


class AlreadyRegistered(Conflict):
    code = "already_registered"
    default_detail = gettext_lazy("您已有一个待审核或在岗的志愿岗位。")


class PostFull(Conflict):
    code = "post_full"
    default_detail = gettext_lazy("该岗位人数已满。")


class AlreadySignedUp(Conflict):
    code = "already_signed_up"
    default_detail = gettext_lazy("您已报名该场活动。")


class Overlapping(Conflict):
    code = "overlapping_signup"
    default_detail = gettext_lazy("您已报名同一时间段的其他活动。")


class SignUpClosed(Conflict):
    code = "signup_closed"
    default_detail = gettext_lazy("活动已开始或已取消，不能报名。")


class CheckInClosed(Conflict):
    code = "checkin_closed"
    default_detail = gettext_lazy("不在签到时间内（活动开始前不久至结束）。")


class BadCheckInLink(InvalidInput):
    code = "checkin_link_invalid"
    default_detail = gettext_lazy("签到二维码已过期或不属于该活动，请重新扫码。")


class OwnHours(Forbidden):
    code = "own_hours"
    default_detail = gettext_lazy("不能确认本人的服务时长。")


def _clean_skills(skills) -> list[str]:
    if isinstance(skills, str):
        skills = skills.replace("，", ",").split(",")
    cleaned = sorted({str(s).strip()[:20] for s in (skills or []) if str(s).strip()})
    if len(cleaned) > 10:
        raise invalid("skills", _("技能最多填写 10 项。"), "too_many_skills")
    return cleaned


def _check_organiser(actor, area: Area) -> None:
    if not has_role_over(actor, ORGANISERS, area=area):
        raise Forbidden(_("只有本社区书记或管理员可以执行该操作。"), code="not_organiser")


def _member_of(actor) -> Member:
    member = Member.objects.select_related("community").filter(user=actor).first()
    if member is None:
        raise Forbidden(_("只有登记在册的党员可以参加志愿服务。"), code="not_a_member")
    return member


# --- posts ----------------------------------------------------------------------------------


def post_enable(
    *, actor, community: Area, standard: StandardPost | None = None, name: str = "", **fields
) -> Post:
    """A community runs a post: one of the standard ones (name, category and skills copied)
    or its own; capacity, schedule, place and description are the community's."""
    _check_organiser(actor, community)
    if community.kind != Area.Kind.COMMUNITY:
        raise invalid("community", _("岗位只能设在社区。"), "not_a_community")
    if standard is not None:
        fields.setdefault("category", standard.category)
        fields.setdefault("skills", standard.skills)
        name = name or standard.name
    name = clean_text(name, field="name", max_length=40, required=True, label=_("岗位名称"))
    fields["skills"] = _clean_skills(fields.get("skills"))
    capacity = fields.get("capacity", 10)
    if not isinstance(capacity, int) or not 1 <= capacity <= 10_000:
        raise invalid("capacity", _("岗位人数应为 1 至 10000。"), "invalid_capacity")
    if Post.objects.filter(community=community, name=name).exists():
        raise Conflict(_("本社区已有同名岗位。"), code="duplicate_post")
    return Post.objects.create(community=community, standard=standard, name=name, **fields)


def post_update(*, actor, post: Post, **fields) -> Post:
    """Change a post's details or capacity; the capacity never drops below those on it
    (a conditional UPDATE, so a concurrent approval cannot slip under it)."""
    _check_organiser(actor, post.community)
    capacity = fields.pop("capacity", None)
    if "skills" in fields:
        fields["skills"] = _clean_skills(fields["skills"])
    with transaction.atomic():
        if capacity is not None:
            if not isinstance(capacity, int) or not 1 <= capacity <= 10_000:
                raise invalid("capacity", _("岗位人数应为 1 至 10000。"), "invalid_capacity")
            if not Post.objects.filter(pk=post.pk, filled__lte=capacity).update(capacity=capacity):
                raise Conflict(_("岗位人数不能少于在岗人数。"), code="capacity_below_filled")
            post.capacity = capacity
        for name, value in fields.items():
            setattr(post, name, value)
        if fields:
            post.save(update_fields=[*fields, "updated_at"])
    return post


# --- registration and assignment (一人一岗) ---------------------------------------------------


def _community_post(community: Area, post_id, field: str, required: bool) -> Post | None:
    if post_id in (None, ""):
        if required:
            raise invalid(field, _("请选择第一志愿岗位。"), "choice_required")
        return None
    post_id = getattr(post_id, "pk", post_id)
    post = Post.objects.filter(pk=parse_id(post_id)).first()
    if post is None or post.community_id != community.pk or not post.enabled:
        raise invalid(field, _("请选择本社区开放的岗位。"), "unknown_post")
    return post


def registration_submit(
    *, actor, community: Area, choices, skills=(), available_times: str = ""
) -> VolunteerRegistration:
    """在职党员社区报到: only with the member's home community, one open registration."""
    member = _member_of(actor)
    if community.pk != member.community_id:
        raise NotHomeCommunity()
    choices = list(choices or []) + [None, None, None]
    posts = [
        _community_post(community, choices[i], f"choice_{i + 1}", required=i == 0) for i in range(3)
    ]
    picked = [p.pk for p in posts if p is not None]
    if len(picked) != len(set(picked)):
        raise invalid("choice_2", _("志愿岗位不能重复。"), "duplicate_choice")
    skills = _clean_skills(skills)
    available_times = clean_text(
        available_times,
        field="available_times",
        max_length=200,
        required=False,
        label=_("可服务时间"),
    )
    try:
        with transaction.atomic():
            registration = VolunteerRegistration.objects.create(
                member=member,
                community=community,
                skills=skills,
                available_times=available_times,
                choice_1=posts[0],
                choice_2=posts[1],
                choice_3=posts[2],
            )
            workflow.record(registration, "submit", from_status="", actor=actor)
            notify(
                "volunteer.registered",
                audience=audiences.area_role(community.pk, Role.SECRETARY),
                context={"member": member.name, "registration_id": registration.pk},
                actor=actor,
            )
    except IntegrityError as exc:  # registration_one_open_per_member
        raise AlreadyRegistered() from exc
    return registration


def _take_place(post: Post) -> None:
    """One place on `post`, or PostFull: `filled < capacity` is the WHERE of the UPDATE, so
    of any number of concurrent approvals exactly `capacity` succeed."""
    if not Post.objects.filter(pk=post.pk, enabled=True, filled__lt=F("capacity")).update(
        filled=F("filled") + 1
    ):
        raise PostFull(_("岗位“%(post)s”人数已满。") % {"post": post.name})


def _leave_place(post_id: int) -> None:
    Post.objects.filter(pk=post_id, filled__gt=0).update(filled=F("filled") - 1)


def _end_assignment(member_id: int, *, actor, note: str) -> None:
    current = Assignment.objects.filter(member_id=member_id, status=Assignment.Status.ACTIVE)
    for assignment in current.select_for_update():
        workflow.transition(assignment, "end", actor=actor, note=note, ended_at=timezone.now())
        _leave_place(assignment.post_id)


def registration_approve(
    *, actor, registration: VolunteerRegistration, post: Post | None = None
) -> Assignment:
    """The secretary approves a pending registration onto `post` (default: the first
    choice). Capacity-safe (`_take_place`); one active post per member (the partial unique
    index `assignment_one_per_member`)."""
    _check_organiser(actor, registration.community)
    post = post or registration.choice_1
    if post.community_id != registration.community_id:
        raise invalid("post", _("请选择本社区的岗位。"), "unknown_post")
    workflow.check(registration, "approve")
    number = f"ZY{registration.community_id:04d}{registration.member_id:07d}"
    with transaction.atomic():
        _take_place(post)  # first: a full post leaves the registration pending
        workflow.transition(
            registration, "approve", actor=actor, note=post.name, volunteer_number=number
        )
        try:
            with transaction.atomic():
                assignment = Assignment.objects.create(
                    registration=registration, member_id=registration.member_id, post=post
                )
        except IntegrityError as exc:
            raise Conflict(_("该党员已有在岗岗位。"), code="already_assigned") from exc
        workflow.record(assignment, "assign", from_status="", actor=actor)
        _notify_member(registration.member, "volunteer.approved", {"post": post.name}, actor)
    return assignment


def assignment_change(*, actor, assignment: Assignment, post: Post) -> Assignment:
    """Move an assigned volunteer to another post: the old assignment ends and the new one
    starts in the same transaction (never two active posts)."""
    _check_organiser(actor, assignment.post.community)
    if post.community_id != assignment.post.community_id:
        raise invalid("post", _("请选择本社区的岗位。"), "unknown_post")
    workflow.check(assignment, "end")
    with transaction.atomic():
        _take_place(post)  # first: a full post leaves the old assignment untouched
        workflow.transition(assignment, "end", actor=actor, note=post.name, ended_at=timezone.now())
        _leave_place(assignment.post_id)
        new = Assignment.objects.create(
            registration_id=assignment.registration_id, member_id=assignment.member_id, post=post
        )
        workflow.record(new, "assign", from_status="", actor=actor)
        _notify_member(new.member, "volunteer.approved", {"post": post.name}, actor)
    return new


def registration_reject(*, actor, registration: VolunteerRegistration, reason: str):
    _check_organiser(actor, registration.community)
    reason = clean_text(reason, field="reason", max_length=200, required=True, label=_("原因"))
    with transaction.atomic():
        workflow.transition(registration, "reject", actor=actor, note=reason)
        _notify_member(registration.member, "volunteer.rejected", {"reason": reason}, actor)
    return registration


def registration_end(*, actor, registration: VolunteerRegistration, note: str = ""):
    """The member leaves (or the secretary ends) volunteering: the post's place is freed."""
    if registration.member.user_id != actor.pk:
        _check_organiser(actor, registration.community)
    note = clean_text(note, field="note", max_length=200, required=False, label=_("说明"))
    with transaction.atomic():
        workflow.transition(registration, "end", actor=actor, note=note)
        _end_assignment(registration.member_id, actor=actor, note=note)
    return registration


def _notify_member(member: Member, event: str, context: dict, actor) -> None:
    if member.user_id:
        notify(event, audience=audiences.users(member.user_id), context=context, actor=actor)


# --- teams ----------------------------------------------------------------------------------


def team_create(*, actor, community: Area, name: str, specialty: str, leader=None, members=()):
    _check_organiser(actor, community)
    name = clean_text(name, field="name", max_length=60, required=True, label=_("队名"))
    specialty = clean_text(
        specialty, field="specialty", max_length=20, required=True, label=_("专业方向")
    )
    with transaction.atomic():
        team = Team.objects.create(
            community=community, name=name, specialty=specialty, leader=leader
        )
        team.members.set([*members, *([leader] if leader else [])])
    return team


# --- activities and occurrences -------------------------------------------------------------


def activity_create(
    *,
    actor,
    community: Area,
    title: str,
    place: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    weeks: int = 1,
    post: Post | None = None,
    team: Team | None = None,
    description: str = "",
) -> Activity:
    """A dated activity, or with `weeks` > 1 a weekly series ("每周五 14:00–16:00"): one
    occurrence per week, each with its own capacity."""
    _check_organiser(actor, community)
    title = clean_text(title, field="title", max_length=60, required=True, label=_("活动名称"))
    place = clean_text(place, field="place", max_length=100, required=True, label=_("地点"))
    if ends_at <= starts_at or ends_at - starts_at > timedelta(hours=24):
        raise invalid("ends_at", _("结束时间应晚于开始时间且不超过 24 小时。"), "invalid_times")
    if starts_at <= timezone.now():
        raise invalid("starts_at", _("开始时间应晚于现在。"), "starts_in_past")
    if not isinstance(capacity, int) or not 1 <= capacity <= 10_000:
        raise invalid("capacity", _("名额应为 1 至 10000。"), "invalid_capacity")
    if not isinstance(weeks, int) or not 1 <= weeks <= MAX_WEEKS:
        raise invalid("weeks", _("每周重复最多 52 周。"), "invalid_weeks")
    for owner in (post, team):
        if owner is not None and owner.community_id != community.pk:
            raise invalid("post", _("请选择本社区的岗位或服务队。"), "unknown_post")
    with transaction.atomic():
        activity = Activity.objects.create(
            community=community,
            title=title,
            place=place,
            description=description,
            post=post,
            team=team,
            organiser=actor,
            weekly=weeks > 1,
        )
        Occurrence.objects.bulk_create(
            Occurrence(
                activity=activity,
                starts_at=starts_at + timedelta(weeks=i),
                ends_at=ends_at + timedelta(weeks=i),
                capacity=capacity,
            )
            for i in range(weeks)
        )
    return activity


def occurrence_cancel(*, actor, occurrence: Occurrence, reason: str) -> Occurrence:
    """A date is called off (a holiday): everyone signed up or waitlisted is told."""
    _check_organiser(actor, occurrence.activity.community)
    reason = clean_text(reason, field="reason", max_length=200, required=True, label=_("原因"))
    with transaction.atomic():
        # FOR UPDATE: waits for sign-ups joining the waitlist (FOR KEY SHARE) and stops new
        # ones until the cancellation is committed, so everyone on the list is told.
        Occurrence.objects.select_for_update().filter(pk=occurrence.pk).exists()
        workflow.transition(occurrence, "cancel", actor=actor, note=reason, cancel_reason=reason)
        signups = SignUp.objects.filter(
            occurrence=occurrence, status__in=[SignUp.Status.SIGNED_UP, SignUp.Status.WAITLISTED]
        ).select_related("member")
        user_ids = [s.member.user_id for s in signups if s.member.user_id]
        if user_ids:
            notify(
                "volunteer.occurrence_cancelled",
                audience=audiences.users(*user_ids),
                context=_occurrence_context(occurrence, reason=reason),
                actor=actor,
            )
    return occurrence


def _occurrence_context(occurrence: Occurrence, **extra) -> dict:
    local = timezone.localtime(occurrence.starts_at)
    return {
        "occurrence_id": occurrence.pk,
        "title": occurrence.activity.title,
        "starts": local.strftime("%Y-%m-%d %H:%M"),
        **extra,
    }


# A sign-up's statements on PostgreSQL. `arrival` comes from one sequence (so it orders
# sign-ups, and is not consecutive per occurrence; pages show the place in line).
ARRIVAL_SEQUENCE = "volunteers_signup_arrival_seq"
# On PostgreSQL, no member has two open sign-ups whose times overlap (the same occurrence
# included): an exclusion constraint (migration 0006, btree_gist), so the overlap check needs
# neither a lock nor a query of its own.
NO_OVERLAP = "signup_no_overlap"

# Take a place: the only statement that locks the occurrence's row (FOR NO KEY UPDATE, until
# its own commit: it runs alone, in autocommit). It matches nothing once the occurrence is
# full, and then locks nothing. The arrival number is drawn under the lock, so every
# place-taker arrives before anyone who later finds the occurrence full. The member is
# looked up in the same statement.
_SEAT_SQL = """
WITH m AS (
    SELECT id FROM {member} WHERE user_id = %(user)s
), o AS (
    UPDATE {occurrence}
       SET taken = taken + 1
     WHERE id = %(occurrence)s AND status = %(scheduled)s AND starts_at > %(now)s
       AND taken < capacity AND EXISTS (SELECT 1 FROM m)
 RETURNING id, nextval('{sequence}') AS arrival, taken, starts_at, ends_at
), s AS (
    INSERT INTO {signup} (occurrence_id, member_id, status, arrival, starts_at, ends_at,
                          created_at)
    SELECT o.id, m.id, %(signed_up)s, o.arrival, o.starts_at, o.ends_at, %(now)s FROM o, m
 RETURNING id, member_id, status, arrival, created_at
), e AS (
    INSERT INTO {event} (signup_id, move, from_status, to_status, actor_id, note, at)
    SELECT s.id, 'sign_up', '', s.status, %(user)s, '', %(now)s FROM s
)
SELECT s.id, s.member_id, s.status, s.arrival, s.created_at, o.taken FROM s, o
"""

# Join the waitlist of a full occurrence: FOR KEY SHARE does not wait for place-takers or
# other waitlisters, only for a cancellation (which holds FOR UPDATE while it promotes), and
# then `taken >= capacity` is checked again on the row it left.
_WAIT_SQL = """
WITH m AS (
    SELECT id FROM {member} WHERE user_id = %(user)s
), o AS (
    SELECT id, taken, starts_at, ends_at FROM {occurrence}
     WHERE id = %(occurrence)s AND status = %(scheduled)s AND starts_at > %(now)s
       AND taken >= capacity
       FOR KEY SHARE
), s AS (
    INSERT INTO {signup} (occurrence_id, member_id, status, arrival, starts_at, ends_at,
                          created_at)
    SELECT o.id, m.id, %(waitlisted)s, nextval('{sequence}'), o.starts_at, o.ends_at, %(now)s
      FROM o, m
 RETURNING id, member_id, status, arrival, created_at
), e AS (
    INSERT INTO {event} (signup_id, move, from_status, to_status, actor_id, note, at)
    SELECT s.id, 'sign_up', '', s.status, %(user)s, '', %(now)s FROM s
)
SELECT s.id, s.member_id, s.status, s.arrival, s.created_at, o.taken FROM s, o
"""


def _statement(sql: str, params: dict):
    """One statement, alone: in autocommit it is its own transaction (no BEGIN/COMMIT round
    trips); inside a caller's transaction, in a savepoint, so a refusal leaves it usable."""
    tables = {
        "member": Member._meta.db_table,
        "occurrence": Occurrence._meta.db_table,
        "signup": SignUp._meta.db_table,
        "event": SignUpEvent._meta.db_table,
        "sequence": ARRIVAL_SEQUENCE,
    }
    alone = transaction.atomic() if connection.in_atomic_block else nullcontext()
    with alone, connection.cursor() as cursor:
        cursor.execute(sql.format(**tables), params)
        return cursor.fetchone()


def _signup_postgresql(actor, occurrence: Occurrence) -> SignUp:
    now = timezone.now()
    params = {
        "occurrence": occurrence.pk,
        "user": actor.pk,
        "now": now,
        "scheduled": Occurrence.Status.SCHEDULED,
        "signed_up": SignUp.Status.SIGNED_UP,
        "waitlisted": SignUp.Status.WAITLISTED,
    }
    # A place, else the waitlist; neither matches when a cancellation freed a place between
    # the two (then again), or when there is no member or the occurrence is closed. When
    # the occurrence was already full as the request read it, the waitlist comes first: the
    # request then never queues on the row.
    full = occurrence.taken >= occurrence.capacity
    order = (_WAIT_SQL, _SEAT_SQL) if full else (_SEAT_SQL, _WAIT_SQL)
    for _attempt in range(5):
        for sql in order:
            try:
                row = _statement(sql, params)
            except IntegrityError as exc:  # signup_no_overlap or signup_once_per_occurrence
                member = Member.objects.get(user=actor)
                raise _clash(member, occurrence) or AlreadySignedUp() from exc
            if row is not None:
                pk, member_id, status, arrival, created_at, taken = row
                occurrence.taken = taken
                return SignUp(
                    pk=pk,
                    occurrence=occurrence,
                    member_id=member_id,
                    status=status,
                    arrival=arrival,
                    starts_at=occurrence.starts_at,
                    ends_at=occurrence.ends_at,
                    created_at=created_at,
                )
        _member_of(actor)  # not a member: 403
        still_open = Occurrence.objects.filter(
            pk=occurrence.pk, status=Occurrence.Status.SCHEDULED, starts_at__gt=now
        )
        if not still_open.exists():
            raise SignUpClosed()
    raise Conflict(_("报名人数较多，请稍后再试。"), code="signup_busy")


def _clash(member: Member, occurrence: Occurrence) -> Conflict | None:
    """AlreadySignedUp or Overlapping if the member has an open sign-up at the time."""
    clashes = set(
        SignUp.objects.filter(
            member=member,
            status__in=[SignUp.Status.SIGNED_UP, SignUp.Status.WAITLISTED],
            starts_at__lt=occurrence.ends_at,
            ends_at__gt=occurrence.starts_at,
        )
        .order_by()
        .values_list("occurrence_id", flat=True)
    )
    if occurrence.pk in clashes:
        return AlreadySignedUp()
    return Overlapping() if clashes else None


def _signup_locked(actor, occurrence: Occurrence) -> SignUp:
    """Elsewhere (SQLite): the member's row lock orders one member's sign-ups and the
    overlap is checked by a query; the first UPDATE takes the database's write lock, so the
    rest of the transaction runs alone."""
    now = timezone.now()
    with transaction.atomic():
        member = Member.objects.select_for_update().filter(user=actor).first()
        if member is None:
            raise Forbidden(_("只有登记在册的党员可以参加志愿服务。"), code="not_a_member")
        clash = _clash(member, occurrence)
        if clash is not None:
            raise clash
        open_ = Occurrence.objects.filter(
            pk=occurrence.pk, status=Occurrence.Status.SCHEDULED, starts_at__gt=now
        )
        free = open_.filter(taken__lt=F("capacity")).update(taken=F("taken") + 1)
        if not free and not open_.update(taken=F("taken")):
            raise SignUpClosed()
        last = SignUp.objects.filter(occurrence=occurrence).aggregate(m=Max("arrival"))["m"]
        signup = SignUp.objects.create(
            occurrence=occurrence,
            member=member,
            status=SignUp.Status.SIGNED_UP if free else SignUp.Status.WAITLISTED,
            arrival=(last or 0) + 1,
            starts_at=occurrence.starts_at,
            ends_at=occurrence.ends_at,
        )
        workflow.record(signup, "sign_up", from_status="", actor=actor)
        occurrence.taken = open_.values_list("taken", flat=True).get()
    return signup


def signup_create(*, actor, occurrence: Occurrence) -> SignUp:
    """Sign up, or join the waitlist when full. Race-safe, and short under contention. On
    PostgreSQL one statement does it all (`_SEAT_SQL`, else `_WAIT_SQL`), in autocommit:
    - a place is taken by a conditional UPDATE (`taken < capacity`) that inserts the sign-up
      and its history row in the same statement: exactly `capacity` are signed up, and
      sign-ups queue on the occurrence's row only while places remain;
    - once it is full, the waitlist is joined without waiting for anyone but a
      cancellation, in arrival order (the arrival sequence, drawn after the place-takers');
    - no double or overlapping sign-up: the exclusion constraint `signup_no_overlap`.
    """
    if not has_role_over(actor, {Role.MEMBER}, area=occurrence.activity.community):
        _member_of(actor)  # not a member at all: say so first
        raise Forbidden(_("只能报名本社区的志愿活动。"), code="not_in_community")
    if connection.vendor == "postgresql":
        return _signup_postgresql(actor, occurrence)
    return _signup_locked(actor, occurrence)


def waitlist_position(signup: SignUp) -> int | None:
    """The place in line of a waitlisted sign-up (1 = next to be promoted)."""
    if signup.status != SignUp.Status.WAITLISTED:
        return None
    return SignUp.objects.filter(
        occurrence_id=signup.occurrence_id,
        status=SignUp.Status.WAITLISTED,
        arrival__lte=signup.arrival,
    ).count()


def signup_cancel(*, actor, signup: SignUp) -> SignUp:
    """The member withdraws; a freed place goes to the first in the waitlist, who is told."""
    if signup.member.user_id != actor.pk:
        _check_organiser(actor, signup.occurrence.activity.community)
    workflow.check(signup, "cancel")
    with transaction.atomic():
        # The occurrence's lock: no sign-up or other cancellation of it runs meanwhile.
        occurrence = Occurrence.objects.select_for_update().get(pk=signup.occurrence_id)
        was_signed_up = signup.status == SignUp.Status.SIGNED_UP
        workflow.transition(signup, "cancel", actor=actor)
        if was_signed_up:
            _promote_first(occurrence, actor=actor)
    return signup


def _promote_first(occurrence: Occurrence, *, actor) -> SignUp | None:
    first = (
        SignUp.objects.filter(occurrence=occurrence, status=SignUp.Status.WAITLISTED)
        .select_related("member")
        .order_by("arrival")
        .first()
    )
    if first is None or occurrence.starts_at <= timezone.now():
        Occurrence.objects.filter(pk=occurrence.pk).update(taken=F("taken") - 1)
        return None
    workflow.transition(first, "promote", actor=actor)
    _notify_member(first.member, "volunteer.promoted", _occurrence_context(occurrence), actor=actor)
    return first


# --- check-in and service records -----------------------------------------------------------


def checkin_token(*, occurrence: Occurrence) -> str:
    """The signed, short-lived token of the occurrence's check-in QR link."""
    return signing.dumps({"o": occurrence.pk}, salt=CHECKIN_SALT, compress=True)


def _check_token(token: str, occurrence: Occurrence) -> None:
    try:
        data = signing.loads(
            token or "", salt=CHECKIN_SALT, max_age=conf("VOLUNTEER_CHECKIN_LINK_S")
        )
    except signing.BadSignature:
        raise BadCheckInLink() from None
    if data.get("o") != occurrence.pk:
        raise BadCheckInLink()


def _check_window(occurrence: Occurrence, now: datetime) -> None:
    opens = occurrence.starts_at - timedelta(minutes=conf("VOLUNTEER_CHECKIN_EARLY_MIN"))
    if occurrence.status != Occurrence.Status.SCHEDULED or not opens <= now <= occurrence.ends_at:
        raise CheckInClosed()


def checkin(*, actor, occurrence: Occurrence, token: str) -> ServiceRecord:
    """The member scanned the organiser's QR code: a pending service record of the
    occurrence's length (only for members signed up for it)."""
    _check_token(token, occurrence)
    member = _member_of(actor)
    _check_window(occurrence, timezone.now())
    return _attend(occurrence, member, actor=actor)


def attendance_mark(*, actor, occurrence: Occurrence, member: Member) -> ServiceRecord:
    """The organiser ticks a member present by hand (same window)."""
    _check_organiser(actor, occurrence.activity.community)
    _check_window(occurrence, timezone.now())
    return _attend(occurrence, member, actor=actor)


def _attend(occurrence: Occurrence, member: Member, *, actor) -> ServiceRecord:
    signed = SignUp.objects.filter(
        occurrence=occurrence, member=member, status=SignUp.Status.SIGNED_UP
    )
    if not signed.exists():
        raise Conflict(_("您没有报名该场活动。"), code="not_signed_up")
    existing = ServiceRecord.objects.filter(member=member, occurrence=occurrence).first()
    if existing is not None:
        return existing  # a second scan is harmless
    hours = occurrence.hours
    served_on = timezone.localdate(occurrence.starts_at)
    _check_day_total(member, served_on, hours, exclude=None)
    try:
        with transaction.atomic():
            record = ServiceRecord.objects.create(
                member=member,
                occurrence=occurrence,
                hours=hours,
                served_on=served_on,
                checked_in_at=timezone.now(),
            )
            workflow.record(record, "check_in", from_status="", actor=actor)
    except IntegrityError:  # two scans at once: the other made it
        return ServiceRecord.objects.get(member=member, occurrence=occurrence)
    return record


def _clean_hours(value, occurrence: Occurrence) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        hours = None
    if hours is None or not hours.is_finite() or hours < 0:
        raise invalid("hours", _("服务时长不能为负数。"), "hours_negative")
    if hours > occurrence.hours:
        message = _("服务时长不能超过活动时长（%(h)s 小时）。") % {"h": occurrence.hours}
        raise invalid("hours", message, "hours_over_occurrence")
    return hours


def _check_day_total(member: Member, day, hours: Decimal, *, exclude) -> None:
    others = ServiceRecord.objects.filter(member=member, served_on=day).exclude(
        status=ServiceRecord.Status.DECLINED
    )
    if exclude is not None:
        others = others.exclude(pk=exclude)
    total = (others.aggregate(s=Sum("hours"))["s"] or Decimal(0)) + hours
    if total > 24:
        raise invalid("hours", _("同一天的服务时长合计不能超过 24 小时。"), "hours_over_day")


def _check_confirmer(actor, record: ServiceRecord) -> None:
    if record.member.user_id == actor.pk:
        raise OwnHours()
    _check_organiser(actor, record.occurrence.activity.community)


def record_confirm(*, actor, record: ServiceRecord) -> ServiceRecord:
    """The organiser confirms the hours; the member earns the "volunteer_hours" points,
    exactly once (the ledger is unique per source)."""
    _check_confirmer(actor, record)
    with transaction.atomic():
        workflow.transition(
            record, "confirm", actor=actor, confirmed_by=actor, confirmed_at=timezone.now()
        )
        points_award(member=record.member, rule="volunteer_hours", source=record)
        _notify_member(
            record.member,
            "volunteer.hours_confirmed",
            {"title": record.occurrence.activity.title, "hours": str(record.hours)},
            actor,
        )
    return record


def record_decline(*, actor, record: ServiceRecord, reason: str) -> ServiceRecord:
    _check_confirmer(actor, record)
    reason = clean_text(reason, field="reason", max_length=200, required=True, label=_("原因"))
    workflow.transition(record, "decline", actor=actor, note=reason)
    return record


def record_amend(*, actor, record: ServiceRecord, hours, reason: str) -> ServiceRecord:
    """The organiser edits the hours (travel time excluded) with a reason, kept in the
    history; after confirmation too (points are not awarded twice)."""
    _check_confirmer(actor, record)
    reason = clean_text(reason, field="reason", max_length=200, required=True, label=_("原因"))
    hours = _clean_hours(hours, record.occurrence)
    _check_day_total(record.member, record.served_on, hours, exclude=record.pk)
    move = "amend_confirmed" if record.status == ServiceRecord.Status.CONFIRMED else "amend"
    note = f"{record.hours} → {hours}: {reason}"
    workflow.transition(record, move, actor=actor, note=note, hours=hours)
    return record


def occurrence_by_token(*, token: str) -> Occurrence:
    """The occurrence a check-in link names (its signature checked, not its age)."""
    try:
        data = signing.loads(token or "", salt=CHECKIN_SALT)
    except signing.BadSignature:
        raise BadCheckInLink() from None
    occurrence = (
        Occurrence.objects.select_related("activity__community").filter(pk=data.get("o")).first()
    )
    if occurrence is None:
        raise NotFound()
    return occurrence


# --- the assignment proposal ----------------------------------------------------------------


def _explain(line: proposal.Line) -> str:
    return {
        proposal.FIRST: _("第一志愿"),
        proposal.SECOND: _("第二志愿"),
        proposal.THIRD: _("第三志愿"),
        proposal.SKILLS: _("技能匹配：%(skill)s") % {"skill": line.skill},
    }.get(line.reason, _("暂无合适岗位，请书记安排"))


def proposal_make(*, actor, community: Area) -> list[dict]:
    """Proposed posts for every pending registration of `community` (nothing is written):
    see apps.volunteers.proposal for the algorithm. Each line explains itself."""
    _check_organiser(actor, community)
    pending = list(
        VolunteerRegistration.objects.filter(community=community, status=R.PENDING)
        .select_related("member")
        .order_by("created_at", "pk")
    )
    posts = {p.pk: p for p in Post.objects.filter(community=community, enabled=True)}
    applicants = [proposal.Applicant(r.pk, tuple(r.choices), frozenset(r.skills)) for r in pending]
    places = [
        proposal.Place(p.pk, max(p.capacity - p.filled, 0), frozenset(p.skills))
        for p in posts.values()
    ]
    lines = proposal.propose(applicants, places)
    by_id = {r.pk: r for r in pending}
    return [
        {
            "registration": line.registration,
            "member": by_id[line.registration].member.name,
            "post": line.post,
            "post_name": posts[line.post].name if line.post else "",
            "reason": line.reason,
            "explanation": _explain(line),
        }
        for line in lines
    ]


def proposal_accept(*, actor, community: Area, lines) -> list[Assignment]:
    """Approve the (possibly edited) proposal: `lines` are (registration id, post id) pairs.
    All or nothing: one full post or a moved registration rolls every line back."""
    _check_organiser(actor, community)
    pairs = [(parse_id(r), parse_id(p)) for r, p in lines if p]
    if any(None in pair for pair in pairs):
        raise InvalidInput(_("安排方案中有无效的报到或岗位。"), code="invalid_proposal")
    registrations = VolunteerRegistration.objects.select_related("member", "community").in_bulk(
        [r for r, _p in pairs]
    )
    posts = Post.objects.filter(community=community).in_bulk([p for _r, p in pairs])
    made = []
    with transaction.atomic():
        for reg_id, post_id in pairs:
            registration, post = registrations.get(reg_id), posts.get(post_id)
            if registration is None or registration.community_id != community.pk or post is None:
                raise invalid("lines", _("方案中有不属于本社区的报到或岗位。"), "unknown_line")
            made.append(registration_approve(actor=actor, registration=registration, post=post))
    return made


# --- the service-record certificate (志愿服务记录证明) ---------------------------------------


def certificate_issue(*, actor, member: Member) -> Certificate:
    """A certificate of `member`'s confirmed service: the member for themself, or an
    organiser of their community. The issuing organisation is the member's community; its
    secretary signs as responsible person, and as handling person unless an organiser
    issues it (then they do)."""
    if member.user_id != actor.pk and not has_role_over(actor, ORGANISERS, area=member.community):
        raise Forbidden(_("只能为本人出具志愿服务记录证明。"), code="not_own_certificate")
    records = (
        ServiceRecord.objects.filter(member=member, status=ServiceRecord.Status.CONFIRMED)
        .select_related("occurrence__activity")
        .order_by("served_on", "pk")
    )
    lines = [
        {
            "from": timezone.localtime(r.occurrence.starts_at).strftime("%Y-%m-%d %H:%M"),
            "to": timezone.localtime(r.occurrence.ends_at).strftime("%Y-%m-%d %H:%M"),
            "content": r.occurrence.activity.title,
            "hours": str(r.hours),
        }
        for r in records
    ]
    if not lines:
        raise Conflict(_("还没有已确认的服务时长，无法出具证明。"), code="no_confirmed_hours")
    secretary = (
        RoleAssignment.objects.filter(role=Role.SECRETARY, area=member.community)
        .select_related("user")
        .first()
    )
    registration = VolunteerRegistration.objects.filter(member=member).exclude(volunteer_number="")
    # A member's own request is handled by the community: the secretary signs for both.
    responsible = str(secretary.user) if secretary else ""
    today = timezone.localdate()
    # The certificate is a document in the project's language (zh-hans), whatever language
    # the issuer's pages are in.
    with translation.override(settings.LANGUAGE_CODE):
        id_type = _("居民身份证")
    with transaction.atomic():
        certificate = Certificate.objects.create(
            serial=f"tmp-{token_urlsafe(8)}",
            verify_code=token_urlsafe(18),
            member=member,
            name=member.name,
            id_type=id_type,
            id_number_masked=mask_id_number(member.id_number),
            volunteer_number=registration.values_list("volunteer_number", flat=True).first() or "",
            lines=lines,
            total_hours=sum((Decimal(line["hours"]) for line in lines), Decimal(0)),
            organisation=member.community.name,
            responsible=responsible,
            handler=str(actor) if member.user_id != actor.pk else responsible,
            contact=(secretary.user.phone or "") if secretary else "",
            issued_on=today,
            issued_by=actor,
            community=member.community,
        )
        # The serial: year, community and a number unique for ever (the row's id).
        certificate.serial = f"ZYZM{today:%Y}{member.community_id:04d}{certificate.pk:06d}"
        certificate.save(update_fields=["serial"])
    return certificate


# --- needs and dispatch (服务需求清单) --------------------------------------------------------

NEED_STAFF = frozenset({Role.GRID_WORKER, Role.SECRETARY})


def _need_notify(need: Need, event: str, user_ids, actor, **context) -> None:
    ids = [i for i in user_ids if i]
    if ids:
        ctx = {"need_id": need.pk, "title": need.title, **context}
        notify(event, audience=audiences.users(*ids), context=ctx, actor=actor)


def need_create(
    *,
    actor,
    area: Area,
    title: str,
    wanted_at: datetime,
    skills=(),
    place: str = "",
    resident=None,
) -> Need:
    """A grid worker or secretary records a need in their area (for a resident or not); a
    resident records one for their own household."""
    if resident is not None and resident.user_id == actor.pk:
        area = resident.household.area
    elif not has_role_over(actor, NEED_STAFF, area=area):
        raise Forbidden(
            _("只有本区域的网格员、书记或居民本人可以登记服务需求。"), code="not_allowed"
        )
    title = clean_text(title, field="title", max_length=60, required=True, label=_("需求"))
    place = clean_text(place, field="place", max_length=100, required=False, label=_("地点"))
    if wanted_at <= timezone.now():
        raise invalid("wanted_at", _("服务时间应晚于现在。"), "wanted_in_past")
    with transaction.atomic():
        need = Need.objects.create(
            area=area,
            resident=resident,
            created_by=actor,
            title=title,
            skills=_clean_skills(skills),
            place=place,
            wanted_at=wanted_at,
        )
        workflow.record(need, "create", from_status="", actor=actor)
    return need


def _check_need_staff(actor, need: Need) -> None:
    if not has_role_over(actor, NEED_STAFF, area=need.area):
        raise Forbidden(_("只有本区域的网格员或书记可以派单。"), code="not_need_staff")


def need_dispatch(*, actor, need: Need, member: Member) -> Need:
    """Offer the need to one volunteer (a member with an approved registration in the need's
    community); they answer by `NEED_ANSWER_HOURS`."""
    _check_need_staff(actor, need)
    workflow.check(need, "dispatch")
    ranked = {row["member"] for row in need_candidates(need=need, limit=10_000)}
    if member.pk not in ranked:
        raise invalid("member", _("请选择本社区的在岗志愿者。"), "not_a_candidate")
    deadline = timezone.now() + timedelta(hours=conf("NEED_ANSWER_HOURS"))
    with transaction.atomic():
        workflow.transition(need, "dispatch", actor=actor, volunteer=member, answer_by=deadline)
        _need_notify(
            need,
            "volunteer.need_offered",
            [member.user_id],
            actor,
            answer_by=timezone.localtime(deadline).strftime("%m-%d %H:%M"),
        )
    return need


def _check_volunteer(actor, need: Need) -> None:
    if need.volunteer is None or need.volunteer.user_id != actor.pk:
        raise Forbidden(_("只有接到派单的志愿者可以执行该操作。"), code="not_the_volunteer")


def need_accept(*, actor, need: Need) -> Need:
    _check_volunteer(actor, need)
    guard = Q(answer_by__gte=timezone.now())  # a lapsed offer cannot be accepted any more
    conflict = lambda: Conflict(_("答复期限已过。"), code="offer_expired")  # noqa: E731
    with transaction.atomic():
        workflow.transition(need, "accept", actor=actor, guard=guard, conflict=conflict)
        _need_notify(
            need,
            "volunteer.need_accepted",
            [need.created_by_id],
            actor,
            volunteer=need.volunteer.name,
        )
    return need


def _return_to_worker(need: Need, move: str, *, actor, note: str) -> Need:
    """Decline or expiry: back to open, the worker told with the next candidate. The history
    note is the member id, so the ranking skips them for this need."""
    member = need.volunteer
    with transaction.atomic():
        workflow.transition(
            need, move, actor=actor, note=str(member.pk), volunteer=None, answer_by=None
        )
        following = need_candidates(need=need, limit=1)
        _need_notify(
            need,
            "volunteer.need_returned",
            [need.created_by_id],
            actor,
            volunteer=member.name,
            reason=note or "—",
            next=following[0]["name"] if following else "—",
        )
    return need


def need_decline(*, actor, need: Need, reason: str = "") -> Need:
    _check_volunteer(actor, need)
    workflow.check(need, "decline")
    reason = clean_text(reason, field="reason", max_length=200, required=False, label=_("原因"))
    return _return_to_worker(need, "decline", actor=actor, note=reason)


def needs_expire_offers(*, now=None) -> int:
    """Offers not answered by their deadline go back to the worker; safe to run twice."""
    now = now or timezone.now()
    expired = 0
    overdue = Need.objects.filter(status=Need.Status.OFFERED, answer_by__lt=now)
    for need in overdue.select_related("volunteer"):
        try:
            _return_to_worker(need, "expire", actor=None, note=_("未在期限内答复"))
        except Conflict:  # answered meanwhile
            continue
        expired += 1
    return expired


def need_complete(*, actor, need: Need, note: str = "") -> Need:
    _check_volunteer(actor, need)
    workflow.check(need, "complete")
    note = clean_text(note, field="note", max_length=500, required=False, label=_("说明"))
    resident_user = need.resident.user_id if need.resident_id else None
    with transaction.atomic():
        workflow.transition(need, "complete", actor=actor, note=note)
        _need_notify(need, "volunteer.need_done", [resident_user or need.created_by_id], actor)
    return need


def need_confirm(*, actor, need: Need, rating, comment: str = "") -> Need:
    """The resident (or, for a need without a resident login, the worker) confirms and rates
    the service 1–5, as with wishes."""
    workflow.check(need, "confirm")
    resident_user = need.resident.user_id if need.resident_id else None
    if resident_user:
        allowed = resident_user == actor.pk
    else:
        allowed = has_role_over(actor, NEED_STAFF, area=need.area)
    if not allowed:
        raise Forbidden(_("只有提出需求的居民可以确认评价。"), code="not_need_owner")
    rating = clean_rating(rating)
    comment = clean_text(comment, field="comment", max_length=500, required=False, label=_("评价"))
    with transaction.atomic():
        workflow.transition(
            need, "confirm", actor=actor, note=comment, rating=rating, rating_comment=comment
        )
        _need_notify(need, "volunteer.need_rated", [need.volunteer.user_id], actor, rating=rating)
    return need

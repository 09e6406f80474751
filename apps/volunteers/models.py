"""志愿服务: "一人一岗" posts and registrations, teams, activities with sign-ups and
waitlists, check-in and confirmed service hours.

The moves of every state machine are a `Workflow` (apps.core.workflow) on its model;
`apps.volunteers.services` is the only writer. Capacities are counters on the row that
owns them (`Post.filled`, `Occurrence.taken`) changed under that row's lock or by a
conditional UPDATE, with a CHECK constraint as the database's last word.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role
from apps.accounts.scoping import ALL_AREA_ROLES, STAFF, Scope
from apps.core.models import TimeStampedModel, TransitionRecord
from apps.core.workflow import Workflow

# Who runs volunteering in a community: approves registrations, enables posts, organises.
ORGANISERS = frozenset({Role.SECRETARY, Role.ADMINISTRATOR})
VOLUNTEER_STAFF = STAFF


class StandardPost(models.Model):
    """One of the ~50 standard post names (reference data, `fixtures/standard_posts.json`,
    loaded by migration 0002). A community enables the ones it runs as `Post`s."""

    name = models.CharField(_("岗位名称"), max_length=40, unique=True)
    category = models.CharField(_("岗位类别"), max_length=20)
    skills = models.JSONField(_("所需技能"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("标准岗位")
        verbose_name_plural = _("标准岗位")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class Post(TimeStampedModel):
    """A community's volunteer post (志愿岗位) with its capacity. `filled` counts the active
    assignments; it only changes by a conditional UPDATE (`filled < capacity`)."""

    community = models.ForeignKey(
        "register.Area", on_delete=models.PROTECT, related_name="posts", verbose_name=_("社区")
    )
    standard = models.ForeignKey(
        StandardPost,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("标准岗位"),
    )
    name = models.CharField(_("岗位名称"), max_length=40)
    category = models.CharField(_("岗位类别"), max_length=20, blank=True)
    description = models.TextField(_("岗位说明"), blank=True)
    schedule = models.CharField(_("服务时间"), max_length=100, blank=True)
    place = models.CharField(_("服务地点"), max_length=100, blank=True)
    capacity = models.PositiveIntegerField(_("岗位人数"), default=10)
    skills = models.JSONField(_("所需技能"), default=list, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    filled = models.PositiveIntegerField(_("在岗人数"), default=0)

    scope = Scope(area="community", view=ALL_AREA_ROLES, change=ORGANISERS)

    class Meta:
        verbose_name = _("志愿岗位")
        verbose_name_plural = _("志愿岗位")
        ordering = ["community", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="post_unique_name"),
            # The database's last word on "never more active assignments than places".
            models.CheckConstraint(condition=Q(filled__lte=F("capacity")), name="post_not_over"),
        ]

    def __str__(self) -> str:
        return self.name


class VolunteerRegistration(TimeStampedModel):
    """社区报到: a member registers with their home community, with skills, available times
    and three choices of post; the secretary approves it with a post (an `Assignment`)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已上岗")
        REJECTED = "rejected", _("未通过")
        ENDED = "ended", _("已结束")

    workflow = Workflow(
        history="volunteers.RegistrationEvent",
        moves={
            "approve": ({Status.PENDING}, Status.APPROVED),
            "reject": ({Status.PENDING}, Status.REJECTED),
            "end": ({Status.APPROVED, Status.PENDING}, Status.ENDED),
        },
    )

    member = models.ForeignKey(
        "register.Member",
        on_delete=models.PROTECT,
        related_name="volunteer_registrations",
        verbose_name=_("党员"),
    )
    community = models.ForeignKey(
        "register.Area",
        on_delete=models.PROTECT,
        related_name="volunteer_registrations",
        verbose_name=_("报到社区"),
    )
    skills = models.JSONField(_("技能特长"), default=list, blank=True)
    available_times = models.CharField(_("可服务时间"), max_length=200, blank=True)
    choice_1 = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="+", verbose_name=_("第一志愿")
    )
    choice_2 = models.ForeignKey(
        Post,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("第二志愿"),
    )
    choice_3 = models.ForeignKey(
        Post,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("第三志愿"),
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    volunteer_number = models.CharField(_("志愿者编号"), max_length=30, blank=True)

    scope = Scope(area="community", own="member__user", view=STAFF, change=ORGANISERS)

    class Meta:
        verbose_name = _("志愿者报到")
        verbose_name_plural = _("志愿者报到")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status__in=["pending", "approved"]),
                name="registration_one_open_per_member",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.community}"

    @property
    def choices(self) -> list[int | None]:
        return [self.choice_1_id, self.choice_2_id, self.choice_3_id]


class Assignment(models.Model):
    """一人一岗: a member on a post. At most one active per member (a partial unique index);
    a change of post ends the old one in the same transaction."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("在岗")
        ENDED = "ended", _("已结束")

    workflow = Workflow(
        history="volunteers.AssignmentEvent",
        moves={"end": ({Status.ACTIVE}, Status.ENDED)},
    )

    registration = models.ForeignKey(
        VolunteerRegistration,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("报到"),
    )
    member = models.ForeignKey(
        "register.Member",
        on_delete=models.PROTECT,
        related_name="volunteer_assignments",
        verbose_name=_("党员"),
    )
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("岗位")
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    started_at = models.DateTimeField(_("上岗时间"), auto_now_add=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    scope = Scope(area="post__community", own="member__user", view=STAFF, change=ORGANISERS)

    class Meta:
        verbose_name = _("岗位分配")
        verbose_name_plural = _("岗位分配")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(status="active"), name="assignment_one_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.post}"


class Team(TimeStampedModel):
    """志愿服务队 by specialty (医疗, 文艺, 教育, 法律援助 …); a member may be in several."""

    community = models.ForeignKey(
        "register.Area", on_delete=models.PROTECT, related_name="teams", verbose_name=_("所属区域")
    )
    name = models.CharField(_("队名"), max_length=60)
    specialty = models.CharField(_("专业方向"), max_length=20)
    leader = models.ForeignKey(
        "register.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_teams",
        verbose_name=_("队长"),
    )
    members = models.ManyToManyField(
        "register.Member", blank=True, related_name="volunteer_teams", verbose_name=_("队员")
    )

    scope = Scope(area="community", view=ALL_AREA_ROLES, change=ORGANISERS)

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Activity(TimeStampedModel):
    """志愿活动 of a post or a team: one dated event or a weekly series ("每周五 14:00–16:00");
    each date is an `Occurrence` with its own capacity and sign-ups."""

    community = models.ForeignKey(
        "register.Area",
        on_delete=models.PROTECT,
        related_name="volunteer_activities",
        verbose_name=_("社区"),
    )
    title = models.CharField(_("活动名称"), max_length=60)
    post = models.ForeignKey(
        Post,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("岗位"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("服务队"),
    )
    place = models.CharField(_("地点"), max_length=100)
    description = models.TextField(_("活动内容"), blank=True)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="organised_activities",
        verbose_name=_("组织者"),
    )
    weekly = models.BooleanField(_("每周重复"), default=False)

    scope = Scope(area="community", view=ALL_AREA_ROLES, change=ORGANISERS)

    class Meta:
        verbose_name = _("志愿活动")
        verbose_name_plural = _("志愿活动")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class Occurrence(models.Model):
    """One date of an activity. `taken` counts signed-up places; it changes only by a
    conditional UPDATE (`taken < capacity`) or under this row's lock (a cancellation)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("已排期")
        CANCELLED = "cancelled", _("已取消")

    workflow = Workflow(
        history="volunteers.OccurrenceEvent",
        moves={"cancel": ({Status.SCHEDULED}, Status.CANCELLED)},
    )

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="occurrences", verbose_name=_("活动")
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveIntegerField(_("名额"))
    taken = models.PositiveIntegerField(_("已报名"), default=0)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.SCHEDULED
    )
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)

    scope = Scope(area="activity__community", view=ALL_AREA_ROLES, change=ORGANISERS)

    class Meta:
        verbose_name = _("活动场次")
        verbose_name_plural = _("活动场次")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(taken__lte=F("capacity")), name="occurrence_not_over"
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="occurrence_ends"),
        ]
        indexes = [models.Index(fields=["starts_at"], name="occurrence_starts")]

    def __str__(self) -> str:
        return f"{self.activity} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def hours(self):
        from decimal import Decimal

        return Decimal((self.ends_at - self.starts_at).total_seconds() / 3600).quantize(
            Decimal("0.01")
        )


class SignUp(models.Model):
    """A member's place on an occurrence, or their place in its waitlist (by `arrival`:
    on PostgreSQL one sequence for all sign-ups, so it orders them but is not consecutive
    per occurrence; `services.waitlist_position` is the place in line)."""

    class Status(models.TextChoices):
        SIGNED_UP = "signed_up", _("已报名")
        WAITLISTED = "waitlisted", _("候补")
        CANCELLED = "cancelled", _("已取消")

    workflow = Workflow(
        history="volunteers.SignUpEvent",
        moves={
            "promote": ({Status.WAITLISTED}, Status.SIGNED_UP),
            "cancel": ({Status.SIGNED_UP, Status.WAITLISTED}, Status.CANCELLED),
        },
    )

    occurrence = models.ForeignKey(
        Occurrence, on_delete=models.CASCADE, related_name="signups", verbose_name=_("场次")
    )
    member = models.ForeignKey(
        "register.Member", on_delete=models.PROTECT, related_name="signups", verbose_name=_("党员")
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices)
    arrival = models.PositiveIntegerField(_("报名序号"))
    # Copied from the occurrence so the overlap check is one indexed query per member.
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)

    scope = Scope(
        area="occurrence__activity__community", own="member__user", view=STAFF, change=ORGANISERS
    )

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["arrival", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["occurrence", "member"],
                condition=Q(status__in=["signed_up", "waitlisted"]),
                name="signup_once_per_occurrence",
            ),
            models.UniqueConstraint(fields=["occurrence", "arrival"], name="signup_arrival"),
        ]
        indexes = [models.Index(fields=["member", "starts_at"], name="signup_member_start")]

    def __str__(self) -> str:
        return f"{self.member} · {self.occurrence}"


class ServiceRecord(TimeStampedModel):
    """服务时长: hours a member served at an occurrence, confirmed (or declined) by the
    organiser; confirmed hours earn the "volunteer_hours" points once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        DECLINED = "declined", _("未确认")

    workflow = Workflow(
        history="volunteers.ServiceRecordEvent",
        moves={
            "confirm": ({Status.PENDING}, Status.CONFIRMED),
            "decline": ({Status.PENDING}, Status.DECLINED),
            # An edit of the hours: a move to the same status, so it has its history row.
            "amend": ({Status.PENDING}, Status.PENDING),
            "amend_confirmed": ({Status.CONFIRMED}, Status.CONFIRMED),
        },
    )

    member = models.ForeignKey(
        "register.Member",
        on_delete=models.PROTECT,
        related_name="service_records",
        verbose_name=_("党员"),
    )
    occurrence = models.ForeignKey(
        Occurrence, on_delete=models.PROTECT, related_name="records", verbose_name=_("场次")
    )
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=5, decimal_places=2)
    served_on = models.DateField(_("服务日期"))
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    scope = Scope(
        area="occurrence__activity__community", own="member__user", view=STAFF, change=ORGANISERS
    )

    class Meta:
        verbose_name = _("服务时长")
        verbose_name_plural = _("服务时长")
        ordering = ["-served_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["member", "occurrence"], name="record_once"),
            models.CheckConstraint(
                condition=Q(hours__gte=0, hours__lte=24), name="record_hours_0_to_24"
            ),
        ]
        indexes = [models.Index(fields=["member", "served_on"], name="record_member_day")]

    def __str__(self) -> str:
        return f"{self.member} {self.hours}h"


class RegistrationEvent(TransitionRecord):
    object_field = "registration"
    registration = models.ForeignKey(
        VolunteerRegistration, on_delete=models.CASCADE, related_name="events"
    )

    class Meta(TransitionRecord.Meta):
        verbose_name = _("报到记录")
        verbose_name_plural = _("报到记录")


class AssignmentEvent(TransitionRecord):
    object_field = "assignment"
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionRecord.Meta):
        verbose_name = _("岗位记录")
        verbose_name_plural = _("岗位记录")


class OccurrenceEvent(TransitionRecord):
    object_field = "occurrence"
    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionRecord.Meta):
        verbose_name = _("场次记录")
        verbose_name_plural = _("场次记录")


class SignUpEvent(TransitionRecord):
    object_field = "signup"
    signup = models.ForeignKey(SignUp, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionRecord.Meta):
        verbose_name = _("报名记录")
        verbose_name_plural = _("报名记录")


class ServiceRecordEvent(TransitionRecord):
    object_field = "record"
    record = models.ForeignKey(ServiceRecord, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionRecord.Meta):
        verbose_name = _("时长记录")
        verbose_name_plural = _("时长记录")


class Certificate(models.Model):
    """志愿服务记录证明 (following 《志愿服务记录与证明出具办法》): a snapshot of a volunteer's
    confirmed service at the time of issue, with a serial number and a verification code
    for the public QR page. Rows are never changed after issue."""

    serial = models.CharField(_("证明编号"), max_length=30, unique=True)
    verify_code = models.CharField(_("验证码"), max_length=40, unique=True)
    member = models.ForeignKey(
        "register.Member",
        on_delete=models.PROTECT,
        related_name="volunteer_certificates",
        verbose_name=_("志愿者"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    id_type = models.CharField(_("证件类型"), max_length=20)
    id_number_masked = models.CharField(_("证件号码"), max_length=30, blank=True)
    volunteer_number = models.CharField(_("志愿者编号"), max_length=30, blank=True)
    lines = models.JSONField(_("服务记录"), default=list)  # [{from, to, content, hours}]
    total_hours = models.DecimalField(_("服务时长合计"), max_digits=8, decimal_places=2)
    organisation = models.CharField(_("出具单位"), max_length=100)
    responsible = models.CharField(_("单位负责人"), max_length=50, blank=True)
    handler = models.CharField(_("经办人"), max_length=50, blank=True)
    contact = models.CharField(_("联系方式"), max_length=50, blank=True)
    issued_on = models.DateField(_("出具日期"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("出具人"),
    )
    community = models.ForeignKey(
        "register.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )

    scope = Scope(area="community", own="member__user", view=ORGANISERS, change=frozenset())

    class Meta:
        verbose_name = _("志愿服务记录证明")
        verbose_name_plural = _("志愿服务记录证明")
        ordering = ["-issued_on", "-pk"]

    def __str__(self) -> str:
        return self.serial


class Need(TimeStampedModel):
    """服务需求: a need recorded by a grid worker or a resident (a weekly visit, legal advice,
    a ride to hospital), dispatched to one volunteer who accepts or declines by a deadline;
    done, it is confirmed and rated 1–5 by the resident (or the worker for them)."""

    class Status(models.TextChoices):
        OPEN = "open", _("待派单")
        OFFERED = "offered", _("待接单")
        ACCEPTED = "accepted", _("服务中")
        DONE = "done", _("待评价")
        CLOSED = "closed", _("已评价")

    # A decline or a missed deadline returns the need to the worker (offered -> open).
    workflow = Workflow(
        history="volunteers.NeedEvent",
        moves={
            "dispatch": ({Status.OPEN}, Status.OFFERED),
            "accept": ({Status.OFFERED}, Status.ACCEPTED),
            "decline": ({Status.OFFERED}, Status.OPEN),
            "expire": ({Status.OFFERED}, Status.OPEN),
            "complete": ({Status.ACCEPTED}, Status.DONE),
            "confirm": ({Status.DONE}, Status.CLOSED),
        },
    )

    area = models.ForeignKey(
        "register.Area", on_delete=models.PROTECT, related_name="needs", verbose_name=_("区域")
    )
    resident = models.ForeignKey(
        "register.Resident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="needs",
        verbose_name=_("居民"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登记人"),
    )
    title = models.CharField(_("需求"), max_length=60)
    skills = models.JSONField(_("所需技能"), default=list, blank=True)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    wanted_at = models.DateTimeField(_("服务时间"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.OPEN)
    volunteer = models.ForeignKey(
        "register.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="needs",
        verbose_name=_("志愿者"),
    )
    answer_by = models.DateTimeField(_("答复期限"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    rating_comment = models.CharField(_("评价"), max_length=500, blank=True)

    scope = Scope(
        area="area",
        own="resident__user",
        view=STAFF,
        change=frozenset({Role.GRID_WORKER, Role.SECRETARY}),
    )

    class Meta:
        verbose_name = _("服务需求")
        verbose_name_plural = _("服务需求")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="need_rating_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return self.title


class NeedEvent(TransitionRecord):
    object_field = "need"
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionRecord.Meta):
        verbose_name = _("需求记录")
        verbose_name_plural = _("需求记录")

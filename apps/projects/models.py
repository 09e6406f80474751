"""书记项目: a Party secretary adopts a hard problem as a project (书记向前冲), branches run
branch projects under it (支部打头阵), members make public pledges (党员作表率); quarterly
review sessions (推进会 / 赛花会) where a jury scores the projects.

The allowed moves are `Project.workflow`, `Pledge.workflow` and `ReviewSession.workflow`
(`apps.core.workflow`); `apps.projects.services` is the only writer. Scoring maths lives in
`apps.projects.scoring` (pure functions, hand-checked in the tests).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role
from apps.accounts.scoping import ALL_AREA_ROLES, Scope
from apps.core.models import TimeStampedModel, TransitionRecord
from apps.core.workflow import Workflow

# Who runs projects, confirms pledges and organises review sessions at their node.
ORGANISERS = frozenset({Role.SECRETARY, Role.ADMINISTRATOR})


class Category(models.TextChoices):
    INDUSTRY = "industry", _("产业发展")
    LIVELIHOOD = "livelihood", _("民生")
    RURAL = "rural", _("乡村振兴")
    GOVERNANCE = "governance", _("社会治理")
    ECOLOGY = "ecology", _("生态环境")
    PARTY_BUILDING = "party_building", _("党建引领")
    OTHER = "other", _("其他")


class Project(TimeStampedModel):
    class Level(models.TextChoices):
        SECRETARY = "secretary", _("书记项目")
        BRANCH = "branch", _("支部项目")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审批")
        APPROVED = "approved", _("已批准")
        IN_PROGRESS = "in_progress", _("推进中")
        COMPLETED = "completed", _("已完成")
        SUSPENDED = "suspended", _("已暂停")
        CANCELLED = "cancelled", _("已取消")

    # Creation is the "create" history row (draft). Completed and cancelled are final.
    workflow = Workflow(
        history="projects.ProjectEvent",
        moves={
            "submit": ({Status.DRAFT}, Status.SUBMITTED),
            "return": ({Status.SUBMITTED}, Status.DRAFT),
            "approve": ({Status.SUBMITTED}, Status.APPROVED),
            "start": ({Status.APPROVED}, Status.IN_PROGRESS),
            "complete": ({Status.IN_PROGRESS}, Status.COMPLETED),
            "suspend": ({Status.APPROVED, Status.IN_PROGRESS}, Status.SUSPENDED),
            "resume": ({Status.SUSPENDED}, Status.IN_PROGRESS),
            "cancel": (
                {Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.IN_PROGRESS}
                | {Status.SUSPENDED},
                Status.CANCELLED,
            ),
        },
    )
    # Shown on the public board (责任田晾晒).
    PUBLIC = (Status.APPROVED, Status.IN_PROGRESS, Status.SUSPENDED, Status.COMPLETED)

    level = models.CharField(_("层级"), max_length=20, choices=Level.choices)
    party_org = models.ForeignKey(
        "register.PartyOrg",
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("责任党组织"),
    )
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("负责书记"),
    )
    area = models.ForeignKey(
        "register.Area",
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("服务区域"),
    )
    # A branch project under a secretary project (支部打头阵 under 书记向前冲).
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级项目"),
    )
    weight = models.PositiveSmallIntegerField(
        _("权重"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    title = models.CharField(_("项目名称"), max_length=80)
    problem = models.TextField(_("解决的问题"), max_length=2000)
    goal = models.TextField(_("项目目标"), max_length=2000)
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    start_on = models.DateField(_("开始日期"))
    due_on = models.DateField(_("完成期限"))
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    # The project's own progress, from its latest report (the board shows the children's
    # weighted mean instead when it has children: `selectors.progress_of`).
    percent = models.PositiveSmallIntegerField(
        _("完成进度（%）"), default=0, validators=[MaxValueValidator(100)]
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="approved_projects",
        verbose_name=_("审批人"),
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    # Everyone with an area role sees the projects of their subtree (they are public anyway);
    # secretaries and administrators over the project's organisation or area change them.
    scope = Scope(
        area="area",
        party_org="party_org",
        own="secretary",
        view=ALL_AREA_ROLES,
        change=ORGANISERS,
    )

    class Meta:
        verbose_name = _("书记项目")
        verbose_name_plural = _("书记项目")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "area"], name="project_status_area")]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("start_on")), name="project_due_after_start"
            ),
            models.CheckConstraint(condition=Q(percent__lte=100), name="project_percent_max"),
        ]

    def __str__(self) -> str:
        return self.title


class ProjectEvent(TransitionRecord):
    object_field = "project"

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="events", verbose_name=_("书记项目")
    )
    from_status = models.CharField(
        _("原状态"), max_length=20, choices=Project.Status.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=20, choices=Project.Status.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("项目记录")
        verbose_name_plural = _("项目记录")
        indexes = [models.Index(fields=["project", "at"], name="projectevent_project_at")]


class Target(models.Model):
    """A measurable target: name, unit, the target value and the value reached so far."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="targets", verbose_name=_("书记项目")
    )
    name = models.CharField(_("指标"), max_length=60)
    unit = models.CharField(_("单位"), max_length=20)
    target = models.DecimalField(_("目标值"), max_digits=12, decimal_places=2)
    current = models.DecimalField(_("当前值"), max_digits=12, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("项目指标")
        verbose_name_plural = _("项目指标")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} {self.current}/{self.target}{self.unit}"


class Milestone(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("书记项目")
    )
    title = models.CharField(_("节点"), max_length=80)
    due_on = models.DateField(_("计划完成日期"))
    done_on = models.DateField(_("实际完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("项目节点")
        verbose_name_plural = _("项目节点")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today) -> bool:
        return self.done_on is None and self.due_on < today


class ProgressReport(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="reports", verbose_name=_("书记项目")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="project_reports",
        verbose_name=_("填报人"),
    )
    text = models.TextField(_("进展情况"), max_length=2000)
    percent = models.PositiveSmallIntegerField(
        _("完成进度（%）"), validators=[MaxValueValidator(100)]
    )
    # {target id: value} as reported, kept with the report (the targets hold the latest).
    target_values = models.JSONField(_("指标值"), default=dict, blank=True)
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["project", "-created_at"], name="report_project_at")]

    def __str__(self) -> str:
        return f"{self.project} · {self.percent}%"


def report_photo_path(instance, filename: str) -> str:
    return f"projects/reports/{instance.report_id}/{filename}"


class ReportPhoto(models.Model):
    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, related_name="photos", verbose_name=_("进展报告")
    )
    image = models.ImageField(_("照片"), upload_to=report_photo_path)

    class Meta:
        verbose_name = _("进展照片")
        verbose_name_plural = _("进展照片")

    def __str__(self) -> str:
        return self.image.name


class Pledge(TimeStampedModel):
    """党员承诺: a member's public pledge, confirmed kept or not kept by their branch secretary."""

    class Status(models.TextChoices):
        OPEN = "open", _("践诺中")
        KEPT = "kept", _("已兑现")
        NOT_KEPT = "not_kept", _("未兑现")

    workflow = Workflow(
        history="projects.PledgeEvent",
        moves={
            "keep": ({Status.OPEN}, Status.KEPT),
            "break": ({Status.OPEN}, Status.NOT_KEPT),
        },
    )

    member = models.ForeignKey(
        "register.Member", on_delete=models.PROTECT, related_name="pledges", verbose_name=_("党员")
    )
    # The member's home community: where the pledge is shown and who may comment on it.
    area = models.ForeignKey(
        "register.Area", on_delete=models.PROTECT, related_name="pledges", verbose_name=_("区域")
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pledges",
        verbose_name=_("所属项目"),
    )
    title = models.CharField(_("承诺事项"), max_length=80)
    content = models.TextField(_("承诺内容"), max_length=1000, blank=True)
    due_on = models.DateField(_("承诺期限"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.OPEN)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="confirmed_pledges",
        verbose_name=_("确认人"),
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    scope = Scope(
        area="area",
        party_org="member__branch",
        own="member__user",
        view=ALL_AREA_ROLES,
        change=ORGANISERS,
    )

    class Meta:
        verbose_name = _("党员承诺")
        verbose_name_plural = _("党员承诺")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class PledgeEvent(TransitionRecord):
    object_field = "pledge"

    pledge = models.ForeignKey(
        Pledge, on_delete=models.CASCADE, related_name="events", verbose_name=_("党员承诺")
    )
    from_status = models.CharField(
        _("原状态"), max_length=20, choices=Pledge.Status.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=20, choices=Pledge.Status.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("承诺记录")
        verbose_name_plural = _("承诺记录")
        indexes = [models.Index(fields=["pledge", "at"], name="pledgeevent_pledge_at")]


class PledgeComment(models.Model):
    """A resident's short confirmation or comment on a kept pledge."""

    pledge = models.ForeignKey(
        Pledge, on_delete=models.CASCADE, related_name="comments", verbose_name=_("党员承诺")
    )
    resident = models.ForeignKey(
        "register.Resident",
        on_delete=models.CASCADE,
        related_name="pledge_comments",
        verbose_name=_("居民"),
    )
    text = models.CharField(_("评价"), max_length=200)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("承诺评价")
        verbose_name_plural = _("承诺评价")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text


class ReviewSession(TimeStampedModel):
    """推进会 / 赛花会: a quarter's review of the projects under a Party organisation."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("推进会")
        CONTEST = "contest", _("赛花会")

    class Status(models.TextChoices):
        DRAFT = "draft", _("筹备中")
        OPEN = "open", _("评分中")
        CLOSED = "closed", _("已结束")

    class Method(models.TextChoices):
        MEAN = "mean", _("平均分")
        TRIMMED = "trimmed", _("去掉最高分和最低分后的平均分")
        NORMALISED = "normalised", _("评委标准化后的平均分")

    workflow = Workflow(
        history="projects.ReviewSessionEvent",
        moves={
            "open": ({Status.DRAFT}, Status.OPEN),
            "close": ({Status.OPEN}, Status.CLOSED),
        },
    )

    title = models.CharField(_("名称"), max_length=80)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.CONTEST)
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(
        _("季度"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    party_org = models.ForeignKey(
        "register.PartyOrg",
        on_delete=models.PROTECT,
        related_name="review_sessions",
        verbose_name=_("党组织"),
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="organised_sessions",
        verbose_name=_("组织者"),
    )
    projects = models.ManyToManyField(
        Project, related_name="review_sessions", verbose_name=_("参评项目")
    )
    deadline = models.DateTimeField(_("评分截止时间"))
    method = models.CharField(
        _("汇总方法"), max_length=20, choices=Method.choices, default=Method.MEAN
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    # Organisers over the node; each juror sees the sessions they sit on.
    scope = Scope(
        area="party_org__area",
        party_org="party_org",
        own="jurors__user",
        view=ORGANISERS,
        change=ORGANISERS,
    )

    class Meta:
        verbose_name = _("项目评审会")
        verbose_name_plural = _("项目评审会")
        ordering = ["-year", "-quarter", "-pk"]

    def __str__(self) -> str:
        return self.title


class ReviewSessionEvent(TransitionRecord):
    object_field = "session"

    session = models.ForeignKey(
        ReviewSession, on_delete=models.CASCADE, related_name="events", verbose_name=_("评审会")
    )
    from_status = models.CharField(
        _("原状态"), max_length=20, choices=ReviewSession.Status.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=20, choices=ReviewSession.Status.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("评审会记录")
        verbose_name_plural = _("评审会记录")
        indexes = [models.Index(fields=["session", "at"], name="sessionevent_session_at")]


class Criterion(models.Model):
    session = models.ForeignKey(
        ReviewSession, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("评审会")
    )
    name = models.CharField(_("评分项"), max_length=40)
    weight = models.PositiveSmallIntegerField(
        _("权重"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("评分项")
        verbose_name_plural = _("评分项")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "name"], name="criterion_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.weight}）"


class Juror(models.Model):
    """A seat on one session's jury: the juror role held for that session."""

    class Kind(models.TextChoices):
        VETERAN = "veteran", _("老党员代表")
        RESIDENT = "resident", _("居民代表")
        DEPARTMENT = "department", _("部门负责人")

    session = models.ForeignKey(
        ReviewSession, on_delete=models.CASCADE, related_name="jurors", verbose_name=_("评审会")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="juror_seats",
        verbose_name=_("评委"),
    )
    kind = models.CharField(_("评委类别"), max_length=20, choices=Kind.choices)
    # Set on close: the mean distance of this juror's totals from the other jurors' mean,
    # and whether it exceeds PROJECT_JUROR_DIVERGENCE (shown to the organiser).
    divergence = models.DecimalField(
        _("偏离度"), max_digits=8, decimal_places=3, null=True, blank=True
    )
    divergent = models.BooleanField(_("评分偏离"), default=False)

    class Meta:
        verbose_name = _("评委")
        verbose_name_plural = _("评委")
        ordering = ["kind", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="juror_once_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()}"


class Conflict(models.Model):
    """A conflict of interest a juror declared: they do not score that project."""

    juror = models.ForeignKey(
        Juror, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("评委")
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="+", verbose_name=_("书记项目")
    )
    reason = models.CharField(_("回避理由"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("声明时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("回避声明")
        verbose_name_plural = _("回避声明")
        constraints = [models.UniqueConstraint(fields=["juror", "project"], name="conflict_once")]

    def __str__(self) -> str:
        return f"{self.juror} ↛ {self.project}"


class Score(models.Model):
    juror = models.ForeignKey(
        Juror, on_delete=models.CASCADE, related_name="scores", verbose_name=_("评委")
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="scores", verbose_name=_("书记项目")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="scores", verbose_name=_("评分项")
    )
    value = models.PositiveSmallIntegerField(_("分数"), validators=[MaxValueValidator(100)])
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        constraints = [
            models.UniqueConstraint(
                fields=["juror", "project", "criterion"], name="score_once_per_criterion"
            ),
            models.CheckConstraint(condition=Q(value__lte=100), name="score_0_to_100"),
        ]

    def __str__(self) -> str:
        return f"{self.juror} · {self.project} · {self.criterion}: {self.value}"


class ScoreChange(models.Model):
    """Every score given or changed, with the value before (null for the first)."""

    juror = models.ForeignKey(
        Juror, on_delete=models.CASCADE, related_name="score_changes", verbose_name=_("评委")
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="+", verbose_name=_("书记项目")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="+", verbose_name=_("评分项")
    )
    old_value = models.PositiveSmallIntegerField(_("原分数"), null=True, blank=True)
    new_value = models.PositiveSmallIntegerField(_("新分数"))
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评分记录")
        verbose_name_plural = _("评分记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.old_value} → {self.new_value}"


class Result(models.Model):
    """One project's place in a closed session's ranking, computed once on close."""

    session = models.ForeignKey(
        ReviewSession, on_delete=models.CASCADE, related_name="results", verbose_name=_("评审会")
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="results", verbose_name=_("书记项目")
    )
    rank = models.PositiveSmallIntegerField(_("名次"))
    aggregate = models.DecimalField(_("得分"), max_digits=8, decimal_places=3)
    mean_total = models.DecimalField(_("平均总分"), max_digits=8, decimal_places=3)
    jurors = models.PositiveSmallIntegerField(_("有效评委数"))

    class Meta:
        verbose_name = _("评审结果")
        verbose_name_plural = _("评审结果")
        ordering = ["rank", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "project"], name="result_once")]

    def __str__(self) -> str:
        return f"{self.rank}. {self.project}"


# --- 双向约谈 / 点题: joint requests ---------------------------------------------------------


class WorkingGroup(models.Model):
    """A community's working group (工作组): who reviews, accepts, assigns and declines its
    joint requests. The secretaries over the community belong to it implicitly; `members`
    are the people a secretary names. Also where a community's own settings for joint
    requests live (empty: the `JOINT_*` defaults)."""

    community = models.OneToOneField(
        "register.Area",
        on_delete=models.CASCADE,
        related_name="joint_working_group",
        verbose_name=_("社区"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="WorkingGroupMember",
        through_fields=("group", "user"),
        related_name="joint_working_groups",
        blank=True,
        verbose_name=_("成员"),
    )
    threshold = models.PositiveSmallIntegerField(
        _("联名人数门槛"), null=True, blank=True, validators=[MinValueValidator(2)]
    )
    one_per_household = models.BooleanField(_("每户限签一人"), null=True, blank=True)
    signing_days = models.PositiveSmallIntegerField(
        _("征集期（天）"), null=True, blank=True, validators=[MinValueValidator(1)]
    )

    scope = Scope(area="community", view=ALL_AREA_ROLES, change=ORGANISERS)

    class Meta:
        verbose_name = _("点题工作组")
        verbose_name_plural = _("点题工作组")

    def __str__(self) -> str:
        return f"{self.community} · {_('工作组')}"


class WorkingGroupMember(models.Model):
    group = models.ForeignKey(
        WorkingGroup, on_delete=models.CASCADE, related_name="seats", verbose_name=_("工作组")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="joint_group_seats",
        verbose_name=_("成员"),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("指定人"),
    )
    created_at = models.DateTimeField(_("指定时间"), auto_now_add=True)

    scope = Scope(area="group__community", view=ALL_AREA_ROLES, change=frozenset({Role.SECRETARY}))

    class Meta:
        verbose_name = _("工作组成员")
        verbose_name_plural = _("工作组成员")
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="working_group_member_once")
        ]

    def __str__(self) -> str:
        return str(self.user)


class JointRequest(TimeStampedModel):
    """双向约谈 / 点题: residents co-sign a request to meet the officials responsible.

    Collecting until `threshold` active signatures; the signature that reaches it moves the
    request to review in its own transaction (see `services.joint_sign`). Signing goes on
    while under review (support keeps counting); the move happens once."""

    class Level(models.TextChoices):
        COMMUNITY = "community", _("社区")
        STREET = "street", _("街道")
        DEPARTMENT = "department", _("部门")

    class Status(models.TextChoices):
        COLLECTING = "collecting", _("征集联名")
        UNDER_REVIEW = "under_review", _("待受理")
        ACCEPTED = "accepted", _("已受理")
        REPLIED = "replied", _("已答复")
        CLOSED = "closed", _("已办结")
        DECLINED = "declined", _("不予受理")
        EXPIRED = "expired", _("已过期")

    # Creation is the "open" history row (collecting). Closed, declined, expired are final.
    workflow = Workflow(
        history="projects.JointRequestEvent",
        moves={
            "reach": ({Status.COLLECTING}, Status.UNDER_REVIEW),
            "expire": ({Status.COLLECTING}, Status.EXPIRED),
            "accept": ({Status.UNDER_REVIEW}, Status.ACCEPTED),
            "decline": ({Status.UNDER_REVIEW}, Status.DECLINED),
            "reply": ({Status.ACCEPTED}, Status.REPLIED),
            "reopen": ({Status.REPLIED}, Status.ACCEPTED),
            "close": ({Status.REPLIED}, Status.CLOSED),
        },
    )
    SIGNING = (Status.COLLECTING, Status.UNDER_REVIEW)
    OPEN = (Status.COLLECTING, Status.UNDER_REVIEW, Status.ACCEPTED, Status.REPLIED)
    ADOPTABLE = (Status.ACCEPTED, Status.REPLIED, Status.CLOSED)

    community = models.ForeignKey(
        "register.Area",
        on_delete=models.PROTECT,
        related_name="joint_requests",
        verbose_name=_("社区"),
    )
    opener = models.ForeignKey(
        "register.Resident",
        on_delete=models.PROTECT,
        related_name="opened_joint_requests",
        verbose_name=_("发起居民"),
    )
    # Set when staff entered the request for the resident (the workstation channel).
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="entered_joint_requests",
        verbose_name=_("代录人"),
    )
    topic = models.CharField(_("点题事项"), max_length=80)
    description = models.TextField(_("具体情况"), max_length=2000, blank=True)
    level = models.CharField(_("约谈层级"), max_length=20, choices=Level.choices)
    department = models.CharField(_("约谈部门"), max_length=60, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.COLLECTING
    )
    threshold = models.PositiveSmallIntegerField(_("联名人数门槛"))
    one_per_household = models.BooleanField(_("每户限签一人"))
    # Active signatures, counted with each insert or withdrawal in the same transaction by a
    # conditional UPDATE of this row (`services.joint_sign`, `services.joint_unsign`).
    signature_count = models.PositiveIntegerField(_("联名人数"), default=0)
    signing_until = models.DateTimeField(_("征集截止"))
    reached_at = models.DateTimeField(_("达到门槛时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decided_joint_requests",
        verbose_name=_("受理人"),
    )
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    decline_reason = models.CharField(_("不予受理原因"), max_length=300, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_joint_requests",
        verbose_name=_("责任人"),
    )
    reply_due = models.DateField(_("答复期限"), null=True, blank=True)
    reply_text = models.TextField(_("答复内容"), max_length=2000, blank=True)
    meeting_at = models.DateTimeField(_("约谈时间"), null=True, blank=True)
    meeting_place = models.CharField(_("约谈地点"), max_length=100, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    first_replied_at = models.DateTimeField(_("首次答复时间"), null=True, blank=True)
    # Each reopening starts a new round of reply and ratings.
    round = models.PositiveSmallIntegerField(_("答复轮次"), default=1)
    low_rating_round = models.PositiveSmallIntegerField(_("低分告知轮次"), default=0)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # Adopted as a secretary project (书记项目); the project's page links back.
    project = models.OneToOneField(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="joint_request",
        verbose_name=_("转为书记项目"),
    )

    # Requests are public on the board (masked names). Staff and members see those of their
    # subtree, signers their own; residents of the community reach the others through
    # `selectors.joint_requests_visible_to`. Names unmasked for staff only.
    scope = Scope(
        area="community",
        own="signatures__resident__user",
        view=ALL_AREA_ROLES,
        change=frozenset({Role.SECRETARY}),
    )

    class Meta:
        verbose_name = _("联名点题")
        verbose_name_plural = _("联名点题")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["community", "status"], name="joint_community_status"),
            models.Index(fields=["status", "signing_until"], name="joint_status_until"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(signature_count__gte=0), name="joint_count_not_negative"
            ),
            models.CheckConstraint(condition=Q(threshold__gte=2), name="joint_threshold_min"),
        ]

    def __str__(self) -> str:
        return self.topic


class JointRequestEvent(TransitionRecord):
    object_field = "request"

    request = models.ForeignKey(
        JointRequest, on_delete=models.CASCADE, related_name="events", verbose_name=_("联名点题")
    )
    from_status = models.CharField(
        _("原状态"), max_length=20, choices=JointRequest.Status.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=20, choices=JointRequest.Status.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("点题记录")
        verbose_name_plural = _("点题记录")
        indexes = [models.Index(fields=["request", "at"], name="jointevent_request_at")]


def joint_photo_path(instance, filename: str) -> str:
    return f"joint/{instance.request_id}/{filename}"


class JointRequestPhoto(models.Model):
    request = models.ForeignKey(
        JointRequest, on_delete=models.CASCADE, related_name="photos", verbose_name=_("联名点题")
    )
    image = models.ImageField(_("照片"), upload_to=joint_photo_path)

    class Meta:
        verbose_name = _("点题照片")
        verbose_name_plural = _("点题照片")

    def __str__(self) -> str:
        return self.image.name


class Signature(models.Model):
    """One resident's co-signature (联名). One active signature per resident, and per
    household when the request says so: partial unique indexes, the database's last word
    under concurrent signers. A withdrawn signature stays as the audit trail."""

    request = models.ForeignKey(
        JointRequest,
        on_delete=models.CASCADE,
        related_name="signatures",
        verbose_name=_("联名点题"),
    )
    resident = models.ForeignKey(
        "register.Resident",
        on_delete=models.PROTECT,
        related_name="joint_signatures",
        verbose_name=_("居民"),
    )
    household = models.ForeignKey(
        "register.Household",
        on_delete=models.PROTECT,
        related_name="joint_signatures",
        verbose_name=_("户"),
    )
    # Copied from the request so that the household index can be conditional on it.
    one_per_household = models.BooleanField(_("每户限签一人"))
    # Who entered it for the resident (paper signatures at the workstation); empty if the
    # resident signed with their own login.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="entered_joint_signatures",
        verbose_name=_("代录人"),
    )
    signed_at = models.DateTimeField(_("签名时间"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    scope = Scope(
        area="request__community",
        own="resident__user",
        view=frozenset({Role.GRID_WORKER, Role.SECRETARY, Role.ADMINISTRATOR}),
    )

    class Meta:
        verbose_name = _("联名签名")
        verbose_name_plural = _("联名签名")
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "resident"],
                condition=Q(withdrawn_at__isnull=True),
                name="signature_one_per_resident",
            ),
            models.UniqueConstraint(
                fields=["request", "household"],
                condition=Q(withdrawn_at__isnull=True, one_per_household=True),
                name="signature_one_per_household",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} · {self.resident_id}"


class Rating(models.Model):
    """A signer's rating (1–5) of the reply of one round."""

    request = models.ForeignKey(
        JointRequest, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("联名点题")
    )
    resident = models.ForeignKey(
        "register.Resident",
        on_delete=models.PROTECT,
        related_name="joint_ratings",
        verbose_name=_("居民"),
    )
    round = models.PositiveSmallIntegerField(_("答复轮次"))
    stars = models.PositiveSmallIntegerField(
        _("评分"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.CharField(_("评价"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("代录人"),
    )
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("答复评价")
        verbose_name_plural = _("答复评价")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "resident", "round"], name="rating_once_per_round"
            ),
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} · {self.stars}"

"""Geography (Area tree) and people: households, residents, party organisations, members,
organisations. Trees are django-treebeard materialised paths, so a subtree is one
`path LIKE 'prefix%'` condition (see apps.accounts.scoping)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from apps.accounts.models import Role
from apps.accounts.scoping import ALL_AREA_ROLES, STAFF, Scope
from apps.core.models import TimeStampedModel
from apps.core.validators import validate_id_number, validate_phone

ADMINS = frozenset({Role.SECRETARY, Role.ADMINISTRATOR})
HOUSEHOLD_VIEWERS = STAFF | {Role.GROUP_LEADER}


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Area(MP_Node):
    class Kind(models.TextChoices):
        DISTRICT = "district", _("区")
        STREET = "street", _("街道")
        COMMUNITY = "community", _("社区")
        GRID = "grid", _("网格")
        BUILDING = "building", _("楼幢")

    # The kind each level must have, top down; a child is always one level below its parent.
    KIND_ORDER = [Kind.DISTRICT, Kind.STREET, Kind.COMMUNITY, Kind.GRID, Kind.BUILDING]

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    code = models.CharField(_("编码"), max_length=50, blank=True)

    scope = Scope(area="", view=ALL_AREA_ROLES, change=frozenset({Role.ADMINISTRATOR}))

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        indexes = [
            models.Index(fields=["path"], name="area_path_like", opclasses=["varchar_pattern_ops"])
        ]

    def __str__(self) -> str:
        return self.name


class Household(TimeStampedModel):
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="households", verbose_name=_("楼幢")
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    unit = models.CharField(_("单元"), max_length=20, blank=True)
    room = models.CharField(_("室"), max_length=20)

    scope = Scope(area="area", own="residents__user", view=HOUSEHOLD_VIEWERS, change=STAFF)

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        constraints = [
            models.UniqueConstraint(fields=["area", "unit", "room"], name="household_unique_room")
        ]

    def __str__(self) -> str:
        unit = f"{self.unit}单元" if self.unit else ""
        return f"{self.area.name}{unit}{self.room}室"


class Person(TimeStampedModel):
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=10, choices=Gender.choices, blank=True)
    phone = models.CharField(_("手机号"), max_length=11, blank=True, validators=[validate_phone])
    id_number = models.CharField(
        _("身份证号"), max_length=18, blank=True, validators=[validate_id_number]
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class Resident(Person):
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="residents", verbose_name=_("户")
    )
    user = models.OneToOneField(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resident",
        verbose_name=_("登录账号"),
    )
    # Hardship flags (困难群众); any one makes the resident vulnerable.
    low_income = models.BooleanField(_("低收入"), default=False)
    lives_alone = models.BooleanField(_("独居"), default=False)
    disabled = models.BooleanField(_("残疾"), default=False)
    seriously_ill = models.BooleanField(_("大病"), default=False)
    elderly = models.BooleanField(_("高龄"), default=False)
    hardship_note = models.TextField(_("困难情况说明"), blank=True)
    vulnerable = models.GeneratedField(
        expression=models.Case(
            models.When(
                Q(low_income=True)
                | Q(lives_alone=True)
                | Q(disabled=True)
                | Q(seriously_ill=True)
                | Q(elderly=True),
                then=models.Value(True),
            ),
            default=models.Value(False),
        ),
        output_field=models.BooleanField(),
        db_persist=True,
        verbose_name=_("困难群众"),
    )

    HARDSHIP_FLAGS = ("low_income", "lives_alone", "disabled", "seriously_ill", "elderly")

    scope = Scope(area="household__area", own="user", view=HOUSEHOLD_VIEWERS, change=STAFF)

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"], condition=~Q(id_number=""), name="resident_unique_id_number"
            )
        ]


class PartyOrg(MP_Node):
    class Kind(models.TextChoices):
        WORKING_COMMITTEE = "working_committee", _("党工委")
        COMMITTEE = "committee", _("党委")
        GENERAL_BRANCH = "general_branch", _("党总支")
        BRANCH = "branch", _("党支部")
        GROUP = "group", _("党小组")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    area = models.ForeignKey(
        Area,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="party_orgs",
        verbose_name=_("所在区域"),
    )

    scope = Scope(area="area", party_org="", view=ALL_AREA_ROLES, change=ADMINS)

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        indexes = [
            models.Index(
                fields=["path"], name="partyorg_path_like", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return self.name


class Member(Person):
    class Kind(models.TextChoices):
        EMPLOYED = "employed", _("在职")
        RETIRED = "retired", _("离退休")
        MOBILE = "mobile", _("流动")
        ACTIVIST = "activist", _("入党积极分子")

    user = models.OneToOneField(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        verbose_name=_("登录账号"),
    )
    branch = models.ForeignKey(
        PartyOrg, on_delete=models.PROTECT, related_name="members", verbose_name=_("所在支部")
    )
    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="members", verbose_name=_("报到社区")
    )
    residence = models.ForeignKey(
        Area,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resident_members",
        verbose_name=_("居住网格/楼幢"),
    )
    kind = models.CharField(_("党员类型"), max_length=20, choices=Kind.choices)
    joined_on = models.DateField(_("入党日期"), null=True, blank=True)

    # In scope where they report in (community) and where they live (grid/building): a grid
    # worker sees the members living in the grid, e.g. to pair them as helpers.
    scope = Scope(
        area=("community", "residence"),
        party_org="branch",
        own="user",
        view=HOUSEHOLD_VIEWERS,
        change=ADMINS,
    )

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        constraints = [
            models.UniqueConstraint(
                fields=["phone"], condition=~Q(phone=""), name="member_unique_phone"
            ),
            models.UniqueConstraint(
                fields=["id_number"], condition=~Q(id_number=""), name="member_unique_id_number"
            ),
        ]


class Organisation(TimeStampedModel):
    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        SOCIAL = "social", _("社会组织")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("所在区域")
    )
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(
        _("联系电话"), max_length=11, blank=True, validators=[validate_phone]
    )
    representatives = models.ManyToManyField(
        "accounts.User", blank=True, related_name="organisations", verbose_name=_("代表")
    )
    wish_notifications = models.BooleanField(_("接收微心愿推送"), default=False)

    scope = Scope(area="area", view=ALL_AREA_ROLES, change=ADMINS)

    class Meta:
        verbose_name = _("两新组织")
        verbose_name_plural = _("两新组织")
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"], condition=~Q(credit_code=""), name="org_unique_credit_code"
            )
        ]

    def __str__(self) -> str:
        return self.name


# Responsibility groups, visits, problems, pairings, points
# ---------------------------------------------------------------------------------------
# Written by the grids engineer (issue 5). Services in apps/grids/services.py are the only
# place that writes these rows; selectors/reports read them through `scoped()`.

GROUP_CHANGERS = STAFF
LEADER_AND_STAFF = STAFF | {Role.GROUP_LEADER}


class ResponsibilityGroup(TimeStampedModel):
    """党员责任组: a leader and 2–4 other members (3–5 in total) covering households of one grid."""

    MIN_SIZE, MAX_SIZE = 3, 5

    name = models.CharField(_("名称"), max_length=100)
    grid = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="responsibility_groups", verbose_name=_("网格")
    )
    leader = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="led_groups", verbose_name=_("组长")
    )
    members = models.ManyToManyField(
        Member,
        through="GroupMembership",
        related_name="responsibility_groups",
        verbose_name=_("组员"),
    )

    scope = Scope(area="grid", own="leader__user", view=LEADER_AND_STAFF, change=GROUP_CHANGERS)

    class Meta:
        verbose_name = _("党员责任组")
        verbose_name_plural = _("党员责任组")

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    """A member of a group; the leader has a row too, so the group's size is one count."""

    group = models.ForeignKey(
        ResponsibilityGroup, on_delete=models.CASCADE, related_name="memberships"
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="group_memberships")

    class Meta:
        verbose_name = _("责任组成员")
        verbose_name_plural = _("责任组成员")
        constraints = [
            models.UniqueConstraint(fields=["group", "member"], name="group_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.group_id}:{self.member_id}"


class GroupHousehold(models.Model):
    """A household covered by a group ("包片"). One row per household: the database keeps a
    household in at most one group."""

    group = models.ForeignKey(
        ResponsibilityGroup, on_delete=models.CASCADE, related_name="coverage"
    )
    household = models.OneToOneField(
        Household, on_delete=models.CASCADE, related_name="group_coverage", verbose_name=_("户")
    )

    class Meta:
        verbose_name = _("包片户")
        verbose_name_plural = _("包片户")

    def __str__(self) -> str:
        return f"{self.group_id}:{self.household_id}"


class Pairing(TimeStampedModel):
    """结对: one helper (服务员) for one vulnerable resident. At most one active pairing per
    resident is a database constraint; the helper's limit is checked under a row lock."""

    helper = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="pairings", verbose_name=_("服务员")
    )
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="pairings", verbose_name=_("结对对象")
    )
    active = models.BooleanField(_("有效"), default=True)
    started_on = models.DateField(_("结对日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    scope = Scope(
        area="resident__household__area", own="helper__user", view=LEADER_AND_STAFF, change=STAFF
    )

    class Meta:
        verbose_name = _("结对")
        verbose_name_plural = _("结对")
        constraints = [
            models.UniqueConstraint(
                fields=["resident"], condition=Q(active=True), name="pairing_one_active_helper"
            )
        ]
        indexes = [
            models.Index(fields=["helper"], condition=Q(active=True), name="pairing_active_helper")
        ]

    def __str__(self) -> str:
        return f"{self.helper} → {self.resident}"


class Visit(TimeStampedModel):
    """走访: a member's or a group's visit to a household. The five clears (五清) are recorded
    when the visit is to a paired resident (`pairing`)."""

    FIVE_CLEARS = (
        "situation_clear",
        "thinking_clear",
        "hardship_clear",
        "measures_clear",
        "done_clear",
    )

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="visits", verbose_name=_("户")
    )
    # The household's building, copied when the visit is logged (households do not move):
    # the report groups ~170k visits a year by `area__path` without joining households.
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="visits", verbose_name=_("楼幢")
    )
    member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("走访党员"),
    )
    group = models.ForeignKey(
        ResponsibilityGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("责任组"),
    )
    pairing = models.ForeignKey(
        Pairing,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("结对"),
    )
    visited_at = models.DateTimeField(_("走访时间"))
    notes = models.TextField(_("走访记录"), blank=True)
    situation_clear = models.BooleanField(_("情况清"), default=False)
    thinking_clear = models.BooleanField(_("思想清"), default=False)
    hardship_clear = models.BooleanField(_("困难清"), default=False)
    measures_clear = models.BooleanField(_("措施清"), default=False)
    done_clear = models.BooleanField(_("落实清"), default=False)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope = Scope(area="area", own="member__user", view=LEADER_AND_STAFF, change=STAFF)

    class Meta:
        verbose_name = _("走访")
        verbose_name_plural = _("走访")
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False) | Q(group__isnull=False), name="visit_has_visitor"
            )
        ]
        indexes = [
            models.Index(fields=["visited_at"], name="visit_visited_at"),
            models.Index(fields=["pairing", "visited_at"], name="visit_pairing_at"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} @ {self.visited_at:%Y-%m-%d}"


class Problem(TimeStampedModel):
    """问题: found on a visit or reported, handled at the lowest level that can
    ("小事不出楼幢、大事不出区块、要事妥善提交"), escalated one level at a time."""

    class Level(models.IntegerChoices):
        BUILDING = 1, _("楼幢")
        GRID = 2, _("网格")
        COMMUNITY = 3, _("社区")
        STREET = 4, _("街道")

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        IN_PROGRESS = "in_progress", _("处理中")
        ESCALATED = "escalated", _("已上报")  # open at the next level, after an escalation
        RESOLVED = "resolved", _("已解决")

    class Category(models.TextChoices):
        ENVIRONMENT = "environment", _("环境卫生")
        FACILITY = "facility", _("设施维修")
        DISPUTE = "dispute", _("邻里纠纷")
        SAFETY = "safety", _("安全隐患")
        LIVELIHOOD = "livelihood", _("民生救助")
        OTHER = "other", _("其他")

    # The one table of allowed moves (escalation also moves `level` up by one).
    TRANSITIONS = {
        Status.OPEN: {Status.IN_PROGRESS, Status.RESOLVED, Status.ESCALATED},
        Status.IN_PROGRESS: {Status.RESOLVED, Status.ESCALATED},
        Status.ESCALATED: {Status.IN_PROGRESS, Status.RESOLVED, Status.ESCALATED},
        Status.RESOLVED: set(),
    }
    # Days to resolve at each level before the problem is overdue (settings may override).
    DUE_DAYS = {Level.BUILDING: 3, Level.GRID: 7, Level.COMMUNITY: 15, Level.STREET: 30}
    # Who handles (and is notified at) each level; a higher role may act at a lower level.
    LEVEL_ROLES = {
        Level.BUILDING: frozenset({Role.GROUP_LEADER}) | STAFF,
        Level.GRID: STAFF,
        Level.COMMUNITY: frozenset({Role.SECRETARY, Role.ADMINISTRATOR}),
        Level.STREET: frozenset({Role.ADMINISTRATOR}),
    }
    NOTIFY_ROLES = {
        Level.BUILDING: (Role.GROUP_LEADER,),
        Level.GRID: (Role.GRID_WORKER,),
        Level.COMMUNITY: (Role.SECRETARY,),
        Level.STREET: (Role.ADMINISTRATOR,),
    }
    GRASSROOTS = (Level.BUILDING, Level.GRID)

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="problems", verbose_name=_("楼幢")
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problems",
        verbose_name=_("户"),
    )
    visit = models.ForeignKey(
        Visit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problems",
        verbose_name=_("发现于走访"),
    )
    reporter = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_problems",
        verbose_name=_("报告人"),
    )
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("描述"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.OPEN)
    found_level = models.PositiveSmallIntegerField(
        _("发现层级"), choices=Level.choices, default=Level.BUILDING
    )
    level = models.PositiveSmallIntegerField(
        _("处理层级"), choices=Level.choices, default=Level.BUILDING
    )
    resolved_level = models.PositiveSmallIntegerField(
        _("解决层级"), choices=Level.choices, null=True, blank=True
    )
    resolution = models.TextField(_("处理结果"), blank=True)
    due_at = models.DateTimeField(_("办理期限"))
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    reminded_level = models.PositiveSmallIntegerField(_("已催办层级"), null=True, blank=True)

    scope = Scope(area="area", own="reporter", view=LEADER_AND_STAFF, change=LEADER_AND_STAFF)

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题")
        indexes = [
            models.Index(fields=["created_at"], name="problem_created_at"),
            models.Index(
                fields=["due_at"], condition=~Q(status="resolved"), name="problem_open_due"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return self.status != self.Status.RESOLVED and self.due_at < timezone.now()


class ProblemEvent(models.Model):
    """History: one row per transition of a problem."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=Problem.Status.choices)
    to_status = models.CharField(max_length=20, choices=Problem.Status.choices)
    from_level = models.PositiveSmallIntegerField(choices=Problem.Level.choices)
    to_level = models.PositiveSmallIntegerField(choices=Problem.Level.choices)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("问题处理记录")
        verbose_name_plural = _("问题处理记录")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status}→{self.to_status}"


class PointsRule(models.Model):
    """A rule of the star points (党员星级积分): code → points, editable in the admin."""

    # The rules every installation starts with (seeded by migration 0003; recreated on first
    # use if missing, e.g. after a test flush). Amounts are then edited in the admin.
    DEFAULTS = {
        "visit_logged": (_("走访入户"), 2),
        "problem_resolved": (_("解决问题"), 5),
        "wish_fulfilled": (_("完成微心愿并获评价"), 5),
        "volunteer_hours": (_("志愿服务时长确认"), 3),
        "pledge_kept": (_("兑现党员承诺"), 10),
    }

    code = models.SlugField(_("规则代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    points = models.IntegerField(_("积分"))
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")

    def __str__(self) -> str:
        return f"{self.name} ({self.points})"


class PointsEntry(models.Model):
    """One line of a member's points ledger; at most one per (member, rule, source)."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="points_entries", verbose_name=_("党员")
    )
    rule = models.ForeignKey(
        PointsRule, on_delete=models.PROTECT, related_name="entries", verbose_name=_("规则")
    )
    points = models.IntegerField(_("积分"))
    source_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    scope = Scope(
        area="member__community", own="member__user", view=LEADER_AND_STAFF, change=frozenset()
    )

    class Meta:
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分记录")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "rule", "source_type", "source_id"], name="points_once_per_source"
            )
        ]
        indexes = [models.Index(fields=["member", "created_at"], name="points_member_at")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.points:+d}"

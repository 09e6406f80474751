"""Field work: responsibility groups, visits, problems and pairings. Services in
apps/grids/services.py are the only place that writes these rows; selectors/reports read them
through `scoped()`."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role
from apps.accounts.scoping import STAFF, Scope
from apps.core.models import TimeStampedModel, TransitionRecord
from apps.core.rollups import DayCounters, counters
from apps.core.workflow import Workflow
from apps.register.models import Area, Household, Member, Resident

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

    scope = Scope(
        area="grid", own="leader__user", group="", view=LEADER_AND_STAFF, change=GROUP_CHANGERS
    )

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
    # The latest visit made under this pairing (kept by grids.rollups.visit_logged): "pairings
    # visited this month" is `last_visited_at >= the month's start`, rolled up by PairingMonth.
    last_visited_at = models.DateTimeField(_("最近走访"), null=True, blank=True, editable=False)
    # The building of the resident's household, kept by database triggers (pairing_area_sql):
    # the pairing is scoped and listed by its own indexed column, not through three joins.
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, editable=False, related_name="+"
    )

    scope = Scope(
        area="area",
        own="helper__user",
        group="resident__household__group_coverage__group",
        view=LEADER_AND_STAFF,
        change=STAFF,
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

    def save(self, *args, **kwargs):
        if self._state.adding and self.area_id is None and self.resident_id:
            # (the database's trigger sets it too; this is for the object in hand)
            self.area_id = (
                Resident.objects.filter(pk=self.resident_id)
                .values_list("household__area_id", flat=True)
                .first()
            )
        super().save(*args, **kwargs)


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

    # A group leader sees the visits to their group's households (and their own visits).
    scope = Scope(
        area="area",
        own="member__user",
        group="household__group_coverage__group",
        view=LEADER_AND_STAFF,
        change=STAFF,
    )

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

    # The one table of allowed moves: name -> (from-statuses, to-status). Escalation also
    # moves `level` up by one, guarded by the level it started from (escalated -> escalated
    # is allowed, so the status alone cannot tell two escalations apart). Creation is the
    # "report" history row; resolved is final.
    workflow = Workflow(
        history="grids.ProblemEvent",
        moves={
            "start": ({Status.OPEN, Status.ESCALATED}, Status.IN_PROGRESS),
            "escalate": ({Status.OPEN, Status.IN_PROGRESS, Status.ESCALATED}, Status.ESCALATED),
            "resolve": ({Status.OPEN, Status.IN_PROGRESS, Status.ESCALATED}, Status.RESOLVED),
        },
    )
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

    # A group leader sees and handles the problems of their group's households.
    scope = Scope(
        area="area",
        own="reporter",
        group="household__group_coverage__group",
        view=LEADER_AND_STAFF,
        change=LEADER_AND_STAFF,
    )

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


class ProblemEvent(TransitionRecord):
    """History: one row per transition of a problem. The level after each row is not
    stored: it is `found_level` plus the escalations so far (`selectors.problem_history`)."""

    object_field = "problem"

    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="events", verbose_name=_("问题")
    )
    from_status = models.CharField(
        _("原状态"), max_length=20, choices=Problem.Status.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=20, choices=Problem.Status.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("问题处理记录")
        verbose_name_plural = _("问题处理记录")
        indexes = [models.Index(fields=["problem", "at"], name="problemevent_problem_at")]


# --- rollups (kept by apps/grids/rollups.py, rebuilt by `manage.py rebuild_rollups`) -----------


class ReportCounters(
    counters(
        "visits",
        "pairing_visits",
        "problems_found",
        "problems_resolved",
        "problems_escalated",
        "resolved_grassroots",
        *(f"{kind}_{n}" for kind in ("reached", "resolved", "escalated") for n in range(1, 5)),
        "closed",
        "closed_grassroots",
    )
):
    """The grid report's counters, summed over the rows a report reads. Problem counters are
    by the day the problem was *found* (the report's cohort: "problems found in the period
    and what became of them") and move when it escalates or is resolved; `closed*` count
    resolutions by the day they happened (the monthly trend)."""

    class Meta:
        abstract = True


class AreaDay(DayCounters, ReportCounters):
    """Counters of one building (the area a visit or problem is recorded at) and one local
    day: a grid's report (by building), and the partial first/last month of any report."""

    class Meta(DayCounters.Meta):
        verbose_name = _("楼幢日汇总")
        verbose_name_plural = _("楼幢日汇总")
        constraints = [DayCounters.unique_per_day("areaday_area_day")]

    def __str__(self) -> str:
        return f"{self.area_id}@{self.day}"


class GridMonth(ReportCounters):
    """Counters of one grid (by its tree path: the prefix of its buildings' paths, so a bump
    needs no lookup) and one calendar month: the whole months of a community's, street's or
    district's report, ~350 grids × 12 rows a year for a street of 100,000 households."""

    grid_path = models.CharField(max_length=255)
    month = models.DateField()  # the first of the month

    class Meta:
        verbose_name = _("网格月汇总")
        verbose_name_plural = _("网格月汇总")
        constraints = [
            models.UniqueConstraint(fields=["grid_path", "month"], name="gridmonth_grid_month")
        ]
        indexes = [models.Index(fields=["month"], name="gridmonth_month")]

    def __str__(self) -> str:
        return f"{self.grid_path}@{self.month:%Y-%m}"


class CommunityMonth(ReportCounters):
    """The same counters summed for one community (by its path) and one calendar month, kept
    beside `GridMonth` by the same bump: a street's or a district's report reads 16 or 160
    communities × 12 months, not every grid's rows."""

    community_path = models.CharField(max_length=255)
    month = models.DateField()  # the first of the month

    class Meta:
        verbose_name = _("社区月汇总")
        verbose_name_plural = _("社区月汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["community_path", "month"], name="communitymonth_community_month"
            )
        ]
        indexes = [models.Index(fields=["month"], name="communitymonth_month")]

    def __str__(self) -> str:
        return f"{self.community_path}@{self.month:%Y-%m}"


class HouseholdVisitYear(models.Model):
    """Which months of a calendar year a household was visited in: one row per household and
    year (bit m-1 of `months` for month m, local time). "Households reached" over a range is
    exact: the households with a bit in a month the range covers whole, plus those with a
    visit in the range's partial first/last month (read from the visits of those days only).
    About one row per household reached per year (~0.6 of the visits at the seed's 1.7
    visits per household a year), three integers wide."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+", db_index=False)
    year = models.PositiveSmallIntegerField()
    months = models.IntegerField(default=0, db_default=0)

    class Meta:
        verbose_name = _("户年度走访月份")
        verbose_name_plural = _("户年度走访月份")
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="householdvisityear_unique")
        ]
        indexes = [models.Index(fields=["area", "year"], name="householdvisityear_area_year")]

    def __str__(self) -> str:
        return f"{self.household_id}@{self.year}:{self.months:012b}"


class ReachMonth(models.Model):
    """Households first visited in `month` (of a grid's or a community's, by `depth`), as
    cumulative counts by months since their previous visit: `firsts[k-1]` = those whose
    previous visit was at least k months earlier (or never). "Households reached" over whole
    months A..B is the sum of `firsts[m - A]` over the node's rows for m in A..B, exactly
    (apps/grids/reach.py explains and keeps it). PostgreSQL only (an integer array): on SQLite
    the table stays empty and the report scans `HouseholdVisitYear`."""

    depth = models.PositiveSmallIntegerField()
    path = models.CharField(max_length=255)
    month = models.DateField()  # the first of the month
    firsts = ArrayField(models.IntegerField())

    class Meta:
        verbose_name = _("户首访月汇总")
        verbose_name_plural = _("户首访月汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["depth", "month", "path"], name="reachmonth_depth_month_path"
            )
        ]

    def __str__(self) -> str:
        return f"{self.path}@{self.month:%Y-%m}"


class AreaState(models.Model):
    """The current state of one building (and, summed, of the grid and the community above it)
    for the grid report: households, covered ones
    (包片, counted as coverage rows like the live query), vulnerable residents, paired ones
    and active pairings. Kept on PostgreSQL by statement-level triggers over transition tables
    (apps/grids/state_sql.py), so every writer (services, the roster import's COPY, the seed)
    keeps it; deltas are added with `ON CONFLICT DO UPDATE SET n = n + excluded.n`, so
    concurrent writes add up. Not kept on SQLite: the report computes these live there."""

    area = models.OneToOneField(Area, on_delete=models.CASCADE, primary_key=True, related_name="+")
    households = models.IntegerField(default=0, db_default=0)
    covered = models.IntegerField(default=0, db_default=0)
    vulnerable = models.IntegerField(default=0, db_default=0)
    paired = models.IntegerField(default=0, db_default=0)
    pairings = models.IntegerField(default=0, db_default=0)

    COUNTERS = ("households", "covered", "vulnerable", "paired", "pairings")

    class Meta:
        verbose_name = _("楼幢现状汇总")
        verbose_name_plural = _("楼幢现状汇总")

    def __str__(self) -> str:
        return f"{self.area_id}: {self.households}"


class PairingMonth(models.Model):
    """Active pairings by area and the local month of their last visit (`Pairing.last_visited_at`):
    "pairings visited since month M" is the sum over months >= M. Kept like `AreaState` (by
    PostgreSQL triggers, for buildings and the grids and communities above them); not kept on
    SQLite, where the report counts the pairings live."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.DateField()  # the first of the month
    pairings = models.IntegerField(default=0, db_default=0)

    COUNTERS = ("pairings",)

    class Meta:
        verbose_name = _("结对末次走访月汇总")
        verbose_name_plural = _("结对末次走访月汇总")
        constraints = [
            models.UniqueConstraint(fields=["area", "month"], name="pairingmonth_area_month")
        ]

    def __str__(self) -> str:
        return f"{self.area_id}@{self.month:%Y-%m}: {self.pairings}"

"""The points ledger (党员星级积分): rules and one entry per award. `services.points_award`
is the only writer. The tables keep their `grids_` names (Meta.db_table) from before the
ledger had its own app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role
from apps.accounts.scoping import STAFF, Scope
from apps.register.models import Area, Member

LEADER_AND_STAFF = STAFF | {Role.GROUP_LEADER}


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
        db_table = "grids_pointsrule"
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
        area="member__community",
        own="member__user",
        group="member__group_memberships__group",
        view=LEADER_AND_STAFF,
        change=frozenset(),
    )

    class Meta:
        db_table = "grids_pointsentry"
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


class PointsMonth(models.Model):
    """Rollup: a member's points per calendar month (local time), kept by `points_award` in
    its transaction (apps/points/rollups.py) and rebuilt by `manage.py rebuild_rollups`.
    The stars read twelve of these per member instead of a year of ledger lines."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first of the month
    points = models.IntegerField(default=0, db_default=0)

    class Meta:
        verbose_name = _("党员月度积分")
        verbose_name_plural = _("党员月度积分")
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="pointsmonth_member_month")
        ]

    def __str__(self) -> str:
        return f"{self.member_id}@{self.month:%Y-%m}: {self.points}"


class StarDay(models.Model):
    """Snapshot: how many members of one community hold each star (1–5) on one local day, so
    that a street's or a district's report reads one row per community instead of ranking
    every member. Made by the beat task `apps.points.tasks.star_days_take` just after local
    midnight, or by the first report of the day that finds a community without one
    (apps/points/stars.py); exact as of `computed_at` (the same ranking as
    `selectors.star_sql`). Points awarded later that day show in the next day's snapshot; the
    per-member star pages stay live."""

    # db_index=False: the unique (community, day) index serves lookups by community
    community = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("社区")
    )
    day = models.DateField(_("日期"))
    star_1 = models.IntegerField(_("一星人数"), default=0, db_default=0)
    star_2 = models.IntegerField(_("二星人数"), default=0, db_default=0)
    star_3 = models.IntegerField(_("三星人数"), default=0, db_default=0)
    star_4 = models.IntegerField(_("四星人数"), default=0, db_default=0)
    star_5 = models.IntegerField(_("五星人数"), default=0, db_default=0)
    computed_at = models.DateTimeField(_("计算时间"))

    STARS = ("star_1", "star_2", "star_3", "star_4", "star_5")

    class Meta:
        verbose_name = _("社区星级日快照")
        verbose_name_plural = _("社区星级日快照")
        constraints = [
            models.UniqueConstraint(fields=["community", "day"], name="starday_community_day")
        ]

    def __str__(self) -> str:
        return f"{self.community_id}@{self.day}: " + "/".join(
            str(getattr(self, f)) for f in self.STARS
        )

"""微心愿: a resident's small wish, vetted by a grid worker, published for members (or
organisations) to claim, fulfilled by the claimant and confirmed and rated by the resident.

The allowed moves are `Wish.workflow` and `Claim.workflow` (an `apps.core.workflow.Workflow`);
`apps.wishes.services` is the only place that changes their status, one conditional UPDATE
per move through `apps.core.workflow.transition`, with a `WishEvent` / `ClaimEvent` row each.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role
from apps.accounts.scoping import ALL_AREA_ROLES, STAFF, Scope
from apps.core.models import TimeStampedModel, TransitionRecord
from apps.core.rollups import DayCounters, counters
from apps.core.workflow import Workflow

# Who vets, publishes and rejects wishes, and enters them for residents at a workstation.
VETTERS = frozenset({Role.GRID_WORKER, Role.SECRETARY})


class WishCategory(models.Model):
    """About eight categories (结对帮困, 便民服务 …), loaded from a fixture, edited in the admin."""

    name = models.CharField(_("名称"), max_length=20, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("心愿类别")
        verbose_name_plural = _("心愿类别")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class Wish(TimeStampedModel):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        PUBLISHED = "published", _("已发布")
        CLAIMED = "claimed", _("已认领")
        FULFILLED = "fulfilled", _("已完成")
        CLOSED = "closed", _("已确认")
        REJECTED = "rejected", _("未通过")
        WITHDRAWN = "withdrawn", _("已撤回")

    # Every allowed move, at a glance: name -> (the statuses it may start from, the status it
    # leads to). Release and expiry both lead claimed -> published; publishing starts only
    # from submitted. Rejected, withdrawn and closed are final. (Creation is the "submit"
    # history row.) The outbox event of each move is `services.NOTICES[move]`.
    workflow = Workflow(
        history="wishes.WishEvent",
        moves={
            "publish": ({Status.SUBMITTED}, Status.PUBLISHED),
            "reject": ({Status.SUBMITTED}, Status.REJECTED),
            "withdraw": ({Status.SUBMITTED, Status.PUBLISHED}, Status.WITHDRAWN),
            "claim": ({Status.PUBLISHED}, Status.CLAIMED),
            "release": ({Status.CLAIMED}, Status.PUBLISHED),
            "expire": ({Status.CLAIMED}, Status.PUBLISHED),
            "fulfil": ({Status.CLAIMED}, Status.FULFILLED),
            "confirm": ({Status.FULFILLED}, Status.CLOSED),
        },
    )

    resident = models.ForeignKey(
        "register.Resident", on_delete=models.PROTECT, related_name="wishes", verbose_name=_("居民")
    )
    # The resident's household's area (a building): what scoping hangs the wish off.
    area = models.ForeignKey(
        "register.Area", on_delete=models.PROTECT, related_name="wishes", verbose_name=_("区域")
    )
    # Set when staff entered the wish for the resident (the offline workstation channel).
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="entered_wishes",
        verbose_name=_("代录人"),
    )
    title = models.CharField(_("心愿标题"), max_length=60)
    description = models.TextField(_("心愿描述"), max_length=1000, blank=True)
    category = models.ForeignKey(
        WishCategory, on_delete=models.PROTECT, related_name="wishes", verbose_name=_("类别")
    )
    estimated_cost = models.DecimalField(
        _("预计费用（元）"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    wanted_by = models.DateField(_("期望完成日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    reject_reason = models.CharField(_("未通过原因"), max_length=200, blank=True)
    vetted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="vetted_wishes",
        verbose_name=_("审核人"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    # The user holding the current (or the final) claim, denormalised from Claim so that the
    # claim itself is one conditional UPDATE of this row.
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="claimed_wishes",
        verbose_name=_("认领人"),
    )
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("评分"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rating_comment = models.CharField(_("评价"), max_length=500, blank=True)

    # Residents see their own wishes; staff see every wish in their subtree; members see the
    # subtree too, but `selectors.wishes_visible_to` narrows them to published wishes (and
    # the ones they claimed). `personal` (unmasked names) is staff and the resident.
    scope = Scope(
        area="area",
        own="resident__user",
        view=ALL_AREA_ROLES,
        change=VETTERS,
        personal=STAFF,
    )

    class Meta:
        verbose_name = _("微心愿")
        verbose_name_plural = _("微心愿")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="wish_status_published"),
            models.Index(fields=["resident", "-created_at"], name="wish_resident_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="wish_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(estimated_cost__isnull=True) | Q(estimated_cost__gte=0),
                name="wish_cost_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title


def wish_photo_path(instance, filename: str) -> str:
    return f"wishes/{instance.wish_id}/{filename}"


class WishPhoto(models.Model):
    wish = models.ForeignKey(
        Wish, on_delete=models.CASCADE, related_name="photos", verbose_name=_("微心愿")
    )
    image = models.ImageField(_("照片"), upload_to=wish_photo_path)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("心愿照片")
        verbose_name_plural = _("心愿照片")

    def __str__(self) -> str:
        return self.image.name


class Claim(models.Model):
    """One member's (or one organisation's) claim on a wish. At most one claim per wish is
    active or fulfilled at a time; the database enforces it (see `claim_one_per_wish`)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("进行中")
        RELEASED = "released", _("已放弃")
        EXPIRED = "expired", _("已超时")
        FULFILLED = "fulfilled", _("已完成")

    # Created active (the "claim" history row); it ends exactly once, with its wish's move.
    workflow = Workflow(
        history="wishes.ClaimEvent",
        moves={
            "release": ({Status.ACTIVE}, Status.RELEASED),
            "expire": ({Status.ACTIVE}, Status.EXPIRED),
            "fulfil": ({Status.ACTIVE}, Status.FULFILLED),
        },
    )

    wish = models.ForeignKey(
        Wish, on_delete=models.CASCADE, related_name="claims", verbose_name=_("微心愿")
    )
    member = models.ForeignKey(
        "register.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name=_("认领党员"),
    )
    organisation = models.ForeignKey(
        "register.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name=_("认领组织"),
    )
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="wish_claims",
        verbose_name=_("认领人账号"),
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    fulfil_note = models.TextField(_("完成说明"), max_length=1000, blank=True)
    fulfil_photo = models.ImageField(_("完成照片"), upload_to="claims/", blank=True)
    created_at = models.DateTimeField(_("认领时间"), auto_now_add=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    scope = Scope(area="wish__area", own="claimant", view=STAFF, change=frozenset())

    class Meta:
        verbose_name = _("认领")
        verbose_name_plural = _("认领")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(member__isnull=False, organisation__isnull=True)
                    | Q(member__isnull=True, organisation__isnull=False)
                ),
                name="claim_member_xor_organisation",
            ),
            # The database's last word on "exactly one claim wins".
            models.UniqueConstraint(
                fields=["wish"],
                condition=Q(status__in=["active", "fulfilled"]),
                name="claim_one_per_wish",
            ),
        ]
        indexes = [
            models.Index(fields=["claimant", "status"], name="claim_claimant_status"),
            models.Index(
                fields=["created_at"], condition=Q(status="active"), name="claim_active_age"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.wish} · {self.member or self.organisation}"

    @property
    def claimant_name(self) -> str:
        return str(self.organisation or self.member)


class WishEvent(TransitionRecord):
    """One row per transition: the wish's audit trail and its status timeline."""

    object_field = "wish"

    wish = models.ForeignKey(
        Wish, on_delete=models.CASCADE, related_name="events", verbose_name=_("微心愿")
    )
    # The common columns, with the wish's choices for the timeline's labels.
    from_status = models.CharField(
        _("原状态"), max_length=20, choices=Wish.Status.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=20, choices=Wish.Status.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("心愿记录")
        verbose_name_plural = _("心愿记录")
        indexes = [models.Index(fields=["wish", "at"], name="wishevent_wish_at")]


class ClaimEvent(TransitionRecord):
    """One row per change of a claim: made, released, expired or fulfilled."""

    object_field = "claim"

    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="events", verbose_name=_("认领")
    )
    from_status = models.CharField(
        _("原状态"), max_length=20, choices=Claim.Status.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=20, choices=Claim.Status.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("认领记录")
        verbose_name_plural = _("认领记录")
        indexes = [models.Index(fields=["claim", "at"], name="claimevent_claim_at")]


# --- rollups (kept by apps/wishes/rollups.py, rebuilt by `manage.py rebuild_rollups`) ---------


class WishDay(
    DayCounters,
    counters(
        "submitted",
        "published",
        "claimed",
        "claims_member",
        "claims_org",
        "fulfilled",
        "confirmed",
        "rated",
        "satisfied",
    ),
):
    """What happened to the wishes of one building and category on one local day, each
    counted on the day it happened: submitted (created_at), published (published_at),
    claimed (each claim's created_at, split by members and organisations), fulfilled
    (fulfilled_at), confirmed (closed_at) and, of those, rated and satisfied (rating >= 4)."""

    category = models.ForeignKey(WishCategory, on_delete=models.CASCADE, related_name="+")

    class Meta(DayCounters.Meta):
        verbose_name = _("心愿日汇总")
        verbose_name_plural = _("心愿日汇总")
        constraints = [DayCounters.unique_per_day("wishday_unique", "category")]

    def __str__(self) -> str:
        return f"{self.area_id}@{self.day}/{self.category_id}"


class ClaimMinutes(DayCounters):
    """A histogram of the minutes from publication to claim, per building and local day of
    the claim: `n` claims took `minutes` (whole minutes under a day, whole hours — as
    minutes — beyond). The median of any range is read from it: exact to the minute when it
    is under a day, to the hour beyond. A few rows a day, whatever the number of claims."""

    minutes = models.IntegerField()
    n = models.IntegerField(default=0, db_default=0)

    class Meta(DayCounters.Meta):
        verbose_name = _("认领用时分布")
        verbose_name_plural = _("认领用时分布")
        constraints = [DayCounters.unique_per_day("claimminutes_unique", "minutes")]

    def __str__(self) -> str:
        return f"{self.area_id}@{self.day}: {self.minutes} min × {self.n}"

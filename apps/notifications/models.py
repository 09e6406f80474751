"""The outbox, the in-app inbox, per-channel deliveries, preferences and reminder dedupe.

Every row here is also a queue: an outbox row with no `relayed_at` is pending fan-out, a
delivery with `status=pending` and a past `next_attempt_at` is due. Workers claim rows with
conditional updates (`UPDATE ... WHERE <still claimable>` returns 0 when another worker got
there first), never read-then-write.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.scoping import Scope


class Channel(models.TextChoices):
    INAPP = "inapp", _("站内消息")
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")
    WECHAT = "wechat", _("微信推送")


class OutboxEvent(models.Model):
    """One domain event to deliver, written in the same transaction as the change that
    caused it (transactional outbox): rolled back with it, or certain to be delivered."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待分发")
        RELAYED = "relayed", _("已分发")
        FAILED = "failed", _("分发失败")

    name = models.CharField(_("事件"), max_length=64)
    audience = models.JSONField(_("接收对象"))
    # DjangoJSONEncoder: callers may pass dates, decimals and lazy strings in the context.
    context = models.JSONField(_("内容参数"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("触发人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    relayed_at = models.DateTimeField(_("分发时间"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # A relay holds the row until this time; a worker that dies lets the lease run out and
    # the sweeper hands the row to another one.
    claimed_until = models.DateTimeField(_("占用至"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("分发次数"), default=0)
    recipients = models.PositiveIntegerField(_("接收人数"), default=0)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("待发事件")
        verbose_name_plural = _("待发事件")
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(relayed_at__isnull=True),
                name="outbox_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"


class Notification(models.Model):
    """One message in a user's in-app inbox (the in-app channel's delivery)."""

    event = models.ForeignKey(
        OutboxEvent, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("事件")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("接收人"),
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    scope = Scope(own="recipient")

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient"], name="notification_once")
        ]
        indexes = [
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(fields=["recipient", "-id"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """One message on one external channel (e-mail, SMS, WeChat) to one recipient."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        SKIPPED = "skipped", _("已跳过")
        FAILED = "failed", _("发送失败")  # permanent: retrying as is cannot help
        DEAD = "dead", _("死信")  # retryable, but gave up after MAX_ATTEMPTS

    event = models.ForeignKey(
        OutboxEvent, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("事件")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("接收人"),
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("地址"), max_length=254, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    # When the delivery is next due; a sender pushes it forward as its claim (lease).
    next_attempt_at = models.DateTimeField(_("下次尝试"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    error = models.TextField(_("原因"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("渠道投递")
        verbose_name_plural = _("渠道投递")
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient", "channel"], name="delivery_once")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="delivery_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient_id} ({self.get_status_display()})"


class Preference(models.Model):
    """A user's notification settings. Absent row = defaults (every channel on)."""

    class Language(models.TextChoices):
        ZH_HANS = "zh-hans", _("简体中文")
        EN = "en", _("English")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("用户"),
    )
    language = models.CharField(
        _("消息语言"), max_length=10, choices=Language.choices, default=Language.ZH_HANS
    )
    wechat_openid = models.CharField(_("微信 OpenID"), max_length=64, blank=True)
    # {"<event name>" or "*": ["sms", "email", ...]}: channels the user turned off.
    muted = models.JSONField(_("已关闭的渠道"), default=dict, blank=True)

    scope = Scope(own="user")

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")

    def __str__(self) -> str:
        return str(self.user)

    def allows(self, event: str, channel: str) -> bool:
        if channel == Channel.INAPP:
            return True  # the inbox always receives
        return channel not in self.muted.get("*", []) and channel not in self.muted.get(event, [])


class ReminderSent(models.Model):
    """Dedupe key of a reminder: one row per (reminder, object, period), written in the same
    transaction as the reminder's outbox row, so a job that runs twice sends nothing twice."""

    reminder = models.CharField(_("提醒"), max_length=64)
    object_key = models.CharField(_("对象"), max_length=64)
    period = models.CharField(_("周期"), max_length=16)
    event = models.ForeignKey(
        OutboxEvent, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("事件")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("已发提醒")
        verbose_name_plural = _("已发提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["reminder", "object_key", "period"], name="reminder_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reminder} {self.object_key} {self.period}"

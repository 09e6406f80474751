from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxEvent(models.Model):
    """One domain event to deliver, written in the same transaction as the change that
    caused it (transactional outbox): rolled back with it, or certain to be delivered."""

    name = models.CharField(_("事件"), max_length=64)
    audience = models.JSONField(_("接收对象"))
    context = models.JSONField(_("内容参数"), default=dict, blank=True)
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

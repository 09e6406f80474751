"""Wish reminders, run by the notifications beat (apps/notifications/reminding.py)."""

from datetime import datetime, timedelta

from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast

from apps.core.conf import conf
from apps.notifications.audiences import users
from apps.notifications.models import ReminderSent
from apps.notifications.reminding import MONTH, Due, reminder

from .models import Claim

CLAIM_DUE = "wishes.claim_due"


@reminder(CLAIM_DUE, event="wish.claim_due", period=MONTH)
def claims_about_to_expire(now: datetime):
    """Tell a claimant, once per claim, that their claim expires in a few days unless they
    fulfil (or release) the wish."""
    expiry_days = conf("WISH_CLAIM_EXPIRY_DAYS")
    days_left = min(conf("WISH_CLAIM_REMIND_DAYS_BEFORE"), expiry_days)
    reminded = ReminderSent.objects.filter(
        reminder=CLAIM_DUE, object_key=Cast(OuterRef("pk"), CharField())
    )
    claims = (
        Claim.objects.filter(
            status=Claim.Status.ACTIVE,
            created_at__lte=now - timedelta(days=expiry_days - days_left),
        )
        .exclude(Exists(reminded))  # once per claim, even across a month boundary
        .select_related("wish")
        .order_by("pk")
    )
    for claim in claims:
        yield Due(
            key=claim.pk,
            audience=users(claim.claimant_id),
            context={
                "wish_id": claim.wish_id,
                "title": claim.wish.title,
                "expires_on": (claim.created_at + timedelta(days=expiry_days)).date().isoformat(),
            },
        )

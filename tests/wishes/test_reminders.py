from datetime import timedelta

from django.utils import timezone

from apps.notifications.models import OutboxEvent
from apps.notifications.reminding import registered, reminder_run
from apps.wishes.models import Claim
from apps.wishes.reminders import CLAIM_DUE


def _age(claim: Claim, days: int) -> None:
    Claim.objects.filter(pk=claim.pk).update(created_at=timezone.now() - timedelta(days=days))


def test_claimant_is_reminded_once_before_the_claim_expires(make_wish, world, settings):
    settings.TONGXIN = {
        **settings.TONGXIN,
        "WISH_CLAIM_EXPIRY_DAYS": 14,
        "WISH_CLAIM_REMIND_DAYS_BEFORE": 3,
    }
    job = registered()[CLAIM_DUE]
    fresh = make_wish("claimed")
    _age(Claim.objects.get(wish=fresh), 2)
    assert reminder_run(job, now=timezone.now()) == 0

    _age(Claim.objects.get(wish=fresh), 12)
    assert reminder_run(job, now=timezone.now()) == 1
    assert reminder_run(job, now=timezone.now()) == 0
    # Next month is another period, but the claim was reminded already.
    assert reminder_run(job, now=timezone.now() + timedelta(days=31)) == 0

    [event] = OutboxEvent.objects.filter(name="wish.claim_due")
    assert event.audience["ids"] == [world.user("member").pk]
    assert event.context["title"] == fresh.title


def test_fulfilled_claims_are_not_reminded(make_wish):
    wish = make_wish("fulfilled")
    _age(Claim.objects.get(wish=wish), 13)
    assert reminder_run(registered()[CLAIM_DUE], now=timezone.now()) == 0

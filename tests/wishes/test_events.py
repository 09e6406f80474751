import string
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.notifications.models import OutboxEvent
from apps.notifications.reminding import registered, reminder_run
from apps.wishes import services
from apps.wishes.events import EVENTS
from apps.wishes.models import Claim
from apps.wishes.reminders import CLAIM_DUE

pytestmark = pytest.mark.django_db


def _placeholders(template) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(str(template)) if name}


def test_every_event_text_is_filled_by_the_context_its_service_records(make_wish, world):
    make_wish("closed", title="一")
    services.wish_release(wish=make_wish("claimed", title="二"), actor=world.user("member"))
    services.wish_expire(wish=make_wish("claimed", title="三"), actor=world.user("grid_worker"))
    make_wish("rejected", title="四")
    make_wish("withdrawn", title="五")
    due = make_wish("claimed", title="六")  # the claim-due reminder, a few days before expiry
    Claim.objects.filter(wish=due).update(created_at=timezone.now() - timedelta(days=13))
    reminder_run(registered()[CLAIM_DUE], now=timezone.now())
    rows = list(OutboxEvent.objects.filter(name__startswith="wish."))
    assert {row.name for row in rows} == set(EVENTS)
    for row in rows:
        for part in ("title", "body"):
            template = EVENTS[row.name][part]
            missing = _placeholders(template) - set(row.context)
            assert not missing, (row.name, missing)
            assert str(template).format(**row.context)

"""The wish rollups kept by the services equal the ones rebuilt from wishes and claims."""

import random

import pytest

from apps.wishes import rollups, services
from apps.wishes.models import ClaimMinutes, WishDay

pytestmark = pytest.mark.django_db


def snapshot():
    days = {
        row
        for row in WishDay.objects.values_list("area_id", "day", "category_id", *WishDay.COUNTERS)
        if any(row[3:])
    }
    minutes = set(ClaimMinutes.objects.exclude(n=0).values_list("area_id", "day", "minutes", "n"))
    return days, minutes


def test_kept_wish_rollups_equal_rebuilt(world, category, make_wish):
    rng = random.Random(3)
    resident, member = world.user("resident"), world.user("member")
    for i in range(14):
        status = rng.choice(["submitted", "published", "rejected", "fulfilled", "closed"])
        wish = make_wish("fulfilled" if status == "closed" else status, title=f"心愿{i}")
        if status == "closed":
            services.wish_confirm(wish=wish, actor=resident, rating=rng.randint(1, 5))
    released = make_wish("claimed", title="放弃的心愿")
    services.wish_release(wish=released, actor=member)
    services.wish_claim(wish=released, actor=member)  # claimed twice: two claims
    kept = snapshot()
    totals = {c: sum(row[3 + k] for row in kept[0]) for k, c in enumerate(WishDay.COUNTERS)}
    assert totals["submitted"] == 15 and totals["claimed"] >= 2
    assert totals["claims_member"] == totals["claimed"]
    assert sum(row[3] for row in kept[1]) == totals["claimed"]
    rollups.rebuild()
    assert snapshot() == kept


def test_minutes_bucket_is_exact_under_a_day_then_hourly():
    import datetime as dt

    t = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert rollups.minutes_bucket(t, t + dt.timedelta(minutes=37, seconds=59)) == 37
    assert rollups.minutes_bucket(t, t + dt.timedelta(hours=30, minutes=59)) == 30 * 60

import io
import random

import pytest

from apps.wishes.demo import seed_wishes
from apps.wishes.models import Claim, Wish

pytestmark = pytest.mark.django_db


def test_seed_wishes_builds_consistent_wishes_in_every_state(world):
    out = io.StringIO()
    seed_wishes(scale=1, rng=random.Random(1), stdout=out)
    assert "48 wishes" in out.getvalue()
    assert set(Wish.objects.values_list("status", flat=True)) == set(Wish.Status.values)
    for wish in Wish.objects.prefetch_related("events"):
        events = list(wish.events.all())
        assert events[-1].to_status == wish.status
        assert events[0].from_status == ""
    for claim in Claim.objects.select_related("wish"):
        assert claim.wish.claimed_by_id == claim.claimant_id
    assert (
        Claim.objects.filter(status="active").count()
        == Wish.objects.filter(status="claimed").count()
    )


def test_seed_wishes_without_people_does_nothing(db):
    out = io.StringIO()
    seed_wishes(scale=1, rng=random.Random(1), stdout=out)
    assert not Wish.objects.exists()
    assert "nothing to do" in out.getvalue()

import io
import random

import pytest
from django.db.models import Count

from apps.grids.demo import SEEDERS, seed_activity
from apps.grids.models import GroupHousehold, Pairing, Problem, ResponsibilityGroup, Visit
from apps.register.demo import seed_people
from apps.register.models import Household


@pytest.mark.django_db
def test_demo_activity_matches_the_seeds_rates():
    assert [seed_activity] == SEEDERS
    out = io.StringIO()
    seed_people(scale=1, rng=random.Random(1), stdout=out)
    seed_activity(scale=1, rng=random.Random(2), stdout=out)
    households = Household.objects.count()
    sizes = ResponsibilityGroup.objects.annotate(n=Count("memberships")).values_list("n", flat=True)
    assert sizes and all(3 <= n <= 5 for n in sizes)
    assert 120 <= len(sizes) <= 160  # 138 groups for 10,094 households
    assert GroupHousehold.objects.count() == households
    assert 15_000 <= Visit.objects.count() <= 19_000  # ~17,000 a year
    resolved = Problem.objects.filter(status=Problem.Status.RESOLVED)
    assert 750 <= resolved.count() <= 950  # ~840 solved a year
    grassroots = resolved.filter(resolved_level__in=Problem.GRASSROOTS).count() / resolved.count()
    assert 0.78 <= grassroots <= 0.86  # "把82%的问题解决在基层"
    busiest = Pairing.objects.values("helper").annotate(n=Count("pk")).order_by("-n").first()
    assert busiest["n"] <= 5

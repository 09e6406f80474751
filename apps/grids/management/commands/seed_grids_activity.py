"""`python manage.py seed_grids_activity [--scale N]`: groups, pairings, a year of visits,
problems and points on top of `seed_demo`'s people (for a database seeded before
apps.grids.demo_activity was wired into seed_demo). Does nothing if visits exist."""

import random

from django.core.management.base import BaseCommand
from django.db import transaction

from apps.core.management.commands.seed_demo import DEFAULT_SEED
from apps.grids.demo_activity import seed_activity
from apps.grids.models import Visit


class Command(BaseCommand):
    help = "Seed grids demo activity (groups, pairings, visits, problems, points)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1)
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)

    def handle(self, *args, scale: int, seed: int, **options):
        if Visit.objects.exists():
            self.stdout.write("seed_grids_activity: visits exist already; nothing to do.")
            return
        name = f"{seed_activity.__module__}.{seed_activity.__name__}"
        with transaction.atomic():
            seed_activity(
                scale=scale, rng=random.Random(f"{seed}:{scale}:{name}"), stdout=self.stdout
            )

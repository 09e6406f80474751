"""Rebuild the grid report's rollups from the raw visits and problems (set-based SQL, one
transaction). Run after bulk loads that bypass the services, or to check the kept ones."""

import time

from django.core.management.base import BaseCommand

from apps.grids import rollups
from apps.points import rollups as points_rollups


class Command(BaseCommand):
    help = (
        "Rebuild the grid report's rollups (apps/grids/rollups.py) and the points' from the ledger."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        counts = rollups.rebuild()
        counts["points_months"] = points_rollups.rebuild()
        self.stdout.write(
            f"rollups rebuilt: {counts['area_days']} area-days, {counts['grid_months']} "
            f"grid-months, {counts['household_years']} household-years "
            f"in {time.monotonic() - started:.1f} s"
        )

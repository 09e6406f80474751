"""Rebuild every registered rollup (`apps.core.rollups.REBUILDERS`: the grid report's, the
points', the wishes') from the raw tables: set-based SQL, one transaction per app. Run after
bulk loads that bypass the services, or to check the kept ones; then ANALYZE (PostgreSQL)."""

import time

from django.core.management.base import BaseCommand
from django.db import connection

from apps.core.rollups import REBUILDERS


class Command(BaseCommand):
    help = "Rebuild the rollups (report counters) from the raw tables."

    def handle(self, *args, **options):
        for name, rebuild in REBUILDERS.items():
            started = time.monotonic()
            counts = rebuild()
            rows = ", ".join(f"{n} {what}" for what, n in counts.items())
            self.stdout.write(f"{name}: {rows} in {time.monotonic() - started:.1f} s")
        if connection.vendor == "postgresql":
            # every rollup table was emptied and refilled: plan its reads from fresh statistics
            started = time.monotonic()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            self.stdout.write(f"ANALYZE in {time.monotonic() - started:.1f} s")

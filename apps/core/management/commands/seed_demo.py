"""`python manage.py seed_demo [--scale N] [--if-empty]`: the deterministic 大榭 demo.

Runs, in INSTALLED_APPS order, every function in `apps.<app>.demo.SEEDERS`
(`fn(*, scale, rng, stdout)`); `apps.register.demo` comes first among them and builds the
geography, people and logins the others build on. A demo module may define `has_data()`:
`--if-empty` does nothing when any says True. Each seeder gets its own
`random.Random` seeded from (seed, scale, its name), so adding a seeder in one app never
changes another app's data.
"""

import random
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from apps.core.discovery import app_modules
from apps.core.rollups import triggers_skipped

DEFAULT_SEED = 20240601


def seeders() -> list:
    return [fn for module in app_modules("demo") for fn in getattr(module, "SEEDERS", [])]


class Command(BaseCommand):
    help = (
        "Build the deterministic 大榭 demo data set (geography, people, logins, each app's data)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="1 ≈ 10,000 households")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the database has areas"
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)

    def handle(self, *args, scale: int, if_empty: bool, seed: int, **options):
        if scale < 1:
            raise CommandError("--scale must be at least 1")
        if any(getattr(module, "has_data", lambda: False)() for module in app_modules("demo")):
            if if_empty:
                self.stdout.write("seed_demo: the database already has data; nothing to do.")
                return
            raise CommandError(
                "The database already has data; seed_demo needs an empty one "
                "(e.g. `make clean` for the SQLite demo, or a new DATABASE_URL)."
            )
        started = time.monotonic()
        # The rollup triggers skip the bulk load: after_seed rebuilds what they keep, once.
        with transaction.atomic(), triggers_skipped():
            for fn in seeders():
                name = f"{fn.__module__}.{fn.__name__}"
                rng = random.Random(f"{seed}:{scale}:{name}")
                began = time.monotonic()
                fn(scale=scale, rng=rng, stdout=self.stdout)
                self.stdout.write(f"  ({name}: {time.monotonic() - began:.1f}s)")
        self.stdout.write(f"seed_demo: rows in at {time.monotonic() - started:.1f}s")
        after_seed(stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_demo: scale {scale} done in {time.monotonic() - started:.1f}s"
            )
        )


def after_seed(*, stdout) -> None:
    """What runs once every seeder's rows are in (committed): the one place for derived data
    built from them. Planner statistics first: a bulk load leaves the tables without any, and
    the lists and reports would be planned as if they were empty."""
    if connection.vendor == "postgresql":
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        stdout.write(f"seed_demo: ANALYZE in {time.monotonic() - started:.1f}s")
    # The seeders bulk-insert past the services, so the report rollups are built once here.
    call_command("rebuild_rollups", stdout=stdout)

"""Benchmark: the rollups (apps/grids/rollups.py, apps/points/rollups.py).

    DATABASE_URL=postgres://... python bench/rollups.py [--visits 150] [--runs 7]

On the `seed_demo --scale 10` data set (seeded by bench/report.py's `ensure_data` unless
present), in one run:
  report_s / sql_s  the street's grid report through the API (it reads the rollups) and
                    bench/report.py's hand-written SQL of the same headline figures over the
                    raw tables (median of --runs, interleaved);
  visit_ms / visit_ms_plain
                    one visit logged through `services.visit_log` (own transaction, commit
                    included) with the rollups kept, and the same write with the rollup
                    bumps switched off (today's cost before the rollups): alternating
                    batches, medians; write_ratio = visit_ms / visit_ms_plain (goal <= 1.3).
The visits it logs stay; the rollups are rebuilt at the end so that they match again.
`visit_write_cost()` is importable (bench/report.py may call it).
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import django  # noqa: E402
import report as report_bench  # noqa: E402  (sets DJANGO_SETTINGS_MODULE)

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.accounts.models import RoleAssignment  # noqa: E402
from apps.grids import reports, rollups, services  # noqa: E402
from apps.grids.models import GroupHousehold, ResponsibilityGroup  # noqa: E402
from apps.points import rollups as points_rollups  # noqa: E402
from apps.register.models import Area  # noqa: E402


def visit_write_cost(visits: int = 150, batch: int = 10) -> dict:
    """Median ms of one visit logged with and without the rollup bumps."""
    group = (
        ResponsibilityGroup.objects.filter(leader__user__isnull=False)
        .select_related("leader__user")
        .order_by("pk")
        .first()
    )
    actor = group.leader.user
    households = [
        gh.household
        for gh in GroupHousehold.objects.filter(group=group).select_related("household")
    ]
    kept = (rollups.visit_logged, points_rollups.entry_added)

    def off():
        rollups.visit_logged = lambda visit: None
        points_rollups.entry_added = lambda entry: None

    def on():
        rollups.visit_logged, points_rollups.entry_added = kept

    times = {True: [], False: []}
    n = 0
    try:
        while n < visits:
            for with_rollups in (True, False):
                (on if with_rollups else off)()
                for _ in range(batch):
                    household = households[n % len(households)]
                    started = time.perf_counter()
                    services.visit_log(actor=actor, household=household, visited_at=timezone.now())
                    times[with_rollups].append(time.perf_counter() - started)
                    n += 1
    finally:
        on()
    visit_ms = statistics.median(times[True]) * 1000
    plain_ms = statistics.median(times[False]) * 1000
    return {
        "visit_ms": round(visit_ms, 2),
        "visit_ms_plain": round(plain_ms, 2),
        "write_ratio": round(visit_ms / plain_ms, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--visits", type=int, default=150)
    args = parser.parse_args()
    report_bench.ensure_data(args.scale)

    street = Area.objects.filter(kind=Area.Kind.STREET).order_by("path").first()
    admin = (
        (RoleAssignment.objects.filter(role="administrator", area=street).select_related("user"))
        .first()
        .user
    )
    client = Client(SERVER_NAME="localhost")
    client.force_login(admin)
    period = reports.parse_period(None, None)
    url = f"/api/reports/grid/?node={street.pk}&from={period.start}&to={period.end}"
    month = timezone.make_aware(
        reports.dt.datetime.combine(timezone.localdate().replace(day=1), reports.dt.time.min)
    )
    params = {
        "like": street.path + "%",
        "start": period.start_dt,
        "end": period.end_dt,
        "month": month,
    }

    def via_app():
        response = client.get(url)
        assert response.status_code == 200, response.content[:200]
        return response.json()

    def via_sql():
        with connection.cursor() as cursor:
            cursor.execute(report_bench.HEADLINE_SQL, params)
            return dict(zip(report_bench.HEADLINE_KEYS, cursor.fetchone(), strict=True))

    report_s, report, sql_s, sql = report_bench.timed_pair(via_app, via_sql, args.runs)
    mismatched = [k for k in report_bench.HEADLINE_KEYS if sql[k] != report["totals"][k]]
    print(f"street report (API, from rollups) median {report_s * 1000:.1f} ms")
    print(f"hand-written SQL over raw tables  median {sql_s * 1000:.1f} ms")
    print(f"ratio {report_s / sql_s:.2f}; figures {mismatched or 'MATCH'}")

    cost = visit_write_cost(args.visits)
    print(
        f"visit logged: {cost['visit_ms']:.2f} ms with rollups, "
        f"{cost['visit_ms_plain']:.2f} ms without; write_ratio {cost['write_ratio']:.2f}"
    )
    started = time.perf_counter()
    counts = {**rollups.rebuild(), **points_rollups.rebuild()}
    rebuild_s = time.perf_counter() - started
    print(f"rebuild_rollups {rebuild_s:.1f} s: {counts}")
    print(
        json.dumps(
            {
                "bench": "rollups",
                "report_s": round(report_s, 4),
                "sql_s": round(sql_s, 4),
                "ratio": round(report_s / sql_s, 2),
                "figures_match": not mismatched,
                **cost,
                "rebuild_s": round(rebuild_s, 1),
                **counts,
                "vendor": connection.vendor,
            }
        )
    )


if __name__ == "__main__":
    main()

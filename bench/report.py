"""Benchmark: the street's grid report on the `seed_demo --scale 10` data set.

    DATABASE_URL=postgres://... python bench/report.py [--scale 10] [--runs 7]

Seeds the database (`seed_demo`: people, then the grids activity) unless it
already holds them, then times, in the same run:
  report_s  GET /api/reports/grid/?node=<street> through the app (auth, scoping, every
            aggregate, JSON rendering), median of --runs after one warm-up;
  sql_s     one hand-written SQL statement computing the same headline figures;
and prints a table, then the JSON line (BENCH.md).
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from apps.accounts.models import RoleAssignment  # noqa: E402
from apps.grids import reports  # noqa: E402
from apps.register.models import Area, Household  # noqa: E402

HEADLINE_SQL = """
WITH hh AS (
  SELECT h.id FROM grids_household h JOIN grids_area a ON a.id = h.area_id
  WHERE a.path LIKE %(like)s
)
SELECT hs.households, hs.covered, v.visits, v.households_reached,
       p.problems_found, p.problems_resolved, p.resolved_grassroots,
       r.vulnerable, pr.pairings, pr.pairings_visited
FROM
  (SELECT COUNT(*) AS households, COUNT(gh.id) AS covered
     FROM hh LEFT JOIN grids_grouphousehold gh ON gh.household_id = hh.id) hs,
  (SELECT COUNT(*) AS visits, COUNT(DISTINCT v.household_id) AS households_reached
     FROM grids_visit v JOIN grids_area a ON a.id = v.area_id
     WHERE a.path LIKE %(like)s AND v.visited_at >= %(start)s AND v.visited_at < %(end)s) v,
  (SELECT COUNT(*) AS problems_found,
          COUNT(*) FILTER (WHERE p.status = 'resolved') AS problems_resolved,
          COUNT(*) FILTER (WHERE p.resolved_level IN (1, 2)) AS resolved_grassroots
     FROM grids_problem p JOIN grids_area a ON a.id = p.area_id
     WHERE a.path LIKE %(like)s AND p.created_at >= %(start)s AND p.created_at < %(end)s) p,
  (SELECT COUNT(*) AS vulnerable
     FROM grids_resident r JOIN hh ON hh.id = r.household_id WHERE r.vulnerable) r,
  (SELECT COUNT(*) AS pairings,
          COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM grids_visit v WHERE v.pairing_id = pr.id
                                         AND v.visited_at >= %(month)s)) AS pairings_visited
     FROM grids_pairing pr JOIN grids_resident r ON r.id = pr.resident_id
     JOIN hh ON hh.id = r.household_id WHERE pr.active) pr
"""
HEADLINE_KEYS = [
    "households",
    "covered",
    "visits",
    "households_reached",
    "problems_found",
    "problems_resolved",
    "resolved_grassroots",
    "vulnerable",
    "pairings",
    "pairings_visited",
]


def ensure_data(scale: int) -> None:
    call_command("migrate", verbosity=0)
    if Area.objects.exists():
        return
    print(f"seeding: seed_demo --scale {scale} …", flush=True)
    call_command("seed_demo", scale=scale)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh bulk data: give the planner statistics
            cursor.execute("ANALYZE")


def timed_pair(a, b, runs: int) -> tuple[float, object, float, object]:
    """Median times of a() and b(), interleaved so that a noisy machine slows both alike."""
    a(), b()  # warm-up (connection, plans, caches)
    times_a, times_b, result_a, result_b = [], [], None, None
    for _ in range(runs):
        started = time.perf_counter()
        result_a = a()
        times_a.append(time.perf_counter() - started)
        started = time.perf_counter()
        result_b = b()
        times_b.append(time.perf_counter() - started)
    return statistics.median(times_a), result_a, statistics.median(times_b), result_b


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    ensure_data(args.scale)

    # Both sides run on this connection with the app's own settings (JIT off on PostgreSQL).
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

    def via_app():
        response = client.get(url)
        assert response.status_code == 200, response.content[:200]
        return response.json()

    month = reports.timezone.make_aware(
        reports.dt.datetime.combine(
            reports.timezone.localdate().replace(day=1), reports.dt.time.min
        )
    )
    params = {
        "like": street.path + "%",
        "start": period.start_dt,
        "end": period.end_dt,
        "month": month,
    }

    def via_sql():
        with connection.cursor() as cursor:
            cursor.execute(HEADLINE_SQL, params)
            return dict(zip(HEADLINE_KEYS, cursor.fetchone(), strict=True))

    report_s, report, sql_s, sql = timed_pair(via_app, via_sql, args.runs)
    mismatched = [k for k in HEADLINE_KEYS if sql[k] != report["totals"][k]]

    households = Household.objects.count()
    print(f"{'figure':<22}{'app':>12}{'sql':>12}")
    for key in HEADLINE_KEYS:
        print(f"{key:<22}{report['totals'][key]:>12}{sql[key]:>12}")
    print(f"{'grassroots share':<22}{report['totals']['grassroots_share']:>12}")
    print(f"\nhouseholds {households}, period {period.start}..{period.end}, {args.runs} runs")
    print(f"report (app, HTTP+JSON) median {report_s * 1000:.1f} ms")
    print(f"hand-written SQL        median {sql_s * 1000:.1f} ms")
    print(f"ratio {report_s / sql_s:.2f}; figures {mismatched if mismatched else 'MATCH'}")
    print(
        json.dumps(
            {
                "bench": "report",
                "households": households,
                "report_s": round(report_s, 4),
                "sql_s": round(sql_s, 4),
                "ratio": round(report_s / sql_s, 2),
                "visits": report["totals"]["visits"],
                "problems_found": report["totals"]["problems_found"],
                "grassroots_share": report["totals"]["grassroots_share"],
                "figures_match": not mismatched,
                "vendor": connection.vendor,
            }
        )
    )


if __name__ == "__main__":
    main()

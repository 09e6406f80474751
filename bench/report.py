"""Benchmark: the street's grid report on the `seed_demo --scale 10` data set.

    DATABASE_URL=postgres://... python bench/report.py [--scale 10] [--runs 7]

Seeds the database (people via `seed_demo`, activity via `seed_grids_activity`) unless it
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
from apps.grids.models import Area, Household, Visit  # noqa: E402

HEADLINE_SQL = """
WITH node AS (SELECT %(prefix)s AS prefix)
SELECT
  (SELECT COUNT(*) FROM grids_household h JOIN grids_area a ON a.id = h.area_id
    WHERE a.path LIKE (SELECT prefix FROM node) || '%%') AS households,
  (SELECT COUNT(*) FROM grids_grouphousehold gh JOIN grids_household h ON h.id = gh.household_id
    JOIN grids_area a ON a.id = h.area_id WHERE a.path LIKE (SELECT prefix FROM node) || '%%')
    AS covered,
  (SELECT COUNT(*) FROM grids_visit v JOIN grids_household h ON h.id = v.household_id
    JOIN grids_area a ON a.id = h.area_id WHERE a.path LIKE (SELECT prefix FROM node) || '%%'
    AND v.visited_at >= %(start)s AND v.visited_at < %(end)s) AS visits,
  (SELECT COUNT(DISTINCT v.household_id) FROM grids_visit v
    JOIN grids_household h ON h.id = v.household_id JOIN grids_area a ON a.id = h.area_id
    WHERE a.path LIKE (SELECT prefix FROM node) || '%%'
    AND v.visited_at >= %(start)s AND v.visited_at < %(end)s) AS households_reached,
  (SELECT COUNT(*) FROM grids_problem p JOIN grids_area a ON a.id = p.area_id
    WHERE a.path LIKE (SELECT prefix FROM node) || '%%'
    AND p.created_at >= %(start)s AND p.created_at < %(end)s) AS problems_found,
  (SELECT COUNT(*) FILTER (WHERE p.status = 'resolved') FROM grids_problem p
    JOIN grids_area a ON a.id = p.area_id WHERE a.path LIKE (SELECT prefix FROM node) || '%%'
    AND p.created_at >= %(start)s AND p.created_at < %(end)s) AS problems_resolved,
  (SELECT COUNT(*) FILTER (WHERE p.resolved_level IN (1, 2)) FROM grids_problem p
    JOIN grids_area a ON a.id = p.area_id WHERE a.path LIKE (SELECT prefix FROM node) || '%%'
    AND p.created_at >= %(start)s AND p.created_at < %(end)s) AS resolved_grassroots,
  (SELECT COUNT(*) FROM grids_resident r JOIN grids_household h ON h.id = r.household_id
    JOIN grids_area a ON a.id = h.area_id WHERE a.path LIKE (SELECT prefix FROM node) || '%%'
    AND r.vulnerable) AS vulnerable,
  (SELECT COUNT(*) FROM grids_pairing pr JOIN grids_resident r ON r.id = pr.resident_id
    JOIN grids_household h ON h.id = r.household_id JOIN grids_area a ON a.id = h.area_id
    WHERE a.path LIKE (SELECT prefix FROM node) || '%%' AND pr.active) AS pairings,
  (SELECT COUNT(*) FROM grids_pairing pr JOIN grids_resident r ON r.id = pr.resident_id
    JOIN grids_household h ON h.id = r.household_id JOIN grids_area a ON a.id = h.area_id
    WHERE a.path LIKE (SELECT prefix FROM node) || '%%' AND pr.active
    AND EXISTS (SELECT 1 FROM grids_visit v WHERE v.pairing_id = pr.id
                AND v.visited_at >= %(month)s)) AS pairings_visited
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
    if not Area.objects.exists():
        print(f"seeding: seed_demo --scale {scale} …", flush=True)
        call_command("seed_demo", scale=scale)
    if not Visit.objects.exists():
        call_command("seed_grids_activity", scale=scale)


def timed(fn, runs: int) -> tuple[float, object]:
    fn()  # warm-up (connection, plans, caches)
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    ensure_data(args.scale)

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

    report_s, report = timed(via_app, args.runs)
    month = reports.timezone.make_aware(
        reports.dt.datetime.strptime(report["month"] + "-01", "%Y-%m-%d")
    )
    params = {"prefix": street.path, "start": period.start_dt, "end": period.end_dt, "month": month}

    def via_sql():
        with connection.cursor() as cursor:
            cursor.execute(HEADLINE_SQL, params)
            return dict(zip(HEADLINE_KEYS, cursor.fetchone(), strict=True))

    sql_s, sql = timed(via_sql, args.runs)
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

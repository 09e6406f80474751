"""Benchmark: the grid report and the long lists at scale 10 and at scale 100.

    DATABASE_URL=postgres://.../tongxin python bench/report.py [--scale 10,100] [--runs 7]

One run measures each scale in its own database, `<name>_s<scale>` next to DATABASE_URL's
(seeded with `seed_demo --scale N` when empty; an already seeded one is reused: scale 100,
about a million households in ten streets, takes minutes to seed). Per scale, in a child
process on that database, in the same run:
  report_s        GET /api/reports/grid/?node=<street> through the app (auth, scoping, every
                  aggregate, JSON rendering), median of --runs after one warm-up;
  sql_s           one hand-written SQL statement computing the same headline figures;
  district_*      the same for the district (when it has several streets: scale 100);
  visit_ms        one visit logged through the service (grids.services.visit_log: checks,
                  history, points, rollups) vs visit_ms_plain, the same service with the
                  rollup bumps switched off (write_ratio is the rollups' write amplification),
                  and a bare INSERT for context; each rolled back, median of 25;
  list p99        each long API list (page 1, the street administrator and a grid worker),
                  --list-runs requests; the three slowest are printed.
The parent prints a table, then the JSON line (BENCH.md): the smallest scale's figures as the
headline keys, the largest's district figures, and list_growth = large / small p99.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")


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
    from django.core.management import call_command
    from django.db import connection

    from apps.register.models import Area

    call_command("migrate", verbosity=0)
    if Area.objects.exists():
        return
    print(f"seeding: seed_demo --scale {scale} …", file=sys.stderr, flush=True)
    started = time.monotonic()
    call_command("seed_demo", scale=scale)  # ANALYZEs at the end
    print(f"seeded in {time.monotonic() - started:.0f}s", file=sys.stderr, flush=True)
    with connection.cursor() as cursor:
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


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(round(q * len(ordered) + 0.5)) - 1))]


def report_pair(node, user, runs: int) -> dict:
    """The node's grid report through the app vs the hand-written SQL, and their figures."""
    from django.db import connection
    from django.test import Client

    from apps.grids import reports

    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    period = reports.parse_period(None, None)
    url = f"/api/reports/grid/?node={node.pk}&from={period.start}&to={period.end}"

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
        "like": node.path + "%",
        "start": period.start_dt,
        "end": period.end_dt,
        "month": month,
    }

    def via_sql():
        with connection.cursor() as cursor:
            cursor.execute(HEADLINE_SQL, params)
            return dict(zip(HEADLINE_KEYS, cursor.fetchone(), strict=True))

    report_s, report, sql_s, sql = timed_pair(via_app, via_sql, runs)
    return {
        "report_s": report_s,
        "sql_s": sql_s,
        "app": {k: report["totals"][k] for k in HEADLINE_KEYS},
        "sql": sql,
        "grassroots_share": report["totals"]["grassroots_share"],
        "mismatched": [k for k in HEADLINE_KEYS if sql[k] != report["totals"][k]],
    }


def visit_costs(n: int = 25) -> dict:
    """One visit through the service (what the API's POST runs) with its rollups kept, the same
    service with the rollup bumps switched off (today's cost before the rollups: the write
    amplification is their ratio), and the row inserted bare (context). Each in a transaction
    that is rolled back, so the data set does not drift; interleaved, median of `n`."""
    from django.db import transaction
    from django.utils import timezone

    from apps.grids import rollups, services
    from apps.grids.models import GroupHousehold, Visit
    from apps.points import rollups as points_rollups

    cover = GroupHousehold.objects.filter(group__leader__user__isnull=False)
    cover = cover.select_related("household__area", "group__leader__user").order_by("pk").first()
    household, group = cover.household, cover.group
    leader = group.leader.user
    kept = (rollups.visit_logged, points_rollups.entry_added)

    class Rollback(Exception):
        pass

    def once(fn) -> float:
        started = time.perf_counter()
        try:
            with transaction.atomic():
                fn()
                raise Rollback
        except Rollback:
            pass
        return (time.perf_counter() - started) * 1000

    def via_service():
        services.visit_log(
            actor=leader, household=household, visited_at=timezone.now(), notes="bench", group=group
        )

    def without_rollups():
        rollups.visit_logged = lambda visit: None
        points_rollups.entry_added = lambda entry: None
        try:
            via_service()
        finally:
            rollups.visit_logged, points_rollups.entry_added = kept

    def bare():
        Visit.objects.create(
            household=household,
            area=household.area,
            member=leader.member,
            group=group,
            visited_at=timezone.now(),
            notes="bench",
        )

    once(via_service), once(without_rollups), once(bare)
    kept_ms, plain_ms, bare_ms = [], [], []
    for _ in range(n):
        kept_ms.append(once(via_service))
        plain_ms.append(once(without_rollups))
        bare_ms.append(once(bare))
    return {
        "visit_ms": statistics.median(kept_ms),
        "visit_ms_plain": statistics.median(plain_ms),
        "visit_ms_bare_insert": statistics.median(bare_ms),
    }


LISTS = [
    "/api/visits/",
    "/api/problems/",
    "/api/pairings/",
    "/api/points/",
    "/api/households/",
    "/api/residents/",
    "/api/members/",
    "/api/notifications/",
]


def list_p99(runs: int) -> dict:
    """p99 (ms) of page 1 of each long list, as the street's administrator and a grid worker."""
    from django.test import Client

    from apps.accounts.models import User

    out = {}
    for username in ("administrator", "grid_worker"):
        client = Client(SERVER_NAME="localhost")
        client.force_login(User.objects.get(username=username))
        for url in LISTS:
            assert client.get(url).status_code == 200, url  # warm-up
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            out[f"{username} {url}"] = pct(times, 0.99)
    return out


def measure(scale: int, runs: int, list_runs: int) -> dict:
    """Everything for one scale, on DATABASE_URL (run in a child process)."""
    import django

    django.setup()
    from apps.accounts.models import Role, RoleAssignment, User
    from apps.register.models import Area, Household

    ensure_data(scale)
    street = Area.objects.filter(kind=Area.Kind.STREET).order_by("path").first()
    admin = RoleAssignment.objects.filter(role="administrator", area=street).first().user
    result = {"scale": scale, "households": Household.objects.count()}
    result["street_households"] = Household.objects.filter(
        area__path__startswith=street.path
    ).count()
    street_pair = report_pair(street, admin, runs)
    result["street"] = street_pair
    if Area.objects.filter(kind=Area.Kind.STREET).count() > 1:
        district = Area.objects.filter(kind=Area.Kind.DISTRICT).order_by("path").first()
        user, _ = User.objects.get_or_create(username="bench-district", defaults={"name": "区"})
        RoleAssignment.objects.get_or_create(user=user, role=Role.ADMINISTRATOR, area=district)
        result["district"] = report_pair(district, user, max(3, runs // 2))
    result.update(visit_costs())
    result["lists"] = list_p99(list_runs)
    return result


def scale_url(base: str, scale: int) -> str:
    parts = urlsplit(base)
    name = parts.path.lstrip("/") or "tongxin"
    return urlunsplit(parts._replace(path=f"/{name}_s{scale}"))


def ensure_database(url: str) -> None:
    """Create the scale's database when it does not exist (on the same server)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="10,100", help="comma-separated scales")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--list-runs", type=int, default=40)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:  # one scale, on DATABASE_URL: its JSON on the last line
        print(json.dumps(measure(int(args.scale), args.runs, args.list_runs)))
        return

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("bench/report.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    scales = sorted(int(s) for s in args.scale.split(","))
    results = []
    for scale in scales:
        url = scale_url(base, scale)
        ensure_database(url)
        cmd = [sys.executable, __file__, "--child", "--scale", str(scale)]
        cmd += ["--runs", str(args.runs), "--list-runs", str(args.list_runs)]
        out = subprocess.run(
            cmd,
            env={**os.environ, "DATABASE_URL": url},
            cwd=ROOT,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))

    small, large = results[0], results[-1]
    for r in results:
        s = r["street"]
        print(
            f"\n== scale {r['scale']}: {r['households']} households "
            f"(street {r['street_households']})"
        )
        print(f"{'figure':<22}{'app':>12}{'sql':>12}")
        for key in HEADLINE_KEYS:
            print(f"{key:<22}{s['app'][key]:>12}{s['sql'][key]:>12}")
        print(
            f"street report   app {s['report_s'] * 1000:8.1f} ms   sql {s['sql_s'] * 1000:8.1f} ms"
            f"   ratio {s['report_s'] / s['sql_s']:.2f}   {s['mismatched'] or 'MATCH'}"
        )
        if "district" in r:
            d = r["district"]
            print(
                f"district report app {d['report_s'] * 1000:8.1f} ms   sql "
                f"{d['sql_s'] * 1000:8.1f} ms   ratio {d['report_s'] / d['sql_s']:.2f}   "
                f"{d['mismatched'] or 'MATCH'}"
            )
        print(
            f"visit logged    with rollups {r['visit_ms']:.2f} ms   without "
            f"{r['visit_ms_plain']:.2f} ms   ratio {r['visit_ms'] / r['visit_ms_plain']:.2f}   "
            f"(bare insert {r['visit_ms_bare_insert']:.2f} ms)"
        )
        slowest = sorted(r["lists"].items(), key=lambda kv: -kv[1])[:3]
        for name, ms in slowest:
            print(f"list p99 {name:<38}{ms:8.1f} ms")
    p99 = {r["scale"]: max(r["lists"].values()) for r in results}
    line = {
        "bench": "report",
        "households": small["street_households"],
        "report_s": round(small["street"]["report_s"], 4),
        "sql_s": round(small["street"]["sql_s"], 4),
        "ratio": round(small["street"]["report_s"] / small["street"]["sql_s"], 2),
        "figures_match": not any(r["street"]["mismatched"] for r in results),
        "visit_ms": round(small["visit_ms"], 2),
        "visit_ms_plain": round(small["visit_ms_plain"], 2),
        "write_ratio": round(small["visit_ms"] / small["visit_ms_plain"], 2),
        "list_p99_ms_small": round(p99[small["scale"]], 1),
        "list_p99_ms_large": round(p99[large["scale"]], 1),
        "list_growth": round(p99[large["scale"]] / p99[small["scale"]], 2),
        "scales": [r["scale"] for r in results],
        "slowest_lists_small": sorted(small["lists"], key=lambda k: -small["lists"][k])[:3],
        "slowest_lists_large": sorted(large["lists"], key=lambda k: -large["lists"][k])[:3],
    }
    if "district" in large:
        d = large["district"]
        line.update(
            {
                "district_households": large["households"],
                "district_report_s": round(d["report_s"], 4),
                "district_sql_s": round(d["sql_s"], 4),
                "district_ratio": round(d["report_s"] / d["sql_s"], 2),
                "district_figures_match": not d["mismatched"],
                "large_report_s": round(large["street"]["report_s"], 4),
                "large_ratio": round(large["street"]["report_s"] / large["street"]["sql_s"], 2),
            }
        )
    print(json.dumps(line))


if __name__ == "__main__":
    main()

"""Benchmark: N members claim the same wish at once through the real HTTP stack.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tx_bench python bench/claim.py [--clients 200]

Builds its own data in the database DATABASE_URL names (it WIPES that database), serves the
app with gunicorn on a free loopback port, and releases `--clients` threads (one member and
token each, keep-alive sessions) at once against one published wish per round; in the same
rounds the same clients make a trivial authenticated GET (`/api/wish-categories/`) as the
baseline. Prints a table, then one JSON line (see ../shared/BENCH.md).
"""

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-" + secrets.token_hex(24))
os.environ.setdefault("DEBUG", "0")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clients", type=int, default=200, help="concurrent members (default 200)")
    p.add_argument("--rounds", type=int, default=10, help="wishes raced for, one per round")
    p.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    p.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    return p.parse_args()


def build(clients: int, rounds: int):
    """Geography, one resident, one grid worker, `clients` members with tokens, and one
    published wish per round. Bulk inserts: seconds, not minutes."""
    import django
    from django.core.management import call_command

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench/claim.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)

    from apps.accounts.models import DeviceToken, Role, RoleAssignment, User
    from apps.register.models import Area, Household, Member, PartyOrg, Resident
    from apps.wishes import services
    from apps.wishes.models import WishCategory

    district = Area.objects.add_root({"name": "北仑区", "kind": "district"})
    street = Area.objects.add_child(district, {"name": "大榭街道", "kind": "street"})
    community = Area.objects.add_child(street, {"name": "海城社区", "kind": "community"})
    grid = Area.objects.add_child(community, {"name": "第1网格", "kind": "grid"})
    building = Area.objects.add_child(grid, {"name": "1幢", "kind": "building"})
    branch = PartyOrg.objects.add_root(
        {"name": "海城社区党支部", "kind": "branch", "area": community}
    )
    household = Household.objects.create(area=building, unit="1", room="101")
    resident_user = User.objects.create(username="bench-resident", name="王秀梅")
    Resident.objects.create(household=household, user=resident_user, name="王秀梅")
    worker = User.objects.create(username="bench-worker", name="陈网格")
    RoleAssignment.objects.create(user=worker, role=Role.GRID_WORKER, area=grid)
    category = WishCategory.objects.get_or_create(name="助老")[0]

    users = User.objects.bulk_create(User(username=f"bench-m{i}") for i in range(clients))
    Member.objects.bulk_create(
        Member(user=u, name=f"党员{i}", branch=branch, community=community, kind="employed")
        for i, u in enumerate(users)
    )
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=u, role=Role.MEMBER, area=community) for u in users
    )
    tokens = [DeviceToken.objects.create(u, name="bench")[1] for u in users]

    wish_ids = []
    for r in range(rounds):
        wish = services.wish_submit(actor=resident_user, title=f"心愿{r}", category=category)
        services.wish_publish(wish=wish, actor=worker)
        wish_ids.append(wish.pk)
    connection.close()
    return tokens, wish_ids


LOG = Path(os.environ.get("TMPDIR", "/tmp")) / "tongxin-bench-claim-gunicorn.log"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(port: int, workers: int, threads: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "WISH_MAX_OPEN_CLAIMS": "1000000",  # one member may win every round
        "LOG_LEVEL": "ERROR",
    }
    cmd = [sys.executable, "-m", "gunicorn", "config.wsgi:application"]
    cmd += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads)]
    cmd += ["--worker-class", "gthread", "--log-level", "error", "--keep-alive", "30"]
    # The server's log (one "Conflict" warning per lost claim) goes to a file, not the table.
    log = open(LOG, "w")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/api/wish-categories/", timeout=1)
            return proc
        except requests.RequestException:
            time.sleep(0.2)
    proc.terminate()
    sys.exit("gunicorn did not start")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(round(q * len(ordered) + 0.5)) - 1))]


def run(port: int, tokens: list[str], wish_ids: list[int]):
    import requests

    base = f"http://127.0.0.1:{port}"
    barrier = threading.Barrier(len(tokens))
    lock = threading.Lock()
    get_ms, claim_ms, statuses, codes = [], [], [], []
    per_round = [0] * len(wish_ids)

    def client(token: str) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Token {token}"
        session.get(f"{base}/api/wish-categories/", timeout=60)  # warm the connection
        for r, wish_id in enumerate(wish_ids):
            barrier.wait()
            t0 = time.perf_counter()
            g = session.get(f"{base}/api/wish-categories/", timeout=60)
            g_ms = (time.perf_counter() - t0) * 1000
            barrier.wait()
            t0 = time.perf_counter()
            c = session.post(f"{base}/api/wishes/{wish_id}/claim/", json={}, timeout=60)
            c_ms = (time.perf_counter() - t0) * 1000
            code = c.json().get("code", "") if c.status_code != 200 else "won"
            with lock:
                get_ms.append(g_ms)
                claim_ms.append(c_ms)
                statuses.extend([g.status_code, c.status_code])
                codes.append(code)
                if c.status_code == 200:
                    per_round[r] += 1
        session.close()

    threads = [threading.Thread(target=client, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return get_ms, claim_ms, statuses, codes, per_round


def main() -> None:
    args = parse_args()
    t0 = time.perf_counter()
    tokens, wish_ids = build(args.clients, args.rounds)
    build_s = time.perf_counter() - t0
    port = free_port()
    server = serve(port, args.workers, args.threads)
    try:
        get_ms, claim_ms, statuses, codes, per_round = run(port, tokens, wish_ids)
    finally:
        server.terminate()
        server.wait(timeout=30)

    errors_5xx = sum(1 for s in statuses if s >= 500)
    winners = 1 if all(n == 1 for n in per_round) else max(per_round, key=lambda n: abs(n - 1))
    result = {
        "bench": "claim",
        "clients": args.clients,
        "rounds": args.rounds,
        "winners": winners,
        "winners_per_round": per_round,
        "errors_5xx": errors_5xx,
        "already_claimed": codes.count("already_claimed"),
        "other_errors": len(codes) - codes.count("won") - codes.count("already_claimed"),
        "claim_p50_ms": round(statistics.median(claim_ms), 1),
        "claim_p99_ms": round(pct(claim_ms, 0.99), 1),
        "get_p50_ms": round(statistics.median(get_ms), 1),
        "get_p99_ms": round(pct(get_ms, 0.99), 1),
        "gunicorn": f"{args.workers} workers x {args.threads} threads (gthread)",
        "build_s": round(build_s, 1),
    }
    result["ratio_p99"] = round(result["claim_p99_ms"] / result["get_p99_ms"], 2)

    print(f"claim benchmark: {args.clients} clients x {args.rounds} rounds, {result['gunicorn']}")
    print(f"{'':<26}{'p50 ms':>10}{'p99 ms':>10}")
    print(f"{'GET /api/wish-categories/':<26}{result['get_p50_ms']:>10}{result['get_p99_ms']:>10}")
    print(f"{'POST claim':<26}{result['claim_p50_ms']:>10}{result['claim_p99_ms']:>10}")
    print(f"winners per round: {per_round}   already_claimed: {result['already_claimed']}")
    print(f"5xx: {errors_5xx}   other errors: {result['other_errors']}")
    print(f"ratio claim p99 / GET p99: {result['ratio_p99']}   (server log: {LOG})")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()

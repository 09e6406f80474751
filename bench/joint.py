"""Benchmark: N residents co-sign the same joint request at once through the real HTTP stack.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tx_bench python bench/joint.py \
        [--clients 200] [--threshold 10] [--rounds 3]

Builds its own data in the database DATABASE_URL names (it WIPES that database): one
community, `--clients` residents with a login and a household each, and one joint request
per round (threshold `--threshold`). Serves the app with gunicorn on a free loopback port
and releases every client at once against one request per round (bench/harness.py, shared
with claim.py and signup.py); in the same rounds the same clients make a trivial
authenticated GET (`/api/wish-categories/`) as the baseline. Prints a table, then one JSON
line.
"""

import argparse
import json
import statistics

import harness  # noqa: I001 - sets the Django environment first
from harness import pct

LOG = harness.log_path("joint")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clients", type=int, default=200)
    p.add_argument("--threshold", type=int, default=10)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--threads", type=int, default=8)
    return p.parse_args()


def build(clients: int, threshold: int, rounds: int):
    harness.setup("joint.py")
    from django.db import connection

    from apps.accounts.models import User
    from apps.projects import services
    from apps.projects.models import WorkingGroup
    from apps.register.models import Area, Household, Resident
    from apps.wishes.models import WishCategory

    district = Area.objects.add_root({"name": "北仑区", "kind": "district"})
    street = Area.objects.add_child(district, {"name": "大榭街道", "kind": "street"})
    community = Area.objects.add_child(street, {"name": "海城社区", "kind": "community"})
    grid = Area.objects.add_child(community, {"name": "第1网格", "kind": "grid"})
    building = Area.objects.add_child(grid, {"name": "1幢", "kind": "building"})
    WishCategory.objects.get_or_create(name="助老")
    WorkingGroup.objects.create(community=community, threshold=threshold)
    users = User.objects.bulk_create(User(username=f"bench-r{i}") for i in range(clients + 1))
    homes = Household.objects.bulk_create(
        Household(area=building, unit="1", room=str(1000 + i)) for i in range(clients + 1)
    )
    Resident.objects.bulk_create(
        Resident(household=h, user=u, name=f"居民{i}")
        for i, (h, u) in enumerate(zip(homes, users, strict=True))
    )
    opener = users[-1]
    request_ids = [
        services.joint_open(actor=opener, topic=f"点题{r}", level="community").pk
        for r in range(rounds)
    ]
    tokens = harness.tokens(users[:clients])
    connection.close()
    return tokens, request_ids


def check(request_ids: list[int]) -> dict:
    from apps.notifications.models import OutboxEvent
    from apps.projects.models import JointRequest, JointRequestEvent, Signature

    rows = JointRequest.objects.filter(pk__in=request_ids)
    return {
        "counts": [r.signature_count for r in rows],
        "signatures": [
            Signature.objects.filter(request=r, withdrawn_at=None).count() for r in rows
        ],
        "statuses": sorted({r.status for r in rows}),
        "reach_moves": JointRequestEvent.objects.filter(
            request__in=request_ids, move="reach"
        ).count(),
        "reached_events": OutboxEvent.objects.filter(name="joint.reached").count(),
    }


def main() -> None:
    args = parse_args()
    tokens, request_ids = build(args.clients, args.threshold, args.rounds)
    port = harness.free_port()
    server = harness.serve(port, args.workers, args.threads, log=LOG)
    try:
        paths = [f"/api/joint-requests/{pk}/sign/" for pk in request_ids]
        race = harness.race(port, tokens, paths)
    finally:
        server.terminate()
        server.wait(timeout=30)
    get_ms, sign_ms = race.get_ms, race.post_ms
    codes = [
        "signed" if status == 201 else body.get("code", str(status))
        for answers in race.answers
        for status, body in answers
    ]
    found = check(request_ids)
    expected = args.clients + 1  # every client and the opener
    result = {
        "bench": "joint",
        "clients": args.clients,
        "threshold": args.threshold,
        "rounds": args.rounds,
        "signed": codes.count("signed"),
        "counts_exact": found["counts"] == found["signatures"] == [expected] * args.rounds,
        "statuses": found["statuses"],
        "reach_moves": found["reach_moves"],  # must equal rounds
        "reached_events": found["reached_events"],  # must equal rounds
        "errors_5xx": race.errors_5xx,
        "other_errors": len(codes) - codes.count("signed"),
        "sign_p50_ms": round(statistics.median(sign_ms), 1),
        "sign_p99_ms": round(pct(sign_ms, 0.99), 1),
        "get_p50_ms": round(statistics.median(get_ms), 1),
        "get_p99_ms": round(pct(get_ms, 0.99), 1),
        "gunicorn": f"{args.workers} workers x {args.threads} threads (gthread)",
    }
    result["ratio_p99"] = round(result["sign_p99_ms"] / result["get_p99_ms"], 2)
    print(f"joint benchmark: {args.clients} clients x {args.rounds} rounds, {result['gunicorn']}")
    print(f"{'':<26}{'p50 ms':>10}{'p99 ms':>10}")
    print(f"{'GET /api/wish-categories/':<26}{result['get_p50_ms']:>10}{result['get_p99_ms']:>10}")
    print(f"{'POST sign':<26}{result['sign_p50_ms']:>10}{result['sign_p99_ms']:>10}")
    print(
        f"counts exact: {result['counts_exact']} ({found['counts']})   reach moves: "
        f"{result['reach_moves']}   joint.reached events: {result['reached_events']}"
    )
    print(f"5xx: {result['errors_5xx']}   other errors: {result['other_errors']}")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()

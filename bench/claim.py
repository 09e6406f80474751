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
import statistics
import time

import harness  # noqa: I001 - sets the Django environment first
from harness import pct


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clients", type=int, default=200, help="concurrent members (default 200)")
    p.add_argument("--rounds", type=int, default=10, help="wishes raced for, one per round")
    p.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    p.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    return p.parse_args()


def build(clients: int, rounds: int):
    return harness.published_wishes("claim.py", clients, rounds)


LOG = harness.log_path("claim")


def main() -> None:
    args = parse_args()
    t0 = time.perf_counter()
    tokens, wish_ids = build(args.clients, args.rounds)
    build_s = time.perf_counter() - t0
    port = harness.free_port()
    # one member may win every round
    server = harness.serve(
        port, args.workers, args.threads, log=LOG, env={"WISH_MAX_OPEN_CLAIMS": "1000000"}
    )
    try:
        race = harness.race(port, tokens, [f"/api/wishes/{w}/claim/" for w in wish_ids])
    finally:
        server.terminate()
        server.wait(timeout=30)

    get_ms, claim_ms, errors_5xx = race.get_ms, race.post_ms, race.errors_5xx
    per_round = [sum(1 for st, _b in answers if st == 200) for answers in race.answers]
    codes = [
        "won" if st == 200 else body.get("code", "")
        for answers in race.answers
        for st, body in answers
    ]
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

"""Benchmark: does asking for an SMS code (and trying one) take the same time whether or
not the phone has an account? (No account enumeration by timing.)

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tx_bench \\
        python bench/sms_codes.py --redis redis://127.0.0.1:6379/15 [--requests 300]

Builds its own data in the database DATABASE_URL names (it WIPES that database) and uses the
Redis database given (FLUSHED: the cache, and the broker the texts are queued on; no worker
runs), serves the app with gunicorn on a free loopback port and, from one keep-alive client,
alternates requests for a registered phone and for an unknown one, each phone asked once
and each request from its own address (X-Bench-Ip), so that no limit applies. Then a wrong
code is tried for each. The baseline is the unknown phones, in the same run. Prints a
table, then one JSON line (see ../shared/BENCH.md).
"""

import argparse
import json
import time

import harness  # noqa: I001 - sets the Django environment first
from harness import pct


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--redis", required=True, help="a Redis database it may flush")
    p.add_argument("--requests", type=int, default=300, help="requests per kind (default 300)")
    return p.parse_args()


def build(n: int) -> list[str]:
    harness.setup("sms_codes.py")
    from django.db import connection

    from apps.accounts.models import User

    phones = [f"135{i:08d}" for i in range(n)]
    User.objects.bulk_create(User(username=f"bench-sms{i}", phone=p) for i, p in enumerate(phones))
    connection.close()
    return phones


def timed(session, url: str, body: dict, address: str) -> tuple[float, int]:
    start = time.perf_counter()
    response = session.post(url, json=body, headers={"X-Bench-Ip": address}, timeout=30)
    return (time.perf_counter() - start) * 1000, response.status_code


def main():
    args = parse_args()
    import os

    os.environ["REDIS_URL"] = args.redis
    import redis
    import requests

    redis.Redis.from_url(args.redis).flushdb()
    known = build(args.requests)
    unknown = [f"136{i:08d}" for i in range(args.requests)]
    port = harness.free_port()
    env = {"REDIS_URL": args.redis, "NOTIFY_SMS_DEV": "1", "CLIENT_IP_HEADER": "HTTP_X_BENCH_IP"}
    server = harness.serve(port, 2, 4, log=harness.log_path("sms"), env=env)
    base = f"http://127.0.0.1:{port}"
    times: dict[str, list[float]] = {k: [] for k in ("ask_known", "ask_unknown")}
    times |= {"try_known": [], "try_unknown": []}
    statuses: set[int] = set()
    try:
        with requests.Session() as session:
            for _warm in range(20):
                timed(session, base + "/api/auth/sms-code/", {"phone": "12"}, "10.9.9.9")
            for i, (a, b) in enumerate(zip(known, unknown, strict=True)):
                for kind, phone in (("known", a), ("unknown", b))[:: 1 if i % 2 else -1]:
                    ms, status = timed(
                        session, base + "/api/auth/sms-code/", {"phone": phone}, f"10.1.{i}.{kind}"
                    )
                    times[f"ask_{kind}"].append(ms)
                    statuses.add(status)
            for i, (a, b) in enumerate(zip(known, unknown, strict=True)):
                for kind, phone in (("known", a), ("unknown", b))[:: 1 if i % 2 else -1]:
                    body = {"phone": phone, "code": "000000"}
                    ms, status = timed(
                        session, base + "/api/auth/sms-login/", body, f"10.2.{i}.{kind}"
                    )
                    times[f"try_{kind}"].append(ms)
                    statuses.add(status)
    finally:
        server.terminate()
        server.wait(30)
        redis.Redis.from_url(args.redis).flushdb()

    row = "{:<14} {:>8} {:>8} {:>8}"
    print(row.format("request", "p50 ms", "p90 ms", "p99 ms"))
    result = {"bench": "sms_codes", "requests": args.requests, "statuses": sorted(statuses)}
    for name, values in times.items():
        p50, p90, p99 = (pct(values, q) for q in (0.5, 0.9, 0.99))
        print(row.format(name, f"{p50:.1f}", f"{p90:.1f}", f"{p99:.1f}"))
        result[f"{name}_p50_ms"] = round(p50, 2)
    result["ask_ratio_p50"] = round(result["ask_known_p50_ms"] / result["ask_unknown_p50_ms"], 3)
    result["try_ratio_p50"] = round(result["try_known_p50_ms"] / result["try_unknown_p50_ms"], 3)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

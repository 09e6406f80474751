"""Benchmark: how fast a claim reaches every open wish hall (the live hall, apps.live).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tx_bench REDIS_URL=redis://127.0.0.1:6379/9 \\
        python bench/live.py [--clients 1000] [--layer pubsub|redis]

Builds its own data in the database DATABASE_URL names (it WIPES that database): `--clients`
members of one community with device tokens and one published wish. Serves the app with
uvicorn (config.asgi, one process) on a free loopback port, opens one websocket per member
(asyncio, the `websockets` package) and has one member claim the wish through the API. Each
client notes when the wish's event arrives; latency is from the claim's commit (the event's
`at`, stamped after commit) to arrival. The floor, in the same run: a bare Redis PUBLISH to as
many asyncio subscribers (one connection each, redis.asyncio), from PUBLISH to arrival. Also
the server's memory per open connection (RSS after the sockets opened, less before). Prints a
table, then one JSON line (see ../shared/BENCH.md).
"""

import argparse
import asyncio
import gc
import json
import os
import resource
import sys
import time

import harness  # noqa: I001 - sets the Django environment first
from harness import pct

ROUNDS = 5  # claims (one wish each) after a warm-up one; the latencies are pooled


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clients", type=int, default=1000, help="open hall connections")
    p.add_argument("--rounds", type=int, default=ROUNDS, help="claims, one wish each")
    p.add_argument("--layer", choices=["pubsub", "redis"], default="pubsub", help="channel layer")
    p.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    return p.parse_args()


def raise_fd_limit(need: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, need))
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    if want < need:
        sys.exit(f"bench/live.py needs {need} open files; the hard limit is {hard}")


def build(clients: int, rounds: int):
    return harness.published_wishes("live.py", clients, rounds)


def quiet_gc() -> None:
    """No collector pause in this (client) process while a round is measured, for the live
    clients and the floor's alike."""
    gc.collect()
    gc.disable()


async def open_sockets(port: int, tokens: list[str]):
    import websockets

    url, origin = f"ws://127.0.0.1:{port}/ws/live/", f"http://127.0.0.1:{port}"
    sem = asyncio.Semaphore(50)  # handshakes in flight

    async def one(token):
        async with sem:
            for attempt in range(5):
                try:
                    ws = await websockets.connect(
                        url,
                        origin=origin,
                        additional_headers={"Authorization": f"Token {token}"},
                        open_timeout=60,
                        ping_interval=None,
                        max_queue=None,
                    )
                    break
                except (OSError, websockets.InvalidStatus, TimeoutError):
                    if attempt == 4:
                        raise
                    await asyncio.sleep(0.5)
            hello = json.loads(await ws.recv())
            assert hello["type"] == "hello", hello
            return ws

    return await asyncio.gather(*(one(t) for t in tokens))


async def live_round(port: int, sockets, token: str, wish_id: int) -> tuple[list[float], float]:
    """One claim; each socket's latency (ms) from the commit to its event."""
    import requests

    latencies: list[float] = []

    async def listen(ws):
        while True:
            event = json.loads(await ws.recv())
            if event.get("type") == "wish" and event.get("id") == wish_id:
                latencies.append(time.time() * 1000 - event["at"])
                return

    listeners = [asyncio.create_task(listen(ws)) for ws in sockets]
    await asyncio.sleep(0.2)
    quiet_gc()
    t0 = time.perf_counter()
    response = await asyncio.to_thread(
        requests.post,
        f"http://127.0.0.1:{port}/api/wishes/{wish_id}/claim/",
        headers={"Authorization": f"Token {token}"},
        json={},
        timeout=30,
    )
    assert response.status_code in (200, 201), (response.status_code, response.text)
    claim_ms = (time.perf_counter() - t0) * 1000
    done, pending = await asyncio.wait(listeners, timeout=10)
    gc.enable()
    for task in pending:
        task.cancel()
    return latencies, claim_ms


async def floor_round(redis_url: str, n: int) -> list[float]:
    """A bare PUBLISH to `n` asyncio subscribers, one connection each."""
    import redis.asyncio as aioredis

    channel = "tongxin-bench-floor"
    subs = []
    sem = asyncio.Semaphore(100)

    async def subscribe():
        async with sem:
            client = aioredis.Redis.from_url(redis_url)
            pubsub = client.pubsub()
            await pubsub.subscribe(channel)
            await pubsub.get_message(timeout=5)  # the subscribe confirmation
            return client, pubsub

    subs = await asyncio.gather(*(subscribe() for _ in range(n)))
    latencies: list[float] = []

    async def listen(pubsub):
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=10)
            if message is not None:
                latencies.append(time.time() * 1000 - float(message["data"]))
                return

    listeners = [asyncio.create_task(listen(p)) for _c, p in subs]
    await asyncio.sleep(0.2)
    quiet_gc()
    publisher = aioredis.Redis.from_url(redis_url)
    await publisher.publish(channel, repr(time.time() * 1000))
    await asyncio.wait(listeners, timeout=10)
    gc.enable()
    for client, pubsub in subs:
        await pubsub.aclose()
        await client.aclose()
    await publisher.aclose()
    return latencies


async def run(args, port: int, server_pid: int, tokens: list[str], wish_ids: list[int]):
    rss_before = harness.rss_kb(server_pid)
    t0 = time.perf_counter()
    sockets = await open_sockets(port, tokens)
    connect_s = time.perf_counter() - t0
    await asyncio.sleep(1)
    kb_per_connection = (harness.rss_kb(server_pid) - rss_before) / len(sockets)
    live: list[float] = []
    delivered = []
    claims = []
    # One claim first, not measured: a fresh server process's first request imports and
    # connects what it needs (Celery's broker client …) while holding the interpreter.
    warm, warm_claim = await live_round(port, sockets, tokens[-1], wish_ids[-1])
    print(f"warm-up: {len(warm)} delivered, claim request {warm_claim:.0f} ms", flush=True)
    for r, wish_id in enumerate(wish_ids[:-1]):
        latencies, claim_ms = await live_round(port, sockets, tokens[r], wish_id)
        live += latencies
        delivered.append(len(latencies))
        print(
            f"round {r + 1}: {len(latencies)} delivered, p50 {pct(latencies, 0.5):.0f} ms, "
            f"p99 {pct(latencies, 0.99):.0f} ms, claim request {claim_ms:.0f} ms",
            flush=True,
        )
        claims.append(claim_ms)
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    floor: list[float] = []
    for _ in wish_ids[:-1]:
        floor += await floor_round(os.environ["REDIS_URL"], len(tokens))
    return live, floor, delivered, claims, kb_per_connection, connect_s


def main() -> None:
    args = parse_args()
    if not os.environ.get("REDIS_URL"):
        sys.exit("bench/live.py needs Redis: set REDIS_URL=redis://...")
    raise_fd_limit(3 * args.clients + 256)
    t0 = time.perf_counter()
    tokens, wish_ids = build(args.clients, args.rounds + 1)  # + the warm-up
    build_s = time.perf_counter() - t0
    port = harness.free_port()
    server = harness.serve_asgi(
        port,
        log=harness.log_path("live").with_suffix(".uvicorn.log"),
        workers=args.workers,
        env={"LIVE_CHANNEL_LAYER": args.layer, "WISH_MAX_OPEN_CLAIMS": "1000000"},
    )
    try:
        live, floor, delivered, claims, kb, connect_s = asyncio.run(
            run(args, port, server.pid, tokens, wish_ids)
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    p50, p99 = pct(live, 0.50), pct(live, 0.99)
    floor_p50, floor_p99 = pct(floor, 0.50), pct(floor, 0.99)
    within_1s = sum(1 for v in live if v <= 1000)
    print(f"build {build_s:.1f} s; {args.clients} sockets opened in {connect_s:.1f} s")
    print(f"{'':28}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    print(f"{'live (claim commit → page)':28}{p50:>10.1f}{p99:>10.1f}{max(live):>10.1f}")
    print(
        f"{'floor (bare Redis PUBLISH)':28}{floor_p50:>10.1f}{floor_p99:>10.1f}{max(floor):>10.1f}"
    )
    print(f"delivered per claim: {delivered} of {args.clients}; within 1 s: {within_1s}")
    claimed = ", ".join(f"{c:.0f}" for c in claims)
    print(f"claim request: {claimed} ms; layer: {args.layer}; {args.workers} uvicorn workers")
    print(f"server memory per open connection: {kb:.1f} KB")
    result = {
        "bench": "live",
        "clients": args.clients,
        "delivered": min(delivered),
        "p50_ms": round(p50, 1),
        "p99_ms": round(p99, 1),
        "floor_p50_ms": round(floor_p50, 1),
        "floor_p99_ms": round(floor_p99, 1),
        "ratio_p99": round(p99 / floor_p99, 2) if floor_p99 else None,
        "kb_per_connection": round(kb, 1),
        "within_1s": within_1s,
        "rounds": args.rounds,
        "layer": args.layer,
        "workers": args.workers,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()

"""Fan-out benchmark: one event to 1 member and to --recipients members (default 6,000).

    DATABASE_URL=postgres://... python bench/fanout.py [--recipients 6000] [--redis URL]

Builds its own geography and members (everything it made before is deleted first), starts
a real `celery -A config worker` against Redis and the same database, and times:

- request_ms_1 / request_ms_n: the triggering request (POST /api/notifications/broadcast/
  through Django's full request cycle, in this process) for an area with 1 and with N
  members: the outbox row is written and the task published; nothing is resolved yet.
- fanout_s: from the request until every one of the N inbox rows exists (worker side).
- bulk_create_s: the baseline, one bulk_create of N bare inbox rows in this process.
- ratio = fanout_s / bulk_create_s.

Prints a table, then one JSON line.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BENCH_PREFIX = "bench-fanout-"
ROOT_AREA = "基准测试区(fanout)"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=6000)
    parser.add_argument("--repeat", type=int, default=5, help="1-member requests timed")
    parser.add_argument("--fanout-runs", type=int, default=3, help="N-member events timed")
    parser.add_argument(
        "--redis",
        default=os.environ.get("REDIS_URL")
        or os.environ.get("TONGXIN_TEST_REDIS_URL")
        or "redis://127.0.0.1:6379/15",
    )
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    return parser.parse_args()


def setup_django(redis_url: str):
    os.environ["REDIS_URL"] = redis_url  # Celery publishes to the real broker, not eagerly
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def wait_for(predicate, timeout: float, what: str, interval: float = 0.02) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if predicate():
            return time.perf_counter()
        time.sleep(interval)
    raise SystemExit(f"timed out after {timeout}s waiting for {what}")


def cleanup():
    from apps.accounts.models import User
    from apps.notifications.models import OutboxEvent
    from apps.register.models import Area, Member, PartyOrg

    OutboxEvent.objects.filter(actor__username__startswith=BENCH_PREFIX).delete()
    Member.objects.filter(user__username__startswith=BENCH_PREFIX).delete()
    User.objects.filter(username__startswith=BENCH_PREFIX).delete()
    PartyOrg.objects.filter(name=ROOT_AREA, depth=1).delete()
    for root in Area.objects.filter(name=ROOT_AREA, depth=1):
        root.delete()


def build(n: int):
    from apps.accounts.models import DeviceToken, Role, RoleAssignment, User
    from apps.register.models import Area, Member, PartyOrg

    cleanup()
    district = Area.objects.add_root({"name": ROOT_AREA, "kind": Area.Kind.DISTRICT})
    street = Area.objects.add_child(district, {"name": "基准街道", "kind": Area.Kind.STREET})
    one = Area.objects.add_child(street, {"name": "一人社区", "kind": Area.Kind.COMMUNITY})
    many = Area.objects.add_child(street, {"name": "万人社区", "kind": Area.Kind.COMMUNITY})
    branch = PartyOrg.objects.add_root(
        {"name": ROOT_AREA, "kind": PartyOrg.Kind.BRANCH, "area": street}
    )
    secretary = User.objects.create(username=f"{BENCH_PREFIX}secretary", password="!")
    RoleAssignment.objects.create(user=secretary, role=Role.SECRETARY, area=street)
    users = User.objects.bulk_create(
        [
            User(username=f"{BENCH_PREFIX}{i}", email=f"m{i}@bench.example.cn", password="!")
            for i in range(n + 1)
        ],
        batch_size=2000,
    )
    Member.objects.bulk_create(
        [
            Member(
                user=user,
                name=f"党员{i}",
                branch=branch,
                community=one if i == 0 else many,
                kind=Member.Kind.EMPLOYED,
            )
            for i, user in enumerate(users)
        ],
        batch_size=2000,
    )
    _instance, token = DeviceToken.objects.create(secretary, name="bench")
    return one, many, token, [u.pk for u in users[1:]]


class Worker:
    def __init__(self, redis_url: str, concurrency: int, log_path: Path):
        env = {
            **os.environ,
            "REDIS_URL": redis_url,
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        }
        celery = str(Path(sys.executable).with_name("celery"))
        self.log_path = log_path
        self.process = subprocess.Popen(
            [celery, "-A", "config", "worker", "-l", "info", "-c", str(concurrency)]
            + ["--without-gossip", "--without-mingle", "-n", f"bench-{os.getpid()}@%h"],
            cwd=ROOT,
            env=env,
            stdout=log_path.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(
            lambda: "ready." in log_path.read_text() or self.process.poll() is not None,
            90,
            "the worker",
            0.2,
        )
        if self.process.poll() is not None:
            raise SystemExit(log_path.read_text())

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def main():
    args = parse_args()
    setup_django(args.redis)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from apps.notifications.models import Delivery, Notification, OutboxEvent
    from config.celery import app

    call_command("migrate", verbosity=0)
    n = args.recipients
    print(f"building 1 + {n} members on {connection.vendor} ...", flush=True)
    one, many, token, many_ids = build(n)
    app.control.purge()

    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}")

    def trigger(area) -> tuple[int, float, float]:
        payload = {"area": area.pk, "title": "停水通知", "body": "明天 9 点到 12 点停水"}
        started = time.perf_counter()
        response = client.post(
            "/api/notifications/broadcast/", payload, content_type="application/json"
        )
        elapsed = time.perf_counter() - started
        assert response.status_code == 202, response.content
        return response.json()["event"], elapsed, started

    def settled(event_id: int) -> bool:
        event = OutboxEvent.objects.get(pk=event_id)
        pending = Delivery.objects.filter(event_id=event_id, status="pending").exists()
        return event.relayed_at is not None and not pending

    with tempfile.TemporaryDirectory() as tmp:
        worker = Worker(args.redis, args.concurrency, Path(tmp) / "worker.log")
        try:
            event_id, _, _ = trigger(one)  # warm-up: imports, connections
            wait_for(lambda: settled(event_id), 60, "the warm-up")

            request_1 = []
            for _ in range(args.repeat):
                event_id, elapsed, _ = trigger(one)
                request_1.append(elapsed)
                wait_for(lambda event_id=event_id: settled(event_id), 60, "a 1-member event")

            request_n, fanouts, settle = [], [], []
            for _ in range(args.fanout_runs):
                event_id, elapsed, started = trigger(many)
                request_n.append(elapsed)
                inbox = Notification.objects.filter(event_id=event_id)
                done = wait_for(lambda inbox=inbox: inbox.count() >= n, 300, "the inbox rows", 0.01)
                fanouts.append(done - started)
                done = wait_for(
                    lambda event_id=event_id: settled(event_id), 600, "the e-mails", 0.2
                )
                settle.append(done - started)
        finally:
            worker.stop()

    # Baseline in the same run: one bulk_create of as many bare inbox rows.
    baseline_event = OutboxEvent.objects.create(name="notifications.test", audience={})
    started = time.perf_counter()
    Notification.objects.bulk_create(
        [Notification(event=baseline_event, recipient_id=uid, title="t") for uid in many_ids]
    )
    bulk_create_s = time.perf_counter() - started
    baseline_event.delete()

    result = {
        "bench": "fanout",
        "recipients": n,
        "database": connection.vendor,
        "request_ms_1": round(statistics.median(request_1) * 1000, 2),
        "request_ms_n": round(statistics.median(request_n) * 1000, 2),
        "fanout_s": round(statistics.median(fanouts), 3),
        "bulk_create_s": round(bulk_create_s, 3),
        "ratio": round(statistics.median(fanouts) / bulk_create_s, 2),
        "settled_s": round(statistics.median(settle), 3),
        "fanout_runs": len(fanouts),
        "worker_concurrency": args.concurrency,
    }
    print()
    print(f"{'measure':<34}{'value':>12}")
    print(f"{'request, 1 member (ms, median)':<34}{result['request_ms_1']:>12}")
    print(f"{f'request, {n} members (ms, median)':<34}{result['request_ms_n']:>12}")
    print(f"{'fan-out to every inbox (s)':<34}{result['fanout_s']:>12}")
    print(f"{'bulk_create of as many rows (s)':<34}{result['bulk_create_s']:>12}")
    print(f"{'ratio fan-out / bulk_create':<34}{result['ratio']:>12}")
    print(f"{'until e-mails sent too (s)':<34}{result['settled_s']:>12}")
    cleanup()
    print(json.dumps(result))


if __name__ == "__main__":
    main()

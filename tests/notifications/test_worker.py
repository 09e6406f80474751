"""End to end with a real Redis broker and real `celery -A config worker` subprocesses on
the pytest PostgreSQL database: what commits arrives, what rolls back never does, a broker
outage at publish time delays and loses nothing, a worker killed mid-fan-out leads to
exactly one delivery per recipient and channel."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from apps.notifications import audiences
from apps.notifications.models import Delivery, Notification, OutboxEvent
from apps.notifications.services import notify
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))

pytestmark = pytest.mark.services


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    """`celery -A config worker` (with embedded beat when asked) on the test database."""

    def __init__(self, broker: str, tmp_path: Path, *, beat: bool = False, **env):
        self.log = tmp_path / f"worker-{time.monotonic_ns()}.log"
        environment = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": database_url(),
            "REDIS_URL": broker,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(tmp_path / "mail"),
            "NOTIFY_SWEEP_EVERY_S": "1",
            "NOTIFY_SWEEP_AFTER_S": "1",
            "NOTIFY_REMINDERS_EVERY_S": "3600",
            "CONN_MAX_AGE": "0",
            **{k: str(v) for k, v in env.items()},
        }
        command = [CELERY, "-A", "config", "worker", "-l", "info", "-c", "2", "--without-gossip"]
        command += ["--without-mingle", "-n", f"test-{time.monotonic_ns()}@%h"]
        if beat:
            command += ["-B", "-s", str(tmp_path / f"beat-{time.monotonic_ns()}")]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill the pool children too
        )
        wait_for(lambda: "ready." in self.output() or self.process.poll() is not None, 60, "worker")
        assert self.process.poll() is None, self.output()

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


class RedisServer:
    """A private redis-server on a free port, so stopping it never touches the shared one."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None
        self.start()

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)

        def up():
            try:
                return client.ping()
            except redis.RedisError:
                return False

        wait_for(up, 15, "redis-server")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def use_broker():
    """Point this process's Celery app at `url` and stop running tasks eagerly."""
    from config.celery import app

    def use(url: str):
        app.conf.broker_url = url
        app.conf.task_always_eager = False
        app._after_fork()  # drop the pooled connections to the previous broker
        return app

    yield use
    app._after_fork()


@pytest.fixture
def workers(tmp_path):
    started = []

    def start(broker, **kwargs):
        worker = Worker(broker, tmp_path, **kwargs)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def shared_redis(redis_url):
    import redis

    # Drop tasks a previous run left in the queue (only Celery's keys: the db may be shared).
    redis.Redis.from_url(redis_url).delete("celery", "unacked", "unacked_index")
    return redis_url


def members(world, n: int) -> list:
    users = []
    for i in range(n):
        user = f.UserFactory(email=f"m{i}@example.cn")
        f.MemberFactory(user=user, branch=world.branch_a, community=world.community_a)
        users.append(user)
    return users


def mailed(tmp_path) -> list[str]:
    mail_dir = tmp_path / "mail"
    if not mail_dir.exists():
        return []
    lines = []
    for message in mail_dir.iterdir():
        lines += [line for line in message.read_text().splitlines() if line.startswith("To: ")]
    return lines


def test_committed_event_arrives_and_rolled_back_one_never_does(
    services, world, shared_redis, use_broker, workers
):
    use_broker(shared_redis)
    workers(shared_redis)
    member = world.user("member")
    with pytest.raises(RuntimeError), transaction.atomic():
        notify("notifications.test", audience=audiences.users(member.pk))
        raise RuntimeError("rolled back")
    with transaction.atomic():
        event = notify("notifications.test", audience=audiences.users(member.pk))
    wait_for(lambda: Notification.objects.filter(event=event).exists(), 30, "the inbox row")
    time.sleep(1)  # anything else in flight would land now
    assert list(Notification.objects.values_list("event_id", flat=True)) == [event.pk]
    assert OutboxEvent.objects.count() == 1


def test_broker_down_at_publish_the_request_succeeds_and_the_sweeper_delivers(
    services, world, use_broker, workers
):
    redis_server = RedisServer()
    try:
        use_broker(redis_server.url)
        workers(redis_server.url, beat=True)
        redis_server.stop()

        client = APIClient()
        client.force_authenticate(world.user("member"))
        started = time.monotonic()
        response = client.post("/api/notifications/test/")
        elapsed = time.monotonic() - started
        assert response.status_code == 202
        assert elapsed < 5, f"the request waited {elapsed:.1f}s for the broker"
        event = OutboxEvent.objects.get(pk=response.json()["event"])
        assert event.status == OutboxEvent.Status.PENDING

        time.sleep(2)
        assert not Notification.objects.exists()
        redis_server.start()  # same port: the worker and beat reconnect
        # The relay commits inbox rows chunk by chunk and marks the event relayed last.
        relayed = OutboxEvent.objects.filter(pk=event.pk, status=OutboxEvent.Status.RELAYED)
        wait_for(relayed.exists, 90, "the sweeper")
        assert Notification.objects.filter(event=event).count() == 1
    finally:
        redis_server.stop()


def test_worker_killed_mid_fan_out_leads_to_exactly_one_delivery(
    services, world, shared_redis, use_broker, workers, tmp_path
):
    recipients = members(world, 40)
    use_broker(shared_redis)
    slow = {"NOTIFY_CHUNK_SIZE": 4, "NOTIFY_CHUNK_PAUSE_S": 0.4, "NOTIFY_LEASE_S": 3}
    first = workers(shared_redis, **slow)
    with transaction.atomic():
        event = notify(
            "notice.broadcast",
            audience=audiences.area_members(world.community_a.pk),
            context={"area": "海城社区", "title": "停水", "body": "明天停水"},
        )
    inbox = Notification.objects.filter(event=event)
    wait_for(lambda: inbox.exists(), 30, "the fan-out to start", interval=0.05)
    first.kill()
    assert 0 < inbox.count() < len(recipients) + 2, "the worker was not killed mid-task"

    workers(shared_redis, beat=True, NOTIFY_LEASE_S=3)  # its sweeper takes over after the lease
    wait_for(lambda: OutboxEvent.objects.get(pk=event.pk).relayed_at, 60, "the re-relay")
    wait_for(
        lambda: not Delivery.objects.filter(event=event, status="pending").exists(), 30, "mail"
    )
    expected = {u.pk for u in recipients} | {world.user("member").pk, world.user("group_leader").pk}
    assert sorted(inbox.values_list("recipient_id", flat=True)) == sorted(expected)
    sent = Delivery.objects.filter(event=event, channel="email", status="sent")
    assert sent.count() == len(recipients)
    to = mailed(tmp_path)
    assert len(to) == len(set(to)) == len(recipients)

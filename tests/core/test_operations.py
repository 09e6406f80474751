"""Running it for real (issue 13): `/healthz`, the request id that follows a request into
its log lines and the tasks it queues, JSON log lines, and the Content-Security-Policy."""

import json
import logging
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from apps.core import requestid
from apps.core.tasks import HEARTBEAT_KEY
from tests.notifications import test_worker
from tests.notifications.test_worker import wait_for

# The real-worker fixtures of the notifications tests.
use_broker, workers = test_worker.use_broker, test_worker.workers

ROOT = Path(__file__).resolve().parents[2]

# --- /healthz ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_in_the_embedded_setup_is_200_and_says_what_does_not_apply(client):
    with override_settings(REDIS_URL=""):
        response = client.get("/healthz")  # no login
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok" and body["checks"]["cache"] == "ok"
    for name in ("redis", "celery_worker", "celery_beat"):
        assert body["checks"][name] == "not applicable"


@pytest.fixture
def redis_settings(redis_url, use_broker):
    """This process's settings, cache and Celery app on the test Redis."""
    import redis

    redis.Redis.from_url(redis_url).delete("celery", "unacked", "unacked_index")
    caches = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    with override_settings(REDIS_URL=redis_url, CACHES=caches):
        use_broker(redis_url)
        from django.core.cache import cache

        cache.delete(HEARTBEAT_KEY)
        yield redis_url


@pytest.mark.services
def test_healthz_is_503_without_a_worker_or_beat_and_names_no_host(client, redis_settings):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok" and body["checks"]["redis"] == "ok"
    assert body["checks"]["celery_worker"] != "ok" and body["checks"]["celery_beat"] != "ok"
    assert "127.0.0.1" not in response.content.decode()


@pytest.mark.services
def test_healthz_is_200_with_a_worker_and_beat_and_503_when_the_heartbeat_is_stale(
    client, redis_settings, workers
):
    worker = workers(redis_settings, beat=True, LOG_LEVEL="INFO")  # beat beats at once
    wait_for(lambda: client.get("/healthz").status_code == 200, 150, "a healthy /healthz", 2)
    assert set(client.get("/healthz").json()["checks"].values()) == {"ok"}
    stale = {**settings.TONGXIN, "HEALTH_BEAT_STALE_S": 0}
    with override_settings(TONGXIN=stale):
        body = client.get("/healthz").json()
    assert body["checks"]["celery_beat"].startswith("Unavailable: last heartbeat")

    # A task queued while a request runs logs, in the worker, with that request's id.
    from apps.core.tasks import beat_heartbeat

    token = requestid.request_id.set("req-from-a-request")
    try:
        beat_heartbeat.delay()
    finally:
        requestid.request_id.reset(token)

    def logged() -> bool:
        return any(
            json.loads(line).get("request_id") == "req-from-a-request"
            for line in worker.output().splitlines()
            if line.startswith("{") and "beat heartbeat" in line
        )

    wait_for(logged, 30, "the task's log line with the request id")
    worker.stop()
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["checks"]["celery_worker"] != "ok"


# --- request id ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sent,kept",
    [
        ("req-1234.abcd_EF", True),
        ("short", False),  # under 8 characters
        ("x" * 65, False),  # over 64
        ("abc def 12345", False),  # a space
        ("abcd1234\r\nSet-Cookie: x=1", False),  # header injection
        ("", False),
    ],
)
def test_request_id_is_taken_when_safe_else_made(client, sent, kept):
    response = client.get("/login/", HTTP_X_REQUEST_ID=sent)
    rid = response["X-Request-ID"]
    if kept:
        assert rid == sent
    else:
        assert re.fullmatch(r"[0-9a-f]{32}", rid)


def test_log_records_carry_the_request_id_as_json():
    from pythonjsonlogger.json import JsonFormatter

    formatter = logging.config.dictConfig  # noqa: F841 - the settings' formatter, below
    spec = settings.LOGGING["formatters"]["json"]
    formatter = JsonFormatter(spec["format"], rename_fields=spec["rename_fields"])
    record = logging.LogRecord("tongxin", logging.WARNING, __file__, 1, "hello %s", ("x",), None)
    token = requestid.request_id.set("req-12345678")
    try:
        requestid.RequestIdFilter().filter(record)
    finally:
        requestid.request_id.reset(token)
    line = json.loads(formatter.format(record))
    assert line["request_id"] == "req-12345678" and line["message"] == "hello x"
    assert line["level"] == "WARNING" and line["logger"] == "tongxin"


@pytest.mark.services
def test_a_task_queued_in_a_request_carries_its_id_to_the_worker(redis_url):
    """Published for real to Redis: the message's headers hold the request id; the worker
    side (task_prerun) makes it the id of the task's own log lines."""
    from celery import Celery
    from kombu import Connection

    app = Celery("rid-test", broker=redis_url)
    queue = f"rid-test-{requestid.new_id()}"

    @app.task(name="rid_test.echo")
    def echo():
        return requestid.request_id.get()

    token = requestid.request_id.set("req-abcdef12")
    try:
        echo.apply_async(queue=queue)
    finally:
        requestid.request_id.reset(token)
    with Connection(redis_url) as conn:
        message = conn.SimpleQueue(queue).get(timeout=5)
        headers = message.headers
        message.ack()
    assert headers["request_id"] == "req-abcdef12"
    # The worker runs the task with those headers: its context has the id, then not.
    result = echo.apply(headers={"request_id": headers["request_id"]})
    assert result.get() == "req-abcdef12"
    assert requestid.request_id.get() == ""


# --- Content-Security-Policy ---------------------------------------------------------------


def _directive(policy: str, name: str) -> str:
    return next(d.strip() for d in policy.split(";") if d.strip().split(" ")[0] == name)


@pytest.mark.django_db
def test_pages_have_a_policy_with_nonces_and_the_media_view_keeps_its_own(client, world, tmp_path):
    policy = client.get("/login/")["Content-Security-Policy"]
    assert _directive(policy, "default-src") == "default-src 'self'"
    assert _directive(policy, "script-src") == "script-src 'self'"  # no inline script
    assert _directive(policy, "object-src") == "object-src 'none'"
    # The grid report's inline <style> carries the response's nonce, and the policy names it.
    client.force_login(world.user("grid_worker"))
    response = client.get("/grids/report/")
    nonce = re.search(r'<style nonce="([^"]+)"', response.content.decode()).group(1)
    style = _directive(response["Content-Security-Policy"], "style-src")
    assert style == f"style-src 'self' 'nonce-{nonce}'"
    (tmp_path / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    with override_settings(MEDIA_ROOT=tmp_path):
        media = client.get("/media/a.png")
    assert media["Content-Security-Policy"] == "default-src 'none'; img-src 'self'; sandbox"


def test_no_template_has_inline_event_handlers_or_unnonced_inline_code():
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    inline = re.compile(r"<(script|style)(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>", re.I)
    # Rendered by WeasyPrint into a PDF, never served to a browser: no policy applies.
    not_pages = {"apps/volunteers/templates/volunteers/certificate_pdf.html"}
    offenders = []
    for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("apps/*/templates/**/*.html")]:
        if str(path.relative_to(ROOT)) in not_pages:
            continue
        text = path.read_text()
        if handler.search(text) or inline.search(text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []

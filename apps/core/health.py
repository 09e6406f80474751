"""`/healthz`: is this installation able to serve? django-health-check's checks (the
database, the cache, Redis, a Celery worker answering a ping) and our own for beat: the
heartbeat task (`apps.core.tasks.beat_heartbeat`, scheduled by beat, run by a worker) must
have written its timestamp within `HEALTH_BEAT_STALE_S`.

Without REDIS_URL (the embedded default: tasks run in-process) there is no Redis, worker
or beat to check: those report "not applicable" and do not fail. The answer is JSON, 200
when every check passes and 503 otherwise, names only the checks (no hosts, no personal
data) and needs no login.
"""

import asyncio
import dataclasses
import datetime as dt
import time

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.contrib.celery import Ping
from health_check.contrib.redis import Redis
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from .conf import conf
from .tasks import HEARTBEAT_KEY

NOT_APPLICABLE = "not applicable"


@dataclasses.dataclass
class BeatHeartbeat(HealthCheck):
    """Beat's last run: the heartbeat's timestamp is at most `stale_after` seconds old."""

    stale_after: float = 300.0

    def run(self):
        last = cache.get(HEARTBEAT_KEY)
        if last is None:
            raise ServiceUnavailable("no heartbeat from beat yet")
        age = time.time() - float(last)
        if age > self.stale_after:
            raise ServiceUnavailable(f"last heartbeat {age:.0f} s ago")


def _redis_client():
    from redis.asyncio import Redis as RedisClient

    return RedisClient.from_url(settings.REDIS_URL, socket_connect_timeout=2)


def checks() -> dict[str, HealthCheck | None]:
    """The checks by the name `/healthz` reports; None: not applicable here."""
    from config.celery import app

    services = bool(settings.REDIS_URL)
    return {
        "database": Database(),
        "cache": Cache(),
        "redis": Redis(client_factory=_redis_client) if services else None,
        "celery_worker": Ping(app=app, timeout=dt.timedelta(seconds=2), limit=1)
        if services
        else None,
        "celery_beat": BeatHeartbeat(stale_after=conf("HEALTH_BEAT_STALE_S")) if services else None,
    }


class HealthzView(HealthCheckView):
    async def get(self, request, *args, **kwargs):
        named = checks()
        running = {name: check for name, check in named.items() if check is not None}
        with self.get_executor() as executor:
            results = await asyncio.gather(*(c.get_result(executor) for c in running.values()))
        report = dict.fromkeys(named, NOT_APPLICABLE)
        for name, result in zip(running, results, strict=True):
            report[name] = "ok" if result.error is None else str(result.error)
        healthy = all(result.error is None for result in results)
        body = {"status": "ok" if healthy else "unavailable", "checks": report}
        return JsonResponse(body, status=200 if healthy else 503)

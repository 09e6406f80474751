"""Thin Celery tasks of the shared mechanisms: the idempotency records' cleanup and the
beat heartbeat that `/healthz` reads."""

import logging
import time

from celery import shared_task
from django.core.cache import cache

from . import idempotency

HEARTBEAT_KEY = "tongxin:beat-heartbeat"
logger = logging.getLogger(__name__)


@shared_task
def idempotency_cleanup() -> int:
    return idempotency.idempotency_cleanup()


@shared_task(ignore_result=True)
def beat_heartbeat() -> float:
    """Scheduled by beat (CELERY_BEAT_SCHEDULE["core-beat-heartbeat"]) and run by a worker:
    a fresh timestamp means both beat and a worker are alive."""
    now = time.time()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    logger.info("beat heartbeat")
    return now

"""Core's periodic task: the beat heartbeat that `/healthz` reads."""

import logging
import time

from celery import shared_task
from django.core.cache import cache

HEARTBEAT_KEY = "tongxin:beat-heartbeat"
logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def beat_heartbeat() -> float:
    """Scheduled by beat (CELERY_BEAT_SCHEDULE["core-beat-heartbeat"]) and run by a worker:
    a fresh timestamp means both beat and a worker are alive."""
    now = time.time()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    logger.info("beat heartbeat")
    return now

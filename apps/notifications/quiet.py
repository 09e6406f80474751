"""Quiet hours: no SMS or WeChat push at night (Asia/Shanghai); the in-app inbox and
e-mail still arrive. A delivery due in quiet hours is deferred to their end."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from apps.core.conf import conf

from .models import Channel

SHANGHAI = ZoneInfo("Asia/Shanghai")
QUIET_CHANNELS = frozenset({Channel.SMS, Channel.WECHAT})


def quiet_until(now: datetime) -> datetime | None:
    """The end of the quiet hours `now` falls in, or None outside them."""
    start, end = (time.fromisoformat(t) for t in conf("NOTIFY_QUIET_HOURS"))
    local = now.astimezone(SHANGHAI)
    clock = local.time()
    if start <= end:
        inside, day = start <= clock < end, local.date()
    else:  # spans midnight, e.g. 22:00-07:00
        inside = clock >= start or clock < end
        day = local.date() if clock < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=SHANGHAI) if inside else None

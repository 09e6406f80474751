"""A report's period: `from`/`to` query parameters as local dates, inclusive."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import InvalidInput

# Reports loop over the months of a period: keep it to dates and lengths that make sense.
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2999, 12, 31)
MAX_DAYS = 3660


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def start_dt(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def end_dt(self) -> dt.datetime:  # exclusive
        return timezone.make_aware(
            dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min)
        )


def parse_period(start: str | None, end: str | None) -> Period:
    """`from`/`to` as YYYY-MM-DD; default: the twelve months up to today."""
    today = timezone.localdate()
    try:
        end_d = dt.date.fromisoformat(end) if end else today
        if start:
            start_d = dt.date.fromisoformat(start)
        else:
            start_d = (end_d.replace(day=1) - dt.timedelta(days=334)).replace(day=1)
    except ValueError:
        raise InvalidInput(_("日期格式应为 YYYY-MM-DD。"), code="invalid_date") from None
    if not (EARLIEST <= start_d <= LATEST and EARLIEST <= end_d <= LATEST):
        raise InvalidInput(_("日期超出范围。"), code="invalid_date")
    if start_d > end_d:
        raise InvalidInput(_("开始日期不能晚于结束日期。"), code="invalid_period")
    if (end_d - start_d).days > MAX_DAYS:
        raise InvalidInput(_("查询时段不能超过十年。"), code="period_too_long")
    return Period(start_d, end_d)

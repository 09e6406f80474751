"""Points per member and month (`PointsMonth`), kept in the award's transaction with one
`INSERT … ON CONFLICT DO UPDATE SET points = points + excluded.points`, rebuilt set-based."""

import datetime as dt

from django.db import connection, transaction
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from apps.core.rollups import rebuilder, upsert_add

from .models import PointsEntry, PointsMonth


def month_start(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date().replace(day=1)


def next_month_start(moment: dt.datetime) -> dt.datetime:
    """The first instant (aware, local midnight) of the month after `moment`'s."""
    first = (month_start(moment) + dt.timedelta(days=32)).replace(day=1)
    return timezone.make_aware(dt.datetime.combine(first, dt.time.min))


def entry_added(entry: PointsEntry) -> None:
    upsert_add(
        PointsMonth,
        {"member": entry.member_id, "month": month_start(entry.created_at)},
        {"points": entry.points},
    )


@rebuilder("points")
def rebuild() -> dict[str, int]:
    months = (
        PointsEntry.objects.order_by()
        .annotate(m=TruncMonth("created_at", tzinfo=timezone.get_current_timezone()))
        .values("member_id", "m")
        .annotate(p=Sum("points"))
        .values_list("member_id", "m", "p")
    )
    sql, params = months.query.sql_with_params()
    # `m` is the local month's first instant, naive (PostgreSQL) or a text (SQLite)
    month = "date(m)" if connection.vendor == "sqlite" else "CAST(m AS date)"
    with transaction.atomic():
        PointsMonth.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {PointsMonth._meta.db_table} (member_id, month, points) "
                f"SELECT member_id, {month}, p FROM ({sql}) s",
                params,
            )
    # Today's star snapshot ranks the rebuilt months (the rows of earlier days are kept).
    from .stars import star_days_retake

    return {"points_months": PointsMonth.objects.count(), "star_days": star_days_retake()}

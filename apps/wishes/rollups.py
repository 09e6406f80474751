"""The wish rollups (`WishDay`, `ClaimMinutes`), kept by the services in the transaction of
each change (apps/core/rollups.py `upsert_add`) and rebuilt set-based from the wishes and
claims by `manage.py rebuild_rollups`. Each figure is counted on the day its timestamp falls
(local time), read from the same field by the bump and by the rebuild."""

import datetime as dt

from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from apps.core.rollups import rebuilder, upsert_add

from .models import Claim, ClaimMinutes, Wish, WishDay

SATISFIED = 4  # a rating of 4 or 5 counts as satisfied
DAY_MINUTES = 24 * 60


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def minutes_bucket(published_at: dt.datetime, claimed_at: dt.datetime) -> int:
    minutes = max(0, int((claimed_at - published_at).total_seconds() // 60))
    return minutes if minutes < DAY_MINUTES else minutes // 60 * 60


def _bump(wish: Wish, moment: dt.datetime, **deltas: int) -> None:
    upsert_add(
        WishDay,
        {"area": wish.area_id, "day": local_day(moment), "category": wish.category_id},
        deltas,
    )


def wish_submitted(wish: Wish) -> None:
    _bump(wish, wish.created_at, submitted=1)


def wish_moved(wish: Wish, move: str) -> None:
    """After `move` applied (the wish's fields hold the values just written)."""
    if move == "publish":
        _bump(wish, wish.published_at, published=1)
    elif move == "fulfil":
        _bump(wish, wish.fulfilled_at, fulfilled=1)
    elif move == "confirm":
        satisfied = int(wish.rating is not None and wish.rating >= SATISFIED)
        _bump(
            wish,
            wish.closed_at,
            confirmed=1,
            rated=int(wish.rating is not None),
            satisfied=satisfied,
        )


def wish_claimed(wish: Wish, claim: Claim) -> None:
    by_org = claim.organisation_id is not None
    _bump(wish, claim.created_at, claimed=1, claims_org=int(by_org), claims_member=int(not by_org))
    upsert_add(
        ClaimMinutes,
        {
            "area": wish.area_id,
            "day": local_day(claim.created_at),
            "minutes": minutes_bucket(wish.published_at, claim.created_at),
        },
        {"n": 1},
    )


# --- rebuild -------------------------------------------------------------------------------


def _insert(model, columns: list[str], queryset, upsert_keys: list[str] | None = None) -> None:
    table = model._meta.db_table
    sql, params = queryset.query.sql_with_params()
    statement = f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM ({sql}) s WHERE 1 = 1"
    if upsert_keys:
        counters = [c for c in columns if c not in upsert_keys]
        sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in counters)
        statement += f" ON CONFLICT ({', '.join(upsert_keys)}) DO UPDATE SET {sets}"
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@rebuilder("wishes")
def rebuild() -> dict[str, int]:
    tz = timezone.get_current_timezone()
    keys = ["area_id", "day", "category_id"]
    with transaction.atomic():
        WishDay.objects.all().delete()
        ClaimMinutes.objects.all().delete()
        first = True
        for field, aggregates in (
            ("created_at", {"submitted": Count("pk")}),
            ("published_at", {"published": Count("pk")}),
            ("fulfilled_at", {"fulfilled": Count("pk")}),
            (
                "closed_at",
                {
                    "confirmed": Count("pk"),
                    "rated": Count("rating"),
                    "satisfied": Count("pk", filter=Q(rating__gte=SATISFIED)),
                },
            ),
        ):
            rows = (
                Wish.objects.filter(**{f"{field}__isnull": False})
                .order_by()
                .annotate(d=TruncDate(field, tzinfo=tz))
                .values("area_id", "d", "category_id")
                .annotate(**aggregates)
                .values_list("area_id", "d", "category_id", *aggregates)
            )
            _insert(WishDay, [*keys, *aggregates], rows, None if first else keys)
            first = False
        claims = (
            Claim.objects.order_by()
            .annotate(d=TruncDate("created_at", tzinfo=tz))
            .values("wish__area_id", "d", "wish__category_id")
            .annotate(
                claimed=Count("pk"),
                claims_member=Count("pk", filter=Q(organisation__isnull=True)),
                claims_org=Count("pk", filter=Q(organisation__isnull=False)),
            )
            .values_list(
                "wish__area_id", "d", "wish__category_id", "claimed", "claims_member", "claims_org"
            )
        )
        _insert(WishDay, [*keys, "claimed", "claims_member", "claims_org"], claims, keys)
        # Minutes from publication to each claim, bucketed as `minutes_bucket` does.
        rows = []
        for area_id, created_at, published_at in Claim.objects.values_list(
            "wish__area_id", "created_at", "wish__published_at"
        ).iterator(chunk_size=5000):
            rows.append((area_id, local_day(created_at), minutes_bucket(published_at, created_at)))
        counts: dict[tuple, int] = {}
        for row in rows:
            counts[row] = counts.get(row, 0) + 1
        ClaimMinutes.objects.bulk_create(
            ClaimMinutes(area_id=a, day=d, minutes=m, n=n) for (a, d, m), n in counts.items()
        )
    return {"wish_days": WishDay.objects.count(), "claim_minutes": ClaimMinutes.objects.count()}

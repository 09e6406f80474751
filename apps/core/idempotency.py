"""`Idempotency-Key` for API writes (the header of the IETF httpapi draft).

A client that may send the same write twice (a phone syncing visits it logged offline, a
retry after a timeout) sends a key it generated once for that write. The first request with
a key does the write and its answer is stored with the key; a later request from the same
user with the same key gets that stored answer (with `Idempotent-Replayed: true`) and
writes nothing. The same key with another method, path or body is refused (422
`idempotency_key_reused`); a malformed key is refused (400 `invalid_idempotency_key`).

Race-safe without a lock of our own: the key's row is inserted first, in the same
transaction as the write. A concurrent request with the same key blocks on the unique index
until the first commits (then it replays the first answer) or rolls back (then it does the
write itself); it waits at most `IDEMPOTENCY_WAIT_S` on PostgreSQL, then gets 409
`idempotency_in_progress`. Only successful (2xx) answers are kept: an error rolls the row
back with the rest, so the client can retry the same key once the cause is gone (a
household moved back into the group, a new login).

Opt in per action with `@idempotent` on a DRF view method:

    @idempotent
    def create(self, request, *args, **kwargs): ...

Records are kept `IDEMPOTENCY_KEEP_HOURS` (default 7 days: longer than a phone is
plausibly offline) and removed by the periodic `apps.core.tasks.idempotency_cleanup`.
"""

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Mapping

from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from apps.core.conf import conf
from apps.core.errors import AppError, Conflict, InvalidInput
from apps.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255


class IdempotencyKeyReused(AppError):
    status_code = 422
    code = "idempotency_key_reused"
    default_detail = gettext_lazy("该幂等键已用于另一个请求，请为新请求生成新的键。")


class IdempotencyInProgress(Conflict):
    code = "idempotency_in_progress"
    default_detail = gettext_lazy("相同的请求正在处理中，请稍后重试。")


def parse_key(value: str | None) -> str | None:
    """The key from the header's value (a structured-field string: quotes are optional
    here), or None without the header. 1–255 printable ASCII characters."""
    if value is None:
        return None
    key = value.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not key or len(key) > MAX_KEY_LENGTH or any(not (" " <= c <= "~") for c in key):
        raise InvalidInput(
            _("Idempotency-Key 必须是 1 至 255 个可打印 ASCII 字符。"),
            code="invalid_idempotency_key",
        )
    return key


def _canonical(data):
    if hasattr(data, "lists"):  # a QueryDict (form or multipart body)
        return {k: [str(v) for v in vs] for k, vs in sorted(data.lists())}
    if isinstance(data, Mapping):
        return {str(k): _canonical(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_canonical(v) for v in data]
    if data is None or isinstance(data, bool | int | float | str):
        return data
    return str(data)


def fingerprint(request) -> str:
    """sha256 of the method, path and parsed body: the same JSON with keys in another
    order or other spacing is the same request."""
    payload = json.dumps(
        [request.method, request.path, _canonical(request.data)],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _replay(record: IdempotencyRecord, request) -> Response:
    if record.fingerprint != fingerprint(request):
        raise IdempotencyKeyReused()
    response = Response(record.body, status=record.status)
    response[REPLAYED_HEADER] = "true"
    return response


def _insert(record: IdempotencyRecord) -> IdempotencyRecord | None:
    """Insert the key's row (in a savepoint); None when the key is already taken. Waits for
    a concurrent holder of the key at most IDEMPOTENCY_WAIT_S (PostgreSQL)."""
    postgres = connection.vendor == "postgresql"
    previous = None
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('lock_timeout')")
            previous = cursor.fetchone()[0]
            wait_ms = int(conf("IDEMPOTENCY_WAIT_S") * 1000)
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [str(wait_ms)])
    try:
        with transaction.atomic():
            record.save(force_insert=True)
    except IntegrityError:
        return None
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == "55P03":  # lock_not_available
            raise IdempotencyInProgress() from None
        raise
    finally:
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])
    return record


def idempotent(view_method):
    """Make a DRF view method (a viewset action) honour `Idempotency-Key`."""

    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = parse_key(request.headers.get(HEADER))
        if key is None or not request.user.is_authenticated:
            return view_method(self, request, *args, **kwargs)
        base = IdempotencyRecord.objects.filter(user=request.user, key=key)
        done = base.first()
        if done is not None:
            return _replay(done, request)
        with transaction.atomic():
            record = IdempotencyRecord(
                user=request.user,
                key=key,
                method=request.method,
                path=request.path[:500],
                fingerprint=fingerprint(request),
                status=0,  # in progress: never visible to others before the commit
            )
            if _insert(record) is None:  # the first one committed meanwhile
                return _replay(base.get(), request)
            response = view_method(self, request, *args, **kwargs)
            if not 200 <= response.status_code < 300:
                transaction.set_rollback(True)
                return response
            record.status = response.status_code
            record.body = response.data
            record.save(update_fields=["status", "body"])
        return response

    return extend_schema(
        parameters=[
            OpenApiParameter(
                HEADER,
                str,
                OpenApiParameter.HEADER,
                description="A key generated by the client for this write (≤255 printable "
                "characters): a repeat by the same user returns the first result and "
                "writes nothing.",
            )
        ]
    )(wrapper)


def idempotency_cleanup(*, now: dt.datetime | None = None) -> int:
    """Remove records older than IDEMPOTENCY_KEEP_HOURS; the number removed."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=conf("IDEMPOTENCY_KEEP_HOURS"))
    deleted, _detail = IdempotencyRecord.objects.filter(created__lt=cutoff).delete()
    return deleted

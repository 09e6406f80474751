"""Reads that may go to a PostgreSQL read replica (`DATABASE_REPLICA_URL`).

Only what is explicitly wrapped reads from the replica: reports, exports and the public
boards, which show committed data and tolerate the replica's lag. Everything else, and
anything read after a write, stays on the primary; writes always go to the primary (even
inside a replica block: an access-log row written while an export is built).

    with reading_replica():
        report = reports.grid_report(node=node, period=period)

    @on_replica          # a view: the whole request reads from the replica
    def board(request): ...

Without a replica configured (or with `TONGXIN_READ_REPLICA` off, as in the tests that write
inside a transaction the replica cannot see) both are no-ops.
"""

import functools
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

PRIMARY = "default"
REPLICA = "replica"

_reading_replica: ContextVar[bool] = ContextVar("tongxin_reading_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES and getattr(settings, "TONGXIN_READ_REPLICA", True)


def read_alias() -> str:
    """The alias reads go to right now."""
    return REPLICA if _reading_replica.get() else PRIMARY


@contextmanager
def reading_replica():
    """Reads of the ORM inside go to the replica when one is configured."""
    token = _reading_replica.set(replica_configured())
    try:
        yield
    finally:
        _reading_replica.reset(token)


def on_replica(view):
    """A view (function, or an APIView method taking `request`) whose reads go to the
    replica. The user (session, role assignments) is loaded from the primary first, so a
    login or a grant that just happened counts."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        request = next((a for a in args if hasattr(a, "user")), None)
        if request is not None:
            user = request.user
            if getattr(user, "is_authenticated", False):
                from apps.accounts.scoping import grants

                grants(user)  # cached on the user for the rest of the request
        with reading_replica():
            return view(*args, **kwargs)

    return wrapper


class ReplicaRouter:
    """settings.DATABASE_ROUTERS: reads inside `reading_replica()` to the replica, all
    else (every write, every migration) to the primary."""

    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two servers

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY

"""The audit trail and the personal-data access log, as the other apps use them.

History (django-pghistory; the event models and triggers are declared in apps.audit):
`history_context(...)` adds metadata (an import job, a task) to the history rows written
inside it, `pin_history_context()` makes it reach statements that bypass Django's cursor
(the imports' COPY), `object_history(request, obj)` is an object's history for its page, or
None for who may not see it. PostgreSQL only: SQLite has no triggers, and keeps no history.

Access log: `note_access(request, obj, fields)` remembers that the request's user was shown
`obj`'s unmasked personal `fields`; apps.audit's middleware writes what a request noted in
one INSERT after the response, so a list costs the same few queries whatever its length.
"""

import contextlib
import json

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Model

from apps.accounts.models import Role
from apps.accounts.scoping import holds_role_over, sees_personal
from apps.core.masking import mask_value

# Who sees an object's history: secretaries and administrators over it (and superusers).
HISTORY_ROLES = frozenset({Role.SECRETARY, Role.ADMINISTRATOR})
HISTORY_LIMIT = 200  # events shown on a page, newest first


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def history_context(**metadata):
    """A `pghistory.context` on PostgreSQL (nested ones add their metadata to the outer one);
    nothing on SQLite, where pghistory's SQL would not run."""
    if not _postgres():
        return contextlib.nullcontext()
    import pghistory

    return pghistory.context(**metadata)


def pin_history_context() -> None:
    """Set the current history context for the rest of the transaction. pghistory adds it to
    each statement Django's cursor runs; a COPY goes to psycopg directly and needs this."""
    if not _postgres():
        return
    from pghistory import runtime

    current = getattr(runtime._tracker, "value", None)
    if current is None:
        return
    from pghistory import config

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pghistory.context_id', %s, true), "
            "set_config('pghistory.context_metadata', %s, true)",
            [str(current.id), json.dumps(current.metadata, cls=config.json_encoder())],
        )


# --- access log -----------------------------------------------------------------------------


def _django_request(request):
    return getattr(request, "_request", request)  # a DRF Request wraps Django's


def note_access(request, obj, fields, *, channel: str = "", row_count: int | None = None):
    """Remember that `request`'s user was shown `obj`'s unmasked personal `fields` (`obj` a
    model class for an export, with `row_count`). Nothing is noted for no fields, for an
    anonymous user, or for a person's own record (their own data is not an access to
    someone else's). Written by apps.audit.middleware.AuditMiddleware."""
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated or not fields:
        return
    instance = obj if isinstance(obj, Model) else None
    if instance is not None and getattr(instance, "user_id", None) == user.pk:
        return
    django_request = _django_request(request)
    path = django_request.path
    pending = django_request.__dict__.setdefault("_tongxin_accesses", {})
    key = (type(obj) if instance is not None else obj, getattr(instance, "pk", None), channel)
    entry = pending.get(key)
    if entry is None:
        pending[key] = {
            "viewer_id": user.pk,
            "subject_type": ContentType.objects.get_for_model(key[0]),  # cached after once
            "subject_id": key[1],
            "fields": list(dict.fromkeys(fields)),
            "channel": channel or ("api" if path.startswith("/api/") else "page"),
            "path": path[:300],
            "row_count": row_count,
        }
    else:
        entry["fields"] = list(dict.fromkeys([*entry["fields"], *fields]))


def pending_accesses(request) -> list[dict]:
    return list(_django_request(request).__dict__.pop("_tongxin_accesses", {}).values())


def shown_personal_fields(model, names) -> list[str]:
    """Which of the field names shown are personal (`Scope.personal_fields`)."""
    personal = model.scope.personal_fields
    return [name for name in names if name in personal]


# --- history --------------------------------------------------------------------------------


def may_see_history(user, obj) -> bool:
    """Secretaries and administrators over the object's place; for an object with no place
    (an import job), its owner."""
    if holds_role_over(user, HISTORY_ROLES, obj):
        return True
    spec = type(obj).scope
    if spec.area_lookups or spec.party_org is not None:
        return False  # a resident does not see who changed their record, nor from where
    own = spec.own
    return bool(own) and "__" not in own and getattr(obj, f"{own}_id", None) == user.pk


def _field(model, attname: str):
    for field in model._meta.concrete_fields:
        if attname in (field.attname, field.name):
            return field
    return None


def _shown(field, value):
    """A stored value as the page shows it: a choice by its label."""
    if field is not None and field.choices and value is not None:
        return str(dict(field.flatchoices).get(value, value))
    return value


def object_history(request, obj) -> list[dict] | None:
    """`obj`'s history for its page, newest first: when, what (created, changed, deleted), who,
    from where and which fields changed (old → new). None for who may not see it; an empty
    list on SQLite. Personal values are masked for who may not see them unmasked; an unmasked
    one shown is a personal-data access."""
    user = request.user
    if not may_see_history(user, obj):
        return None
    if not _postgres():
        return []
    from pghistory.models import Events

    from apps.accounts.models import User

    model = type(obj)
    events = list(Events.objects.tracks(obj).order_by("-pgh_created_at", "-pgh_id")[:HISTORY_LIMIT])
    events.reverse()
    personal = {k: v for k, v in model.scope.personal_fields.items() if "__" not in k}
    unmasked = sees_personal(user, obj)
    user_ids = {(e.pgh_context or {}).get("user") for e in events}
    names = {u.pk: u.name or u.username for u in User.objects.filter(pk__in=user_ids - {None})}
    shown: set[str] = set()
    previous: dict = {}
    rows = []
    for event in events:
        data = event.pgh_data or {}
        action = event.pgh_label
        changes = []
        for attname, value in data.items():
            if attname.startswith("pgh_") or attname in ("created_at", "updated_at"):
                continue
            old = previous.get(attname)
            if action == "update" and old == value:
                continue
            if action == "insert" and value in (None, "", False):
                continue
            if action == "delete":
                continue
            name = attname[:-3] if attname.endswith("_id") else attname
            if name in personal:
                if unmasked:
                    shown.add(name)
                else:
                    old, value = mask_value(old, personal[name]), mask_value(value, personal[name])
            field = _field(model, attname)
            changes.append(
                {
                    "field": str(field.verbose_name) if field is not None else attname,
                    "old": _shown(field, old),
                    "new": _shown(field, value),
                }
            )
        previous = data
        context = event.pgh_context or {}
        rows.append(
            {
                "at": event.pgh_created_at,
                "action": action,
                "user": names.get(context.get("user"), ""),
                "ip": context.get("ip") or "",
                "url": context.get("url") or "",
                "task": context.get("task") or "",
                "import_job": context.get("import_job"),
                "changes": changes,
            }
        )
    rows.reverse()
    if shown:
        note_access(request, obj, sorted(shown))
    return rows


def import_writes(job_id: int) -> dict[str, dict[str, int]]:
    """What an import job wrote, from the history: {model verbose name: {"insert": n,
    "update": m}}. Empty on SQLite."""
    if not _postgres():
        return {}
    from django.apps import apps
    from django.db.models import Count
    from pghistory.models import Context

    contexts = list(
        Context.objects.filter(metadata__import_job=job_id).values_list("pk", flat=True)
    )
    if not contexts:
        return {}
    written: dict[str, dict[str, int]] = {}
    for name in ("Household", "Resident", "Member", "Organisation", "PartyOrg", "Area"):
        event_model = apps.get_model("audit", f"{name}Event")
        counts = (
            event_model.objects.filter(pgh_context_id__in=contexts)
            .values("pgh_label")
            .annotate(n=Count("pgh_id"))
        )
        for row in counts:
            label = str(event_model.pgh_tracked_model._meta.verbose_name)
            written.setdefault(label, {})[row["pgh_label"]] = row["n"]
    return written

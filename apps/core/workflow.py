"""One workflow mechanism for every state machine in Tongxin.

A model declares its allowed moves as data and names its history model:

    class Wish(TimeStampedModel):
        workflow = Workflow(
            history="wishes.WishEvent",
            moves={
                "publish": ({Status.SUBMITTED}, Status.PUBLISHED),
                "claim": ({Status.PUBLISHED}, Status.CLAIMED),
                ...
            },
        )

and its services move it with `transition(wish, "publish", actor=user, vetted_by=user)`:
one conditional UPDATE (`… WHERE pk = … AND status = <from> [AND guard]`) and one history
row (an `apps.core.models.TransitionRecord`), in one transaction. Of two concurrent moves
of the same row exactly one matches: the other blocks on the row lock, re-evaluates the
WHERE after the winner commits, updates 0 rows and raises the caller's `conflict`.

Each app's own `_transition` wraps this with what is its own: the outbox call and who
hears about it.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import InvalidTransition


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str


class Workflow:
    """The allowed moves of one model: move name -> (from-statuses, to-status).

    Keyed by move, not by status pair, because two moves may join the same statuses
    (a wish's release and its expiry both lead claimed -> published)."""

    def __init__(self, *, history: str, moves: Mapping[str, tuple[Iterable[str], str]]):
        self.history = history  # "app_label.ModelName" of a TransitionRecord subclass
        self.moves = {name: Move(frozenset(src), to) for name, (src, to) in moves.items()}

    def __getitem__(self, move: str) -> Move:
        try:
            return self.moves[move]
        except KeyError:  # a typo in the code, not a user error
            raise ValueError(f"unknown move {move!r}") from None

    def can(self, move: str, status: str) -> bool:
        return status in self[move].sources

    def moves_from(self, status: str) -> list[str]:
        """The moves allowed from `status`, in declaration order (for UIs)."""
        return [name for name, move in self.moves.items() if status in move.sources]

    def history_model(self) -> type[models.Model]:
        return apps.get_model(self.history)


ConflictFactory = type[Exception] | Callable[[], Exception]


def check(obj: models.Model, move: str) -> None:
    """Raise InvalidTransition unless `move` is allowed from `obj`'s current status."""
    if not type(obj).workflow.can(move, obj.status):
        raise InvalidTransition(
            _("%(object)s当前状态为“%(status)s”，不能执行该操作。")
            % {"object": type(obj)._meta.verbose_name, "status": obj.get_status_display()}
        )


def _lost(obj: models.Model) -> InvalidTransition:
    return InvalidTransition(
        _("%(object)s状态已被他人更改，请刷新后重试。") % {"object": type(obj)._meta.verbose_name}
    )


def transition(
    obj: models.Model,
    move: str,
    *,
    actor,
    note: str = "",
    guard: Q | None = None,
    conflict: ConflictFactory | None = None,
    **fields,
) -> models.Model:
    """Make `move` on `obj` (and set `fields` with it), write its history row, or raise.

    Raises InvalidTransition when the move is not allowed from the status in memory, and
    `conflict()` (default: InvalidTransition) when the row is no longer in that status or
    no longer matches `guard` — someone else moved it first."""
    check(obj, move)
    model = type(obj)
    from_status, to = obj.status, model.workflow[move].target
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        fields.setdefault("updated_at", timezone.now())
    # No savepoint when nested: a lost race aborts the caller's transaction, as it should
    # (the caller's other writes assumed the move). Refusals a caller wants to survive are
    # raised by `check` before this block.
    with transaction.atomic(savepoint=False):
        rows = model._default_manager.filter(pk=obj.pk, status=from_status)
        if guard is not None:
            rows = rows.filter(guard)
        if not rows.update(status=to, **fields):
            raise conflict() if conflict is not None else _lost(obj)
        obj.status = to
        expressions = [
            name for name, value in fields.items() if hasattr(value, "resolve_expression")
        ]
        for name, value in fields.items():
            setattr(obj, name, value)
        if expressions:  # e.g. F("level") + 1: read back what the database computed
            obj.refresh_from_db(fields=expressions)
        record(obj, move, from_status=from_status, actor=actor, note=note)
    return obj


def record(obj: models.Model, move: str, *, from_status: str, actor, note: str = ""):
    """The history row of a change to `obj` (now in its new status), in the caller's
    transaction. `transition` calls it; creation services call it directly with
    `from_status=""` (e.g. a wish's "submit")."""
    history = type(obj).workflow.history_model()
    return history.objects.create(
        **{history.object_field: obj},
        move=move,
        from_status=from_status,
        to_status=obj.status,
        actor=actor,
        note=note,
    )

from .models import OutboxEvent


def notify(event: str, *, audience: dict, context: dict | None = None, actor=None) -> OutboxEvent:
    """Record `event` for `audience` in the caller's transaction.

    Call it inside the transaction that makes the change: if that rolls back, no message
    exists; if it commits, the relay delivers it (at once after commit, or via the sweeper).
    """
    row = OutboxEvent.objects.create(
        name=event, audience=audience, context=context or {}, actor=actor
    )
    return row

"""Thin Celery tasks: take ids, call a service, safe to run twice (acks_late is on)."""

from celery import shared_task

from . import reminding, services


@shared_task
def outbox_relay(event_id: int) -> int:
    return services.outbox_relay(event_id=event_id)


@shared_task
def deliveries_send(
    event_id: int | None = None,
    first_recipient: int | None = None,
    last_recipient: int | None = None,
) -> int:
    recipients = (first_recipient, last_recipient) if first_recipient is not None else None
    return services.deliveries_send_due(event_id=event_id, recipients=recipients)


@shared_task
def outbox_sweep() -> dict:
    return services.outbox_sweep()


@shared_task
def reminders_run() -> int:
    return reminding.reminders_run()

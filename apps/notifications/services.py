"""Writes of the notifications app: the outbox entry point, the relay that fans an event
out to inboxes and channel deliveries, the sender, inbox and preference changes.

`notify()` is what every other app calls, inside the transaction of its state change.
Everything after that runs in a Celery worker (or in-process when there is no broker) and
is safe to run twice: rows are claimed with conditional updates and created with a unique
key per (event, recipient, channel) and `ignore_conflicts`.
"""

import functools
import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Role, User
from apps.accounts.scoping import has_role_over
from apps.core import live
from apps.core.conf import conf
from apps.core.errors import Forbidden, InvalidInput, NotFound

from . import audiences, texts
from .models import Channel, Delivery, Notification, OutboxEvent, Preference
from .quiet import QUIET_CHANNELS, quiet_until
from .transports import TRANSPORTS, TransportError, enabled_kinds, transport

log = logging.getLogger(__name__)

BROADCASTERS = frozenset({Role.GRID_WORKER, Role.SECRETARY, Role.ADMINISTRATOR})
RELAY_MAX_ATTEMPTS = 10


def notify(event: str, *, audience: dict, context: dict | None = None, actor=None) -> OutboxEvent:
    """Record `event` for `audience` in the caller's transaction.

    Call it inside the transaction that makes the change: if that rolls back, no message
    exists; if it commits, the relay delivers it (at once after commit, or via the sweeper).
    """
    if event not in texts.events():
        # Still recorded (the relay marks it failed, visible in the admin): never raise here.
        log.warning("notifications: notify() with unknown event %r", event)
    row = OutboxEvent.objects.create(
        name=event, audience=audience, context=context or {}, actor=actor
    )
    transaction.on_commit(functools.partial(_publish, "outbox_relay", row.pk))
    return row


def _publish(task_name: str, *args) -> None:
    """Hand a task to the broker without ever failing or waiting on it: when the broker is
    down the row stays pending and the sweeper picks it up."""
    from . import tasks

    try:
        getattr(tasks, task_name).apply_async(args, retry=False)
    except Exception:  # any broker/transport error: the outbox row is the durable copy
        log.warning("notifications: could not publish %s%s; the sweeper will", task_name, args)


# --- relay: outbox row -> inbox rows + channel deliveries ------------------------------


def _claim(event_id: int, now: datetime) -> bool:
    lease = now + timedelta(seconds=conf("NOTIFY_LEASE_S"))
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    claimable = OutboxEvent.objects.filter(free, pk=event_id, status=OutboxEvent.Status.PENDING)
    return claimable.update(claimed_until=lease, attempts=F("attempts") + 1) == 1


def _extend_lease(event_id: int) -> None:
    """Keep a long fan-out from looking abandoned to the sweeper (a second relay would only
    create nothing twice, but it would redo the work)."""
    lease = timezone.now() + timedelta(seconds=conf("NOTIFY_LEASE_S"))
    OutboxEvent.objects.filter(pk=event_id).update(claimed_until=lease)


def _fail(event: OutboxEvent, exc: Exception) -> None:
    log.error("notifications: outbox %s (%s) failed: %s", event.pk, event.name, exc)
    OutboxEvent.objects.filter(pk=event.pk).update(
        status=OutboxEvent.Status.FAILED, claimed_until=None, error=f"{type(exc).__name__}: {exc}"
    )


def _chunks(ids: list[int]):
    size = conf("NOTIFY_CHUNK_SIZE")
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
        if conf("NOTIFY_CHUNK_PAUSE_S"):
            time.sleep(conf("NOTIFY_CHUNK_PAUSE_S"))


def _text(by_language: dict, language: str | None) -> texts.Rendered:
    return by_language.get(language) or by_language[settings.LANGUAGE_CODE]


def _languages(user_ids: list[int]) -> dict[int, str]:
    prefs = Preference.objects.filter(user_id__in=user_ids).values_list("user_id", "language")
    return dict(prefs)


def _inbox_rows(event: OutboxEvent, user_ids: list[int], by_language: dict) -> None:
    languages = _languages(user_ids)
    url = texts.link_for(event.name, event.context)[:300]
    rows = []
    for user_id in user_ids:
        text = _text(by_language, languages.get(user_id))
        rows.append(
            Notification(
                event=event, recipient_id=user_id, title=text.title, body=text.body, url=url
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    _live_badges(user_ids)


def _live_badges(user_ids) -> None:
    """Each recipient's open pages hear their new unread count (their own group only; one
    grouped count for the chunk)."""
    counts = dict.fromkeys(user_ids, 0)
    unread = Notification.objects.filter(recipient_id__in=user_ids, read_at__isnull=True)
    counts.update(unread.values_list("recipient_id").annotate(n=Count("pk")).order_by())
    live.publish_many(
        [([live.user_group(uid)], {"type": "badge", "unread": n}) for uid, n in counts.items()]
    )


def _delivery_rows(event, user_ids: list[int], by_language: dict, kinds: list[str], now) -> None:
    prefs = {p.user_id: p for p in Preference.objects.filter(user_id__in=user_ids)}
    recipients = User.objects.filter(pk__in=user_ids).only("pk", "email", "phone")
    deferred_to = quiet_until(now)
    rows = []
    for user in recipients:
        pref = prefs.get(user.pk)
        text = _text(by_language, pref.language if pref else None)
        for kind in kinds:
            if pref is not None and not pref.allows(event.name, kind):
                continue
            title, body = texts.text_for(text, kind)
            row = Delivery(
                event=event,
                recipient_id=user.pk,
                channel=kind,
                address=TRANSPORTS[kind].address(user, pref),
                title=title,
                body=body,
                next_attempt_at=now,
            )
            if not row.address:
                row.status, row.error = Delivery.Status.SKIPPED, "no address for this channel"
            elif kind in QUIET_CHANNELS and deferred_to:
                row.next_attempt_at = deferred_to
            rows.append(row)
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)


def outbox_relay(*, event_id: int) -> int:
    """Fan one outbox row out; returns the number of recipients (0 if not ours to do)."""
    now = timezone.now()
    if not _claim(event_id, now):
        return 0  # relayed already, failed, or another worker holds it
    event = OutboxEvent.objects.get(pk=event_id)
    if event.attempts > RELAY_MAX_ATTEMPTS:  # it keeps crashing its workers: stop, show it
        _fail(event, RuntimeError(f"gave up after {RELAY_MAX_ATTEMPTS} relay attempts"))
        return 0
    try:
        by_language = {
            code: texts.render(event.name, event.context, code) for code, _ in settings.LANGUAGES
        }
        user_ids = list(audiences.resolve(event.audience))
    except (texts.UnknownEvent, texts.RenderError, audiences.UnknownAudience) as exc:
        _fail(event, exc)
        return 0
    except (KeyError, TypeError, ValueError, AttributeError) as exc:  # a malformed audience
        _fail(event, exc)
        return 0
    # The inbox first, for everyone, then the slower channels.
    for chunk in _chunks(user_ids):
        _inbox_rows(event, chunk, by_language)
        _extend_lease(event_id)
    kinds = enabled_kinds()
    for chunk in _chunks(user_ids) if kinds else ():
        _delivery_rows(event, chunk, by_language, kinds, now)
        _extend_lease(event_id)
        # One sending task per chunk: other worker processes send while this one goes on.
        _publish("deliveries_send", event_id, chunk[0], chunk[-1])
    OutboxEvent.objects.filter(pk=event_id).update(
        status=OutboxEvent.Status.RELAYED,
        relayed_at=timezone.now(),
        claimed_until=None,
        recipients=len(user_ids),
        error="",
    )
    return len(user_ids)


def outbox_retry(*, event_ids: list[int]) -> int:
    """Put failed or stuck rows back in the queue (admin action) and relay them."""
    count = OutboxEvent.objects.filter(pk__in=event_ids, relayed_at__isnull=True).update(
        status=OutboxEvent.Status.PENDING, claimed_until=None, error=""
    )
    for event_id in event_ids:
        _publish("outbox_relay", event_id)
    return count


def outbox_sweep(*, now: datetime | None = None, limit: int = 200) -> dict:
    """Relay rows the after-commit publish missed, then send due deliveries (beat task)."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=conf("NOTIFY_SWEEP_AFTER_S"))
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    pending = OutboxEvent.objects.filter(
        free, status=OutboxEvent.Status.PENDING, created_at__lte=stale
    )
    relayed = 0
    for event_id in pending.order_by("pk").values_list("pk", flat=True)[:limit]:
        log.info("notifications: sweeper relays outbox %s", event_id)
        try:
            outbox_relay(event_id=event_id)
        except Exception:  # e.g. a database hiccup: the lease runs out, the next sweep retries
            log.exception("notifications: relaying outbox %s failed", event_id)
            continue
        relayed += 1
    return {"relayed": relayed, "sent": deliveries_send_due(now=now)}


# --- channel sending -----------------------------------------------------------------


def deliveries_send_due(
    *,
    event_id: int | None = None,
    recipients: tuple[int, int] | None = None,
    now: datetime | None = None,
    batch: int = 500,
) -> int:
    """Send every delivery due at `now` (of one event, and a range of recipient ids when
    given), each at most once per call, a batch at a time walking up the primary key;
    returns how many went out."""
    now = now or timezone.now()
    due = Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
    if event_id is not None:
        due = due.filter(event_id=event_id)
    if recipients is not None:
        due = due.filter(recipient__gte=recipients[0], recipient__lte=recipients[1])
    sent, last = 0, 0
    while rows := list(due.filter(pk__gt=last).order_by("pk")[:batch]):
        sent += sum(delivery_send(delivery=delivery) for delivery in rows)
        last = rows[-1].pk
    return sent


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=conf("NOTIFY_BACKOFF_S") * 2 ** (attempts - 1))


def _attempt(delivery: Delivery) -> TransportError | None:
    try:
        transport(delivery.channel).send(delivery)
    except TransportError as exc:
        return exc
    except Exception as exc:  # a bug or misconfiguration: keep the row, retry later
        log.exception("notifications: delivery %s crashed its transport", delivery.pk)
        return TransportError(f"{type(exc).__name__}: {exc}")
    return None


def _bookkeep(rows, **fields) -> int:
    """`rows.update(**fields)` in its own transaction that does not wait for the WAL flush.

    A sender writes twice per message (claim, result); waiting for each commit's flush cost
    4 ms a write here, most of the time of sending 6,000 e-mails. Asynchronous commit loses
    no consistency: a database crash can only forget the last fraction of a second of these
    writes, in order, so at worst a message just sent is sent once more.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        return rows.update(**fields)


def delivery_send(*, delivery: Delivery) -> bool:
    """Send one due delivery (as loaded while due); True if it went out.

    Claimed by moving `next_attempt_at` forward by a lease, on condition that the row is
    still exactly as loaded: a sender that lost the race updates nothing and skips it, and
    a sender that dies mid-send lets the delivery fall due again after the lease.
    """
    now = timezone.now()
    lease = now + timedelta(seconds=conf("NOTIFY_LEASE_S"))
    claimable = Delivery.objects.filter(
        pk=delivery.pk, status=Delivery.Status.PENDING, next_attempt_at=delivery.next_attempt_at
    )
    if _bookkeep(claimable, next_attempt_at=lease) != 1:
        return False
    mine = Delivery.objects.filter(pk=delivery.pk, next_attempt_at=lease)
    deferred_to = quiet_until(now) if delivery.channel in QUIET_CHANNELS else None
    if deferred_to:
        _bookkeep(mine, next_attempt_at=deferred_to)
        return False
    failure = _attempt(delivery)
    if failure is None:
        _bookkeep(
            mine,
            status=Delivery.Status.SENT,
            attempts=F("attempts") + 1,
            sent_at=timezone.now(),
            error="",
        )
        return True
    attempts = delivery.attempts + 1
    log.warning(
        "notifications: outbox %s delivery %s (%s) attempt %s failed: %s",
        delivery.event_id,
        delivery.pk,
        delivery.channel,
        attempts,
        failure,
    )
    if failure.permanent:
        status, next_at = Delivery.Status.FAILED, lease
    elif attempts >= conf("NOTIFY_MAX_ATTEMPTS"):
        status, next_at = Delivery.Status.DEAD, lease
    else:
        status, next_at = Delivery.Status.PENDING, now + _backoff(attempts)
    _bookkeep(mine, status=status, attempts=attempts, next_attempt_at=next_at, error=str(failure))
    return False


def deliveries_retry(*, delivery_ids: list[int]) -> int:
    """Admin action: give failed and dead deliveries a fresh set of attempts."""
    retryable = [Delivery.Status.FAILED, Delivery.Status.DEAD, Delivery.Status.PENDING]
    count = Delivery.objects.filter(pk__in=delivery_ids, status__in=retryable).update(
        status=Delivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), error=""
    )
    _publish("deliveries_send")
    return count


# --- inbox and preferences -----------------------------------------------------------


def notification_mark_read(*, user, notification_id: int) -> Notification:
    mine = Notification.objects.filter(pk=notification_id, recipient=user)
    if mine.filter(read_at__isnull=True).update(read_at=timezone.now()):
        _live_badges([user.pk])
    notification = mine.first()
    if notification is None:
        raise NotFound(_("消息不存在。"))
    return notification


def notifications_mark_all_read(*, user) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    changed = unread.update(read_at=timezone.now())
    live.publish([live.user_group(user.pk)], {"type": "badge", "unread": 0})
    return changed


MUTABLE_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.WECHAT)


def _clean_muted(muted) -> dict:
    if not isinstance(muted, dict):
        raise InvalidInput(_("渠道设置格式不正确。"), code="invalid_preferences")
    known = set(texts.events()) | {"*"}
    cleaned, errors = {}, {}
    for event, channels in muted.items():
        if event not in known:
            errors[event] = _("未知的消息类型。")
        elif not isinstance(channels, list) or not set(channels) <= set(MUTABLE_CHANNELS):
            errors[event] = _("渠道只能是：电子邮件、短信、微信推送。")
        elif channels:
            cleaned[event] = sorted(set(channels))
    if errors:
        raise InvalidInput(_("渠道设置有误。"), code="invalid_preferences", errors=errors)
    return cleaned


def preference_update(
    *, user, language: str | None = None, wechat_openid: str | None = None, muted=None
) -> Preference:
    preference, _created = Preference.objects.get_or_create(user=user)
    if language is not None:
        if not isinstance(language, str) or language not in Preference.Language.values:
            raise InvalidInput(_("不支持的语言。"), code="invalid_language")
        preference.language = language
    if wechat_openid is not None:
        if not isinstance(wechat_openid, str) or len(wechat_openid) > 64:
            raise InvalidInput(_("微信 OpenID 无效。"), code="invalid_openid")
        preference.wechat_openid = wechat_openid.strip()
    if muted is not None:
        preference.muted = _clean_muted(muted)
    preference.save()
    return preference


def notice_broadcast(*, actor, area, title: str, body: str) -> OutboxEvent:
    """Staff send a notice to every member in `area`'s subtree."""
    if not has_role_over(actor, BROADCASTERS, area=area):
        raise Forbidden()
    title, body = (title or "").strip(), (body or "").strip()
    errors = {}
    if not title or len(title) > 100:
        errors["title"] = _("标题不能为空，且不超过100字。")
    if len(body) > 1000:
        errors["body"] = _("内容不超过1000字。")
    if errors:
        raise InvalidInput(_("通知内容有误。"), code="invalid_notice", errors=errors)
    context = {"area": area.name, "title": title, "body": body}
    with transaction.atomic():
        return notify(
            "notice.broadcast",
            audience=audiences.area_members(area.pk),
            context=context,
            actor=actor,
        )


def notification_test_send(*, user) -> OutboxEvent:
    with transaction.atomic():
        return notify("notifications.test", audience=audiences.users(user.pk), actor=user)

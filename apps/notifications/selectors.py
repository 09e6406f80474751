"""Reads of the notifications app, always limited to the asking user."""

from django.conf import settings
from django.db.models import QuerySet

from apps.accounts.models import Role
from apps.accounts.scoping import STAFF, grants, scoped

from . import texts
from .models import Notification, Preference


def inbox_for(*, user, unread_only: bool = False) -> QuerySet:
    # scoped() lets a superuser see every row; an inbox is the user's own even then.
    inbox = scoped(user, Notification).filter(recipient=user)
    return inbox.filter(read_at__isnull=True) if unread_only else inbox


def unread_count(*, user) -> int:
    return inbox_for(user=user, unread_only=True).count()


def preference_for(*, user) -> Preference:
    """The user's preferences; an unsaved default row if they never changed them."""
    return Preference.objects.filter(user=user).first() or Preference(user=user)


def recipient_kinds(*, user) -> set[str] | None:
    """What kinds of recipient `user` is (`texts.KINDS`), for showing them only their own
    events; None for a superuser (every event)."""
    if user.is_superuser:
        return None
    roles = {g.role for g in grants(user)}
    kinds = set()
    if Role.RESIDENT in roles or hasattr(user, "resident"):
        kinds.add("resident")
    if Role.MEMBER in roles or hasattr(user, "member"):
        kinds.add("member")
    if Role.GROUP_LEADER in roles:
        kinds.add("leader")
    if roles & STAFF:
        kinds.add("staff")
    if Role.JUROR in roles or (hasattr(user, "juror_seats") and user.juror_seats.exists()):
        kinds.add("juror")
    if user.organisations.exists():
        kinds.add("organisation")
    return kinds


def notification_link(notification: Notification) -> str:
    """Where an inbox item leads: its stored link, or (for rows from before links were
    stored) the one its event names."""
    return notification.url or texts.link_for(notification.event.name, notification.event.context)


def notification_photo(notification: Notification) -> str:
    """A photo the message is about (the fulfilment photo of a wish), only if it is one of
    our uploads."""
    photo = notification.event.context.get("photo") or ""
    media = settings.MEDIA_URL if settings.MEDIA_URL.startswith("/") else "/" + settings.MEDIA_URL
    return photo if isinstance(photo, str) and photo.startswith(media) else ""

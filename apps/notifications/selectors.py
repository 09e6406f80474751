"""Reads of the notifications app, always limited to the asking user."""

from django.db.models import QuerySet

from apps.accounts.scoping import scoped

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

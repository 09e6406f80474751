from django.utils.functional import SimpleLazyObject


def unread(request):
    """`notifications_unread` for the header badge; counted only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .selectors import unread_count

    return {"notifications_unread": SimpleLazyObject(lambda: unread_count(user=user))}

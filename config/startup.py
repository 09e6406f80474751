"""Checks the processes that serve requests or run tasks make before they start."""

from django.core.exceptions import ImproperlyConfigured


def require_secret_key() -> None:
    """Refuse to start without a SECRET_KEY (settings leave it empty when DEBUG is off)."""
    from django.conf import settings

    try:
        settings.SECRET_KEY  # noqa: B018 - Django refuses an empty key on access
    except ImproperlyConfigured:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.") from None

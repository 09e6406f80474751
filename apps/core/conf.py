"""The one reader of Tongxin's own settings: `conf("WISH_MAX_OPEN_CLAIMS")`.

Every knob and its default is in `settings.TONGXIN` (config/settings.py), which reads the
environment; a knob set by an environment variable has that variable's name. Read at call
time, so `override_settings(TONGXIN={**settings.TONGXIN, ...})` works in tests.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def conf(name: str) -> Any:
    try:
        return settings.TONGXIN[name]
    except KeyError:
        raise ImproperlyConfigured(f"settings.TONGXIN has no {name!r}") from None

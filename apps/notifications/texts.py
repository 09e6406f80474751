"""Message texts: every `apps.<app>.events.EVENTS` dict in one place, rendered per channel
and language.

An app declares `EVENTS = {"wish.published": {"title": _("..."), "body": _("..."),
"sms": _("...")}}` with `str.format` placeholders filled from the outbox row's `context`.
The source strings are zh-hans; other languages come from gettext. "sms" is optional (the
short form; the title is used without it), and so is "label" (the name on the preferences page).
"""

import functools
from dataclasses import dataclass

from django.utils import translation

from apps.core.discovery import app_modules

from .models import Channel

SMS_MAX_CHARS = 70  # one SMS segment of Chinese text


class UnknownEvent(Exception):
    pass


class RenderError(Exception):
    pass


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    short: str  # the SMS form


@functools.cache
def events() -> dict[str, dict]:
    found: dict[str, dict] = {}
    for module in app_modules("events"):
        found.update(getattr(module, "EVENTS", {}))
    return found


def render(name: str, context: dict, language: str) -> Rendered:
    """The texts of event `name` in `language`; RenderError names what is wrong."""
    spec = events().get(name)
    if spec is None:
        raise UnknownEvent(name)
    with translation.override(language):
        try:
            title = str(spec["title"]).format(**context)
            body = str(spec.get("body", "")).format(**context)
            short = str(spec["sms"]).format(**context) if "sms" in spec else title
        except (KeyError, IndexError, ValueError, AttributeError, TypeError) as exc:
            raise RenderError(f"{name} [{language}]: {type(exc).__name__}: {exc}") from exc
    return Rendered(title[:200], body, short[:SMS_MAX_CHARS])


def text_for(rendered: Rendered, channel: str) -> tuple[str, str]:
    """(title, body) as one channel sends them."""
    if channel == Channel.SMS:
        return rendered.title, rendered.short
    return rendered.title, rendered.body

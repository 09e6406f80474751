"""The event registry: every `apps.<app>.events.EVENTS` dict in one place, rendered per
channel and language.

An app declares `EVENTS = {"wish.published": {"title": _("..."), "body": _("..."),
"sms": _("...")}}` with `str.format` placeholders filled from the outbox row's `context`.
The source strings are zh-hans; other languages come from gettext. "sms" is optional (the
short form; the title is used without it), and so is "label" (the name on the preferences page).
"""

import functools
from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
from django.utils import translation

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
    registry: dict[str, dict] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("apps."):
            continue
        module_name = f"{config.name}.events"
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise  # a broken import inside events.py must not pass for "no events"
            continue
        registry.update(getattr(module, "EVENTS", {}))
    return registry


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

"""Message texts: every `apps.<app>.events.EVENTS` dict in one place, rendered per channel
and language.

An app declares `EVENTS = {"wish.published": {"title": _("..."), "body": _("..."),
"sms": _("...")}}` with `str.format` placeholders filled from the outbox row's `context`.
The source strings are zh-hans; other languages come from gettext. "sms" is optional (the
short form; the title is used without it).

For the preferences page and the inbox, each event also says:
- "label": its plain name there (no placeholders, e.g. "我的心愿已发布");
- "to": who may receive it, as recipient kinds (`KINDS`: "resident", "member",
  "organisation", "staff", "leader", "juror", or "everyone"); a user sees only the events of
  the kinds they are (`selectors.recipient_kinds`);
- "link": optional `(url name, context key or None)`: the page the message is about, so that
  every inbox item opens its object.
"""

import functools
from dataclasses import dataclass

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from apps.core.discovery import app_modules

from .models import Channel

SMS_MAX_CHARS = 70  # one SMS segment of Chinese text
KINDS = ("resident", "member", "organisation", "leader", "staff", "juror", "everyone")


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
        app = apps.get_containing_app_config(module.__name__)
        for name, spec in getattr(module, "EVENTS", {}).items():
            found[name] = {**spec, "app": app.label}
    return found


def events_for(kinds: set[str] | None) -> dict[str, dict]:
    """The events a user of `kinds` may receive (None: every event, for a superuser)."""
    if kinds is None:
        return events()
    kinds = set(kinds) | {"everyone"}
    return {name: spec for name, spec in events().items() if kinds & set(spec.get("to", KINDS))}


def link_for(name: str, context: dict) -> str:
    """The path of the object an event is about ("" when it names none or cannot say)."""
    if context.get("url"):
        return str(context["url"])
    spec = events().get(name) or {}
    if "link" not in spec:
        return ""
    url_name, key = spec["link"]
    args = []
    if key is not None:
        if context.get(key) in (None, ""):
            return ""
        args = [context[key]]
    try:
        return reverse(url_name, args=args)
    except NoReverseMatch:
        return ""


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

"""The event registry: every app's EVENTS in one place, rendered per language and channel."""

import pytest

from apps.notifications import registry


def test_every_apps_events_module_is_loaded():
    events = registry.events()
    assert {"notice.broadcast", "notifications.test", "notifications.unread_reminder"} <= set(
        events
    )


def test_texts_render_in_the_recipients_language(temporary_event):
    # Django's own catalogue translates "English": proof that rendering switches language.
    assert registry.render(temporary_event, {"n": 1}, "zh-hans").title == "英语"
    assert registry.render(temporary_event, {"n": 1}, "en").title == "English"


def test_sms_gets_the_short_form_and_is_cut_to_one_segment():
    context = {"area": "海城社区", "title": "停" * 100, "body": "正文"}
    rendered = registry.render("notice.broadcast", context, "zh-hans")
    assert len(rendered.short) == registry.SMS_MAX_CHARS
    assert registry.text_for(rendered, "sms") == (rendered.title, rendered.short)
    assert registry.text_for(rendered, "email") == (rendered.title, "正文")


def test_context_values_are_not_templates():
    context = {"area": "{title}", "title": "{0.__class__}", "body": "{body}"}
    rendered = registry.render("notice.broadcast", context, "zh-hans")
    assert rendered.title == "{title}通知：{0.__class__}"


@pytest.mark.parametrize(
    "name, context, error",
    [
        ("no.such_event", {}, registry.UnknownEvent),
        ("notice.broadcast", {"area": "A"}, registry.RenderError),
        ("notifications.unread_reminder", {}, registry.RenderError),
    ],
)
def test_bad_events_raise_named_errors(name, context, error):
    with pytest.raises(error):
        registry.render(name, context, "zh-hans")

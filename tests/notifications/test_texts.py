"""Message texts: every app's EVENTS in one place, rendered per language and channel."""

import pytest

from apps.notifications import texts


def test_every_apps_events_module_is_loaded():
    events = texts.events()
    assert {"notice.broadcast", "notifications.test", "notifications.unread_reminder"} <= set(
        events
    )


def test_texts_render_in_the_recipients_language(temporary_event):
    # Django's own catalogue translates "English": proof that rendering switches language.
    assert texts.render(temporary_event, {"n": 1}, "zh-hans").title == "英语"
    assert texts.render(temporary_event, {"n": 1}, "en").title == "English"


def test_sms_gets_the_short_form_and_is_cut_to_one_segment():
    context = {"area": "海城社区", "title": "停" * 100, "body": "正文"}
    rendered = texts.render("notice.broadcast", context, "zh-hans")
    assert len(rendered.short) == texts.SMS_MAX_CHARS
    assert texts.text_for(rendered, "sms") == (rendered.title, rendered.short)
    assert texts.text_for(rendered, "email") == (rendered.title, "正文")


def test_context_values_are_not_templates():
    context = {"area": "{title}", "title": "{0.__class__}", "body": "{body}"}
    rendered = texts.render("notice.broadcast", context, "zh-hans")
    assert rendered.title == "{title}通知：{0.__class__}"


@pytest.mark.parametrize(
    "name, context, error",
    [
        ("no.such_event", {}, texts.UnknownEvent),
        ("notice.broadcast", {"area": "A"}, texts.RenderError),
        ("notifications.unread_reminder", {}, texts.RenderError),
    ],
)
def test_bad_events_raise_named_errors(name, context, error):
    with pytest.raises(error):
        texts.render(name, context, "zh-hans")


def _placeholders(text) -> set[str]:
    import string

    return {field for _, field, _, _ in string.Formatter().parse(str(text)) if field}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_registered_event_renders_in_every_language(language):
    """A translation that renames or adds a placeholder fails here, not in a worker."""
    from django.utils import translation

    for name, spec in texts.events().items():
        with translation.override("zh-hans"):
            fields = set().union(*(_placeholders(spec[key]) for key in spec))
        rendered = texts.render(name, {field: "x" for field in fields}, language)
        assert rendered.title, name


def test_english_texts_come_from_the_catalogue():
    rendered = texts.render("notifications.test", {}, "en")
    assert rendered.title == "Test message"
    rendered = texts.render("notice.broadcast", {"area": "A", "title": "T", "body": "B"}, "en")
    assert rendered.title == "Notice from A: T"

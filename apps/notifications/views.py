from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.core.errors import AppError
from apps.core.pagination import paginate

from . import selectors, services, texts
from .models import Channel, Preference
from .quiet import QUIET_CHANNELS
from .services import MUTABLE_CHANNELS
from .transports import enabled_kinds


@login_required
def inbox(request):
    inbox = selectors.inbox_for(user=request.user).select_related("event")
    page = paginate(request, inbox, 20)
    for notification in page:
        notification.link = selectors.notification_link(notification)
        notification.photo = selectors.notification_photo(notification)
    return render(request, "notifications/inbox.html", {"page": page, "now": timezone.now()})


@login_required
@require_POST
def mark_read(request, pk: int):
    try:
        notification = services.notification_mark_read(user=request.user, notification_id=pk)
    except AppError as exc:
        messages.error(request, exc.detail)
        return redirect("notifications:inbox")
    # Links come from the events' context; only ever follow one to this site.
    link = selectors.notification_link(notification)
    local = url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()})
    return redirect(link if link and local else "notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    services.notifications_mark_all_read(user=request.user)
    messages.success(request, _("已全部标为已读。"))
    return redirect("notifications:inbox")


# The preferences page's sections, by the app that sends the events; a person's own wishes
# first: what residents and members come for.
GROUPS = {
    "wishes": gettext_lazy("微心愿"),
    "grids": gettext_lazy("走访与问题"),
    "volunteers": gettext_lazy("志愿服务"),
    "projects": gettext_lazy("项目与点题"),
    "notifications": gettext_lazy("通知与提醒"),
}


def _channels() -> list:
    """The external channels a user can switch: those configured on this server."""
    enabled = set(enabled_kinds())
    return [c for c in Channel if c.value in MUTABLE_CHANNELS and c.value in enabled]


def _event_groups(preference: Preference, events: dict, channels) -> list[dict]:
    """The user's events, by app, each with a switch per channel (on = sent there)."""
    groups: dict[str, list] = {}
    for name, spec in events.items():  # each app's own order: its workflow's
        switches = [
            {"value": c.value, "label": c.label, "on": preference.allows(name, c.value)}
            for c in channels
        ]
        label = spec.get("label", spec["title"])
        groups.setdefault(spec["app"], []).append(
            {"name": name, "label": label, "switches": switches}
        )
    order = list(GROUPS)
    ranked = sorted(groups.items(), key=lambda g: order.index(g[0]) if g[0] in order else 99)
    return [
        {"name": GROUPS.get(app) or apps.get_app_config(app).verbose_name, "rows": rows}
        for app, rows in ranked
    ]


@login_required
def preferences(request):
    preference = selectors.preference_for(user=request.user)
    events = texts.events_for(selectors.recipient_kinds(user=request.user))
    channels = _channels()
    if request.method == "POST":
        # Only what the page showed changes; other settings (from the API) stay as they were.
        muted = {k: v for k, v in preference.muted.items() if k not in events}
        shown = {c.value for c in channels}
        for name in events:
            kept = [c for c in preference.muted.get(name, []) if c not in shown]
            off = [c for c in shown if f"{name}:{c}" not in request.POST]
            if kept or off:
                muted[name] = kept + off
        try:
            services.preference_update(
                user=request.user,
                language=request.POST.get("language", preference.language),
                muted=muted,
            )
        except AppError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("通知设置已保存。"))
            return redirect("notifications:preferences")
    context = {
        "preference": preference,
        "languages": Preference.Language.choices,
        "groups": _event_groups(preference, events, channels),
        "channels": channels,
        "wechat": Channel.WECHAT in channels,
        "quiet": bool(set(channels) & set(QUIET_CHANNELS)),
    }
    return render(request, "notifications/preferences.html", context)

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.errors import AppError
from apps.core.pagination import paginate

from . import selectors, services, texts
from .models import Channel, Preference
from .services import MUTABLE_CHANNELS


@login_required
def inbox(request):
    page = paginate(request, selectors.inbox_for(user=request.user), 20)
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def mark_read(request, pk: int):
    try:
        notification = services.notification_mark_read(user=request.user, notification_id=pk)
    except AppError as exc:
        messages.error(request, exc.detail)
        return redirect("notifications:inbox")
    # Links come from the events' context; only ever follow one to this site.
    local = url_has_allowed_host_and_scheme(notification.url, allowed_hosts={request.get_host()})
    return redirect(notification.url if notification.url and local else "notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    services.notifications_mark_all_read(user=request.user)
    messages.success(request, _("已全部标为已读。"))
    return redirect("notifications:inbox")


def _event_rows(preference: Preference) -> list[dict]:
    """One row per event with a checkbox per external channel (checked = on)."""
    rows = []
    for name, spec in sorted(texts.events().items()):
        channels = [
            {"value": c.value, "label": c.label, "on": preference.allows(name, c.value)}
            for c in Channel
            if c.value in MUTABLE_CHANNELS
        ]
        rows.append({"name": name, "label": spec.get("label", spec["title"]), "channels": channels})
    return rows


@login_required
def preferences(request):
    preference = selectors.preference_for(user=request.user)
    if request.method == "POST":
        muted = {}
        for name in texts.events():
            off = [c for c in MUTABLE_CHANNELS if f"{name}:{c}" not in request.POST]
            if off:
                muted[name] = off
        try:
            services.preference_update(
                user=request.user,
                language=request.POST.get("language", preference.language),
                wechat_openid=request.POST.get("wechat_openid", ""),
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
        "rows": _event_rows(preference),
    }
    return render(request, "notifications/preferences.html", context)

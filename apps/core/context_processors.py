"""What every page's frame needs: the bottom tab bar (首页 / 心愿 / 消息 / 我的), whether
the page is an inner one (it then shows a back link), and 长辈模式."""

from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _


def _wish_url(user) -> str:
    """A resident's 心愿 tab is their own wishes; everybody else's is the wish hall."""
    if hasattr(user, "resident"):
        return reverse("wishes:mine")
    return reverse("wishes:hall")


def _tabs(request) -> list[dict]:
    user = request.user
    path = request.path
    tabs = [
        ("home", _("首页"), reverse("home"), "home"),
        ("wishes", _("心愿"), _wish_url(user), "heart"),
        ("messages", _("消息"), reverse("notifications:inbox"), "inbox"),
        ("me", _("我的"), reverse("accounts:me"), "user"),
    ]
    prefixes = {"wishes": "/wishes/", "messages": "/notifications/", "me": reverse("accounts:me")}
    result = []
    for key, label, url, icon in tabs:
        active = path == url if key == "home" else path.startswith(prefixes[key])
        result.append({"key": key, "label": label, "url": url, "icon": icon, "active": active})
    return result


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"inner_page": request.path != reverse("home")}
    return {
        "tabs": SimpleLazyObject(lambda: _tabs(request)),
        "inner_page": request.path != reverse("home"),
        "elder_mode": user.elder_mode,
    }

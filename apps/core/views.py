import functools
import hashlib
import json
import posixpath

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.static import serve as static_serve

from apps.accounts.scoping import grants
from apps.core.errors import AppError, NotFound
from apps.core.menu import tiles_for
from apps.core.validators import parse_id


def offline_page(view):
    """Let the service worker keep this page for the signed-in user, to show it offline
    (in a cache named after the user, cleared on logout). Only for pages whose content is
    fit to stay on a phone: masked personal data, the user's own work."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.user.is_authenticated and response.status_code == 200:
            response["X-Tongxin-Offline"] = str(request.user.pk)
        return response

    return wrapper


@offline_page
@login_required
def home(request):
    roles = {g.role for g in grants(request.user)}
    if hasattr(request.user, "resident"):
        roles.add("resident")
    assignments = request.user.role_assignments.select_related("area", "party_org")
    context = {
        "roles": sorted(roles),
        "assignments": assignments,
        "tiles": tiles_for(request.user, roles),
    }
    return render(request, "core/home.html", context)


def vendored(name: str) -> str | None:
    """The URL of a browser library unpacked from npm into static/vendor/ at install time
    (`make vendor`), or None where it was not installed: the page then does without it."""
    if finders.find(name) is None and not staticfiles_storage.exists(name):
        return None
    return static(name)


def error_page(request, exc: AppError):
    """An application error as a page: its (translated) detail, with its status."""
    context = {"message": exc.detail, "code": exc.code}
    return render(request, "core/error.html", context, status=exc.status_code)


def page(view):
    """Login required; an AppError on GET renders the error page with its status, on POST
    it becomes a message on the page the form came from."""

    @functools.wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except AppError as exc:
            if request.method == "POST":
                messages.error(request, exc.detail)
                return redirect_back(
                    request, request.META.get("HTTP_REFERER"), default=request.path
                )
            return error_page(request, exc)

    return wrapper


def redirect_back(request, *candidates: str | None, default: str) -> HttpResponseRedirect:
    """To the first of `candidates` (a form's `next` or `back`, the Referer) that points back
    into this site, else to the URL `default`. What a user sent is only ever a URL, never
    resolved as a view name, and never leads off the site."""
    for url in candidates:
        if url and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return HttpResponseRedirect(url)
    return HttpResponseRedirect(default)


def get_or_404(queryset, pk):
    """The row with id `pk` in `queryset` (already scoped), or NotFound for anything else,
    a malformed id included."""
    pk = parse_id(pk)
    obj = queryset.filter(pk=pk).first() if pk is not None else None
    if obj is None:
        raise NotFound()
    return obj


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"code": "not_found", "detail": _("未找到。")}, status=404)
    return render(request, "core/error.html", {"message": _("页面不存在。")}, status=404)


def server_error(request):
    if _wants_json(request):
        return JsonResponse({"code": "server_error", "detail": _("服务器内部错误。")}, status=500)
    return render(request, "core/error.html", {"message": _("服务器内部错误。")}, status=500)


# Uploaded files are served so that none can run as a page of this origin: the browser may
# not guess a type (nosniff), a document gets no scripts, no requests and a unique origin
# (the CSP sandbox), and anything but an image of the formats we store is a download.
MEDIA_CSP = "default-src 'none'; img-src 'self'; sandbox"
INLINE_MEDIA = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}


def media(request, path):
    """/media/<path>: the uploaded file with headers that keep it from acting as a page
    (production may serve media from another origin instead; see the README)."""
    response = static_serve(request, path, document_root=settings.MEDIA_ROOT)
    name = posixpath.basename(path)
    content_type = INLINE_MEDIA.get(posixpath.splitext(name)[1].lower())
    safe_name = "".join(c for c in name if c.isascii() and (c.isalnum() or c in "._-")) or "file"
    if content_type:
        response["Content-Type"] = content_type
        response["Content-Disposition"] = f'inline; filename="{safe_name}"'
    else:
        response["Content-Type"] = "application/octet-stream"
        response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_CSP
    return response


# --- installable app (PWA): manifest, service worker, pages kept for offline use ----------

ICONS = ("icons/icon-192.png", "icons/icon-512.png")
SW_SOURCES = (
    "js/sw.js",
    "js/outbox.js",
    "js/app.js",
    "js/visits.js",
    "js/leader.js",
    "js/voice.js",
    "css/app.css",
    "css/leader.css",
    "icons/tiles.svg",
)


def _static_source(name: str) -> bytes:
    path = finders.find(name) or staticfiles_storage.path(name)
    with open(path, "rb") as fh:
        return fh.read()


def manifest(request):
    """/manifest.webmanifest: what a phone needs to add the site to its home screen."""
    data = {
        "id": "/",
        "name": _("同心"),
        "short_name": _("同心"),
        "description": _("基层党建与社区治理"),
        "lang": get_language(),
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f6f7f9",
        "theme_color": "#c8102e",
        "icons": [
            {"src": static(f"icons/icon-{n}.png"), "sizes": f"{n}x{n}", "type": "image/png"}
            for n in (192, 512)
        ]
        + [
            {
                "src": static(f"icons/icon-{n}.png"),
                "sizes": f"{n}x{n}",
                "type": "image/png",
                "purpose": "maskable",
            }
            for n in (192, 512)
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "no-cache"
    return response


def service_worker(request):
    """/sw.js: the service worker (static/js/sw.js), served at the root so that its scope
    is the whole site. Its version is a hash of the files it caches, so that a change to
    any of them installs a new worker that replaces the cached copies. `?lang=` (the page's
    language) is the language of its offline page."""
    lang = request.GET.get("lang", "")
    if lang in dict(settings.LANGUAGES):
        with translation.override(lang):
            return _service_worker()
    return _service_worker()


def _service_worker():
    digest = hashlib.sha256()
    for name in (*SW_SOURCES, *ICONS):
        digest.update(_static_source(name))
    config = {
        "version": digest.hexdigest()[:12],
        "static": settings.STATIC_URL
        if settings.STATIC_URL.startswith("/")
        else "/" + settings.STATIC_URL,
        "shell": [static(name) for name in (*SW_SOURCES[1:], *ICONS)],
        "offline_title": _("您当前处于离线状态"),
        "offline_text": _("此页面未保存在本机。已保存的页面："),
        "offline_links": [[reverse("home"), _("首页")], [reverse("grids:leader"), _("我的责任片")]],
    }
    body = b"self.TONGXIN = " + json.dumps(config, ensure_ascii=False).encode() + b";\n"
    response = HttpResponse(body + _static_source("js/sw.js"), content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response

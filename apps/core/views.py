import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.accounts.scoping import grants
from apps.core.errors import AppError, NotFound
from apps.core.menu import tiles_for


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
                return redirect(request.META.get("HTTP_REFERER") or request.path)
            return error_page(request, exc)

    return wrapper


def get_or_404(queryset, pk):
    """The row with id `pk` in `queryset` (already scoped), or NotFound for anything else,
    a malformed id included."""
    obj = queryset.filter(pk=pk).first() if str(pk or "").isdigit() else None
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

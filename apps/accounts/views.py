from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.core.errors import AppError, InvalidInput
from apps.core.views import get_or_404, page, redirect_back

from . import selectors, services
from .api import sms_code_sent_message
from .models import PhoneCode, Role, RoleAssignment, User
from .scoping import CHANGE, scoped
from .services import client_address, user_authenticate


class LoginForm(AuthenticationForm):
    """Django's login form on the same throttled authentication path as the API."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = user_authenticate(
                    request=self.request, identifier=username, password=password
                )
            except AppError as exc:
                raise ValidationError(exc.detail, code=exc.code) from exc
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "sms": services.sms_login_available()}


# --- login and 忘记密码 by SMS code: one form each, "获取验证码" then the code -----------------

BACKEND = "apps.accounts.backends.UsernameOrPhoneBackend"


def _code_form(request, purpose: str, template: str, finish):
    """GET shows the form; POST `action=send` texts a code to the phone (the same answer
    for any well-formed number), any other POST calls `finish(phone, code)`, which returns
    the response on success. Errors show on the form, with what was typed kept."""
    if request.user.is_authenticated and purpose == PhoneCode.Purpose.LOGIN:
        return redirect("home")
    context = {"phone": "", "sent": False, "error": None, "next": request.GET.get("next", "")}
    if request.method == "POST":
        phone = request.POST.get("phone", "").strip()
        context.update(phone=phone, next=request.POST.get("next", ""))
        try:
            if request.POST.get("action") == "send":
                services.phone_code_request(
                    phone=phone, purpose=purpose, address=client_address(request)
                )
                context["sent"] = True
                messages.success(request, sms_code_sent_message())
            else:
                context["sent"] = True
                return finish(phone, request.POST.get("code", ""))
        except AppError as exc:
            context["error"] = exc
    context["available"] = services.sms_login_available()
    return render(request, template, context, status=400 if context["error"] else 200)


def sms_login(request):
    """/login/sms/: log in with the phone and a code texted to it."""

    def finish(phone, code):
        user = services.phone_code_login(request=request, phone=phone, code=code)
        auth_login(request, user, backend=BACKEND)
        return redirect_back(request, request.POST.get("next"), default="/")

    return _code_form(request, PhoneCode.Purpose.LOGIN, "accounts/sms_login.html", finish)


def password_reset(request):
    """/password/reset/ (忘记密码): a code texted to the phone, then a new password; every
    other session and device of the account is signed out, this one is signed in."""

    def finish(phone, code):
        password = request.POST.get("new_password", "")
        if password != request.POST.get("new_password2", ""):
            raise InvalidInput(_("两次输入的新密码不一致。"), code="password_mismatch")
        user = services.password_reset_by_code(
            request=request, phone=phone, code=code, new_password=password
        )
        auth_login(request, user, backend=BACKEND)
        messages.success(request, _("密码已重设，其他设备上的登录已退出。"))
        return redirect("home")

    return _code_form(request, PhoneCode.Purpose.RESET, "accounts/password_reset.html", finish)


class LogoutView(auth_views.LogoutView):
    """GET asks first (a page with one button); POST logs out."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect("accounts:login")
        return render(request, "accounts/logout_confirm.html")


# --- 我的: the user's own page ---------------------------------------------------------------


@page
def me(request):
    """The user's name and roles, 长辈模式, language, notification settings and logout."""
    if request.method == "POST":
        on = request.POST.get("elder_mode") == "on"
        services.user_set_elder_mode(user=request.user, on=on)
        messages.success(request, _("已开启长辈模式。") if on else _("已关闭长辈模式。"))
        return redirect("accounts:me")
    assignments = request.user.role_assignments.select_related("area", "party_org").order_by("pk")
    context = {
        "assignments": assignments,
        "is_resident": hasattr(request.user, "resident"),
    }
    return render(request, "accounts/me.html", context)


# --- role administration -------------------------------------------------------------------

ROLE_PAGE_KINDS = ("district", "street", "community", "grid")


def _user_by_login(identifier: str) -> User:
    identifier = (identifier or "").strip()
    user = User.objects.filter(Q(username=identifier) | Q(phone=identifier)).first()
    if not identifier or user is None:
        raise InvalidInput(_("找不到该用户（请填写用户名或手机号）。"), code="unknown_user")
    return user


@page
def roles(request):
    """Administrators and secretaries: the roles held in their subtree, grant one (to a user
    by username or phone, at an area or a Party organisation they administer), revoke one."""
    user = request.user
    areas = selectors.nodes_administered(user, selectors.Area).filter(kind__in=ROLE_PAGE_KINDS)
    party_orgs = selectors.nodes_administered(user, selectors.PartyOrg)
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            assignment = get_or_404(
                scoped(user, RoleAssignment, CHANGE), request.POST.get("assignment")
            )
            services.role_revoke(actor=user, assignment=assignment)
            messages.success(request, _("已撤销角色。"))
        else:
            node = request.POST.get("node", "")
            kind, _sep, pk = node.partition(":")
            area = get_or_404(areas, pk) if kind == "area" else None
            party_org = get_or_404(party_orgs, pk) if kind == "party_org" else None
            services.role_grant(
                actor=user,
                user=_user_by_login(request.POST.get("user", "")),
                role=request.POST.get("role", ""),
                area=area,
                party_org=party_org,
            )
            messages.success(request, _("已授予角色。"))
        return redirect("accounts:roles")
    context = {
        "assignments": selectors.role_assignments(user=user)[:300],
        "roles": [(r, Role(r).label) for r in selectors.grantable_roles(user)],
        "areas": areas.order_by("path")[:500],
        "party_orgs": party_orgs.order_by("path")[:500],
    }
    return render(request, "accounts/roles.html", context)

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from apps.core.errors import AppError

from .services import user_authenticate


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


LogoutView = auth_views.LogoutView

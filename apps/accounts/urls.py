from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("api/auth/token/", api.TokenView.as_view(), name="api-token"),
    path("login/sms/", views.sms_login, name="sms-login"),
    path("password/reset/", views.password_reset, name="password-reset"),
    path("api/auth/sms-code/", api.SmsCodeView.as_view(), name="api-sms-code"),
    path("api/auth/sms-login/", api.SmsLoginView.as_view(), name="api-sms-login"),
    path("api/auth/password-reset/", api.PasswordResetView.as_view(), name="api-password-reset"),
    path("api/auth/logout/", api.TokenRevokeView.as_view(), name="api-logout"),
    path("api/me/", api.MeView.as_view(), name="api-me"),
    path("roles/", views.roles, name="roles"),
    path("me/", views.me, name="me"),
]

router = SimpleRouter()
router.register("api/auth/tokens", api.DeviceTokenViewSet, basename="api-token-device")
router.register("api/role-assignments", api.RoleAssignmentViewSet, basename="api-role-assignment")
urlpatterns += router.urls

"""Users and their roles. Users are for superusers; role assignments are granted and
revoked through `services.role_grant` / `role_revoke` (administrators and secretaries within
their subtree, never a role above their own), here as in the API and the roles page."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from apps.core.admin import ScopedAdmin

from . import services
from .models import RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    """The user's roles, read-only: grants and revokes go through the role services (the
    role assignment admin)."""

    model = RoleAssignment
    fields = ["role", "area", "party_org", "created_at"]
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SuperuserOnlyMixin:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    has_change_permission = has_add_permission = has_view_permission

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class UserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ["username", "name", "phone"]


class UserForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(SuperuserOnlyMixin, DjangoUserAdmin):
    add_form = UserCreationForm
    form = UserForm
    list_display = ["username", "name", "phone", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "role_assignments__role"]
    search_fields = ["username", "name", "phone"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("个人信息"), {"fields": ["name", "phone", "email"]}),
        (_("权限"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (_("重要日期"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "name", "phone", "password1", "password2"],
            },
        )
    ]
    inlines = [RoleAssignmentInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ScopedAdmin):
    """Scoped to the nodes the user administers; adding is `role_grant`, deleting is
    `role_revoke` (an assignment is never edited: revoke and grant another)."""

    create_service = services.role_grant
    delete_service = services.role_revoke
    instance_name = "assignment"
    fields = ["user", "role", "area", "party_org"]
    list_display = ["user", "role", "area", "party_org", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__name", "area__name", "party_org__name"]
    list_select_related = ["user", "area", "party_org"]
    raw_id_fields = ["user", "area", "party_org"]

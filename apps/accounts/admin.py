"""Users and their roles. Granting roles is for superusers only for now: a scoped user
admin for administrators needs rules against granting above one's own node (own issue)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from .models import RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fields = ["role", "area", "party_org"]
    autocomplete_fields = ["area", "party_org"]
    extra = 0


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
class RoleAssignmentAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ["user", "role", "area", "party_org", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__name", "area__name", "party_org__name"]
    list_select_related = ["user", "area", "party_org"]
    autocomplete_fields = ["user", "area", "party_org"]

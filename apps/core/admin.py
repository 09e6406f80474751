"""Admin scoped to the staff user's subtree: non-superusers see and change only what
`scoped()` allows them, through their role assignments (not Django's model permissions)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction

from apps.accounts.scoping import CHANGE, VIEW, grants, scoped


class ScopedAdmin(admin.ModelAdmin):
    def _roles(self, request) -> set[str]:
        return {g.role for g in grants(request.user)}

    def get_queryset(self, request):
        return scoped(request.user, super().get_queryset(request), VIEW)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Offer only the nodes and rows the user can see (no names from outside the subtree).
        related = db_field.related_model
        if hasattr(related, "scope") and not request.user.is_superuser:
            kwargs["queryset"] = scoped(request.user, related, VIEW)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # The saved row must still be one the user may change (not moved out of the subtree).
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if not request.user.is_superuser and not (
                scoped(request.user, type(obj), CHANGE).filter(pk=obj.pk).exists()
            ):
                raise PermissionDenied

    def has_module_permission(self, request):
        user = request.user
        return user.is_active and user.is_staff and self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        if request.user.is_superuser:
            return True
        if not request.user.is_staff or not (self._roles(request) & self.model.scope.roles(VIEW)):
            return False
        return obj is None or scoped(request.user, self.model, VIEW).filter(pk=obj.pk).exists()

    def has_change_permission(self, request, obj=None):
        if request.user.is_superuser:
            return True
        if not request.user.is_staff or not (self._roles(request) & self.model.scope.roles(CHANGE)):
            return False
        return obj is None or scoped(request.user, self.model, CHANGE).filter(pk=obj.pk).exists()

    def has_add_permission(self, request):
        return self.has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

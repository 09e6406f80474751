"""The admin writes through the services, like the API: one door for every write.

`ServiceAdmin` names its service functions (`create_service`, `update_service`,
`delete_service`, and `instance_name`, the services' keyword for the existing row, as the
API's viewsets do) and calls them with `actor=request.user` and the form's cleaned data. An
`AppError` becomes a form error (add/change) or an error message (delete, changelist), never
a 500, and nothing is written. An admin that names no service for an action does not offer
it: with none at all the page is read-only, for superusers too.

`ScopedAdmin` adds scoping: non-superusers see and change only what `scoped()` allows them,
through their role assignments (not Django's model permissions).
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.accounts.scoping import (
    CHANGE,
    PERSONAL,
    VIEW,
    grants,
    scoped,
    sees_personal,
    touches_personal,
)
from apps.core.errors import AppError, Conflict, InvalidInput
from apps.core.history import note_access
from apps.core.masking import mask_name


def as_app_error(exc: Exception) -> AppError:
    """The service errors that are not AppErrors yet, in the API's shape."""
    if isinstance(exc, ProtectedError | RestrictedError):
        return Conflict(_("仍有其他数据引用该记录，无法删除。"), code="in_use")
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else None
        return InvalidInput("；".join(exc.messages), errors=errors)
    return exc


class ServiceErrorForm:
    """Mixed into the admin's form: shows the service's error of the previous attempt.

    The admin's view runs twice on a refused save: the first run's transaction is rolled
    back, the second one validates the same POST with the error added, so the page shows
    the form as the user filled it in, with the service's message.
    """

    user = None
    service_error: AppError | None = None

    def full_clean(self):
        super().full_clean()
        error = self.service_error
        if error is None or not self.is_bound:
            return
        field = next((name for name in (error.errors or {}) if name in self.fields), None)
        if field is not None:
            found = error.errors[field]
            for message in found if isinstance(found, list | tuple) else [found]:
                self.add_error(field, message)
        else:
            self.add_error(None, error.detail)


class ReadOnlyInline:
    """An inline that shows rows only: writes to them go through the parent's service."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceAdmin(admin.ModelAdmin):
    create_service = update_service = delete_service = None
    instance_name = ""  # the services' keyword for the existing row ("member", "area" …)

    # --- what the services are called with ---------------------------------------------

    def service_data(self, request, form, change) -> dict:
        """The cleaned form data for the service: all of it on add, what changed on change
        (a PATCH, as the API sends it)."""
        data = form.cleaned_data
        names = form.changed_data if change else list(data)
        return {name: data[name] for name in names if name in data}

    def _call(self, service, request, **kwargs):
        try:
            return service(actor=request.user, **kwargs)
        except (DjangoValidationError, ProtectedError, RestrictedError) as exc:
            raise as_app_error(exc) from exc

    def _existing(self, obj):
        # The form has already copied its values onto `obj`; the service must see the row
        # as it is stored (to know what changes: a new login, a move, a new community).
        return self.model._base_manager.get(pk=obj.pk)

    # --- the writes ---------------------------------------------------------------------------

    def save_form(self, request, form, change):
        # Only validate: the service writes (treebeard's form would write on save()).
        return form.instance

    def save_model(self, request, obj, form, change):
        data = self.service_data(request, form, change)
        if change:
            existing = {self.instance_name: self._existing(obj)}
            saved = self._call(type(self).update_service, request, **existing, **data)
        else:
            saved = self._call(type(self).create_service, request, **data)
        # The view goes on with `obj` (log entry, redirect): make it the saved row.
        obj.__dict__.update(saved.__dict__)

    def save_related(self, request, form, formsets, change):
        # Related rows (many-to-many fields) are the service's job; inlines are read-only.
        pass

    def delete_model(self, request, obj):
        self._call(type(self).delete_service, request, **{self.instance_name: obj})

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def get_actions(self, request):
        # Bulk delete reports a count it cannot know when the service refuses some rows;
        # deletes go one by one through the change page.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def run_service(self, request, queryset, call, done: str) -> None:
        """An admin action: `call(obj)` for each row, each in its own transaction; refused
        rows are reported, the others done."""
        count = 0
        for obj in queryset:
            try:
                with transaction.atomic():
                    call(obj)
                count += 1
            except AppError as exc:
                self.message_user(request, f"{obj}：{exc.detail}", messages.ERROR)
        if count:
            self.message_user(request, done % {"count": count}, messages.SUCCESS)

    # --- errors, not 500s ---------------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        attrs = {"user": request.user, "service_error": getattr(request, "_service_error", None)}
        return type(form)(form.__name__, (ServiceErrorForm, form), attrs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except AppError as exc:
            if getattr(request, "_service_error", None) is not None:
                raise
            request._service_error = exc  # the view runs again and shows it on the form
            return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except AppError as exc:
            self.message_user(request, exc.detail, messages.ERROR)
            opts = self.model._meta
            url = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change",
                args=[quote(object_id)],
                current_app=self.admin_site.name,
            )
            return HttpResponseRedirect(url)

    def changelist_view(self, request, extra_context=None):
        # list_editable saves and actions call the services too.
        try:
            return super().changelist_view(request, extra_context)
        except AppError as exc:
            self.message_user(request, exc.detail, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    # --- no service, no write -----------------------------------------------------------------

    def has_add_permission(self, request):
        return self.create_service is not None and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.update_service is not None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.delete_service is not None and super().has_delete_permission(request, obj)


class ScopedRawIdWidget(ForeignKeyRawIdWidget):
    """A raw-id widget whose label (the row's name next to the id, e.g. from `?resident=N`)
    is shown only for a row in the user's scope, masked where its personal data is; a model
    without a scope (users) gets no label for anyone but a superuser."""

    def __init__(self, rel, admin_site, *, user, **kwargs):
        super().__init__(rel, admin_site, **kwargs)
        self.user = user

    def label_and_url_for_value(self, value):
        model = self.rel.model
        if self.user.is_superuser:
            return super().label_and_url_for_value(value)
        if not hasattr(model, "scope"):
            return "", ""
        key = self.rel.get_related_field().name
        try:
            obj = scoped(self.user, model, VIEW).filter(**{key: value}).first()
        except (ValueError, TypeError, DjangoValidationError):
            obj = None
        if obj is None:
            return "", ""
        label, url = super().label_and_url_for_value(value)
        if model.scope.personal_fields and not sees_personal(self.user, obj):
            label = mask_name(str(obj))
        return label, url


class ScopedAdmin(ServiceAdmin):
    def _roles(self, request) -> set[str]:
        return {g.role for g in grants(request.user)}

    def get_queryset(self, request):
        return scoped(request.user, super().get_queryset(request), VIEW)

    def get_search_results(self, request, queryset, search_term):
        # As the API's search: a personal field (a name, an address) is searched only among
        # the rows whose personal data the user sees. This is also the autocomplete's search.
        fields = self.get_search_fields(request)
        if search_term and any(touches_personal(self.model, f) for f in fields):
            queryset = scoped(request.user, queryset, PERSONAL)
        return super().get_search_results(request, queryset, search_term)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Offer only the nodes and rows the user can see (no names from outside the subtree),
        # and label raw ids the same way.
        related = db_field.related_model
        if hasattr(related, "scope") and not request.user.is_superuser:
            kwargs["queryset"] = scoped(request.user, related, VIEW)
        if db_field.name in self.raw_id_fields and "widget" not in kwargs:
            kwargs["widget"] = ScopedRawIdWidget(
                db_field.remote_field, self.admin_site, user=request.user, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # The saved row must still be one the user may change (not moved out of the subtree).
        super().save_model(request, obj, form, change)
        if not request.user.is_superuser and not (
            scoped(request.user, type(obj), CHANGE).filter(pk=obj.pk).exists()
        ):
            raise PermissionDenied

    def _may(self, request, action: str, obj=None) -> bool:
        user = request.user
        if user.is_superuser:
            return True
        if not user.is_staff or not (self._roles(request) & self.model.scope.roles(action)):
            return False
        return obj is None or scoped(user, self.model, action).filter(pk=obj.pk).exists()

    # --- personal-data access log ----------------------------------------------------------
    # The admin shows personal fields unmasked to whoever may view the row: a change page is
    # an access to its row (and to its inline rows), a list page one per row shown, each
    # with the personal fields on screen. Noted in memory, written in one INSERT.

    @staticmethod
    def _personal_shown(model, names) -> list[str]:
        personal = getattr(getattr(model, "scope", None), "personal_fields", {})
        return [name for name in names if isinstance(name, str) and name in personal]

    @staticmethod
    def _flat(fields) -> list:
        flat = []
        for name in fields:
            flat.extend(name if isinstance(name, (list, tuple)) else [name])
        return flat

    def _note_change_page(self, request, response) -> None:
        context = getattr(response, "context_data", None) or {}
        obj = context.get("original")
        if obj is None:
            return
        names = self._flat(self.get_fields(request, obj))
        note_access(request, obj, self._personal_shown(self.model, names))
        for inline in context.get("inline_admin_formsets", []):
            model = inline.formset.model
            shown = self._personal_shown(model, self._flat(inline.opts.get_fields(request, obj)))
            for form in inline.formset.forms:
                if form.instance.pk is not None:
                    note_access(request, form.instance, shown)

    def _note_change_list(self, request, response) -> None:
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is None:
            return
        shown = self._personal_shown(self.model, self.get_list_display(request))
        for obj in changelist.result_list:
            note_access(request, obj, shown)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        response = super().changeform_view(request, object_id, form_url, extra_context)
        self._note_change_page(request, response)
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        self._note_change_list(request, response)
        return response

    def has_module_permission(self, request):
        user = request.user
        return user.is_active and user.is_staff and self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._may(request, VIEW, obj)

    def has_change_permission(self, request, obj=None):
        return self.update_service is not None and self._may(request, CHANGE, obj)

    def has_add_permission(self, request):
        return self.create_service is not None and self._may(request, CHANGE)

    def has_delete_permission(self, request, obj=None):
        return self.delete_service is not None and self._may(request, CHANGE, obj)

"""Admin for the register, scoped to the staff user's subtree (ScopedAdmin), writing through
the same services as the API (apps.register.services). Trees use treebeard's TreeAdmin with
a move form whose targets are limited to the user's subtree; adds and moves (drag and drop
too) go through the tree services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Length, Substr
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from treebeard.admin import TreeAdmin
from treebeard.forms import MoveNodeForm, movenodeform_factory

from apps.accounts.scoping import CHANGE, VIEW, scoped
from apps.core.admin import ReadOnlyInline, ScopedAdmin
from apps.core.errors import AppError, InvalidInput

from . import services
from .models import Area, Household, Member, Organisation, PartyOrg, Resident


def _as_form_error(check, **kwargs) -> None:
    try:
        check(**kwargs)
    except AppError as exc:
        raise ValidationError(exc.detail, code=exc.code) from exc


class ScopedMoveNodeForm(MoveNodeForm):
    """treebeard's add/move form, limited to the user's subtree and the register's rules.

    `user` and `check_parent` are set on the per-request subclass built by the admin.
    """

    user = None
    check_parent = None  # fn(actor, parent, kind, cleaned_data), raises AppError

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["treebeard_ref_node"]
        if not self.user.is_superuser:
            field.queryset = field.queryset.filter(
                pk__in=scoped(self.user, self._meta.model, CHANGE).values("pk")
            )
            field.required = True

    def _new_parent(self):
        ref = self.cleaned_data.get("treebeard_ref_node")
        position = self.cleaned_data.get("treebeard_position")
        if ref is None:
            return None
        if position in ("first-child", "last-child", "sorted-child"):
            return ref
        return type(ref).objects.get_parent(ref)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if not self.instance._state.adding and not (
            {"treebeard_ref_node", "treebeard_position"} & set(self.changed_data)
        ):
            return cleaned  # not moving
        kind = cleaned.get("kind") or self.instance.kind
        if not kind:
            return cleaned  # a missing kind is already a field error
        _as_form_error(
            type(self).check_parent,
            actor=self.user,
            parent=self._new_parent(),
            kind=kind,
            cleaned=cleaned,
        )
        return cleaned


class ScopedTreeAdmin(ScopedAdmin, TreeAdmin):
    """TreeAdmin whose top level, for a non-superuser, is the top of what they may see."""

    form_fields: list = []
    in_use = None  # services.area_in_use / party_org_in_use

    @staticmethod
    def check_parent(*, actor, parent, kind, cleaned) -> None:
        raise NotImplementedError

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        top_level = getattr(request, "_treebeard_parent_id", "") is None
        if request.user.is_superuser or not top_level or self.is_filtered(request):
            return qs
        # Not the roots (outside the subtree) but the visible nodes whose parent is not.
        visible = scoped(request.user, self.model, VIEW)
        step = self.model.steplen
        return visible.annotate(parent_path=Substr("path", 1, Length("path") - step)).exclude(
            parent_path__in=visible.values("path")
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = movenodeform_factory(self.model, form=ScopedMoveNodeForm, fields=self.form_fields)
        # `user` is bound by ServiceAdmin.get_form.
        attrs = {"check_parent": staticmethod(self.check_parent)}
        kwargs["form"] = type(base.__name__, (base,), attrs)
        return super().get_form(request, obj, change=change, **kwargs)

    def service_data(self, request, form, change) -> dict:
        data = super().service_data(request, form, change)
        moved = {"treebeard_ref_node", "treebeard_position"} & set(data)
        for name in ("treebeard_ref_node", "treebeard_position"):
            data.pop(name, None)
        # The services place a node as the last child of its parent: the position among
        # siblings is treebeard's, the parent is the register's rule.
        if not change or moved:
            data["parent"] = form._new_parent()
        return data

    def move_node(self, request):
        """Drag-and-drop moves go through the update service: target in scope, tree rules."""
        model = self.model
        try:
            node = model.objects.get(pk=request.POST.get("node"))
            target = model.objects.get(pk=request.POST.get("target"))
        except (model.DoesNotExist, ValueError, TypeError):
            return HttpResponseBadRequest("Invalid form data provided")
        if not self.has_change_permission(request, node):
            raise PermissionDenied
        parent = target if request.POST.get("relation") == "child" else None
        if parent is None and target.depth > 1:
            parent = model.objects.get_parent(target)
        try:
            if parent is None:
                raise InvalidInput(_("不能移动为顶级节点。"), code="invalid_move")
            with transaction.atomic():
                service = type(self).update_service
                self._call(service, request, **{self.instance_name: node}, parent=parent)
        except AppError as exc:
            messages.error(request, exc.detail)
            return HttpResponseBadRequest(exc.code)
        return HttpResponse("OK")

    def get_readonly_fields(self, request, obj=None):
        return ["kind"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        # A node with a subtree, households, members or role assignments stays.
        if obj is not None and type(self).in_use(obj):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Area)
class AreaAdmin(ScopedTreeAdmin):
    form_fields = ["name", "kind", "code"]
    list_display = ["name", "kind", "code", "numchild"]
    list_filter = ["kind", "depth"]
    search_fields = ["name", "code"]
    in_use = services.area_in_use
    create_service = services.area_create
    update_service = services.area_update
    delete_service = services.area_delete
    instance_name = "area"

    @staticmethod
    def check_parent(*, actor, parent, kind, cleaned) -> None:
        services.area_parent_check(actor=actor, parent=parent, kind=kind)


@admin.register(PartyOrg)
class PartyOrgAdmin(ScopedTreeAdmin):
    form_fields = ["name", "kind", "area"]
    list_display = ["name", "kind", "area", "numchild"]
    list_filter = ["kind"]
    search_fields = ["name"]
    list_select_related = ["area"]
    in_use = services.party_org_in_use
    create_service = services.party_org_create
    update_service = services.party_org_update
    delete_service = services.party_org_delete
    instance_name = "party_org"

    @staticmethod
    def check_parent(*, actor, parent, kind, cleaned) -> None:
        services.party_org_parent_check(
            actor=actor, parent=parent, kind=kind, area=cleaned.get("area")
        )


class ResidentInline(ReadOnlyInline, admin.TabularInline):
    """Residents are added and changed on their own page (resident_create/update)."""

    model = Resident
    fields = readonly_fields = ["name", "gender", "phone", "vulnerable"]


class HouseholdForm(forms.ModelForm):
    user = None  # bound by ServiceAdmin.get_form

    class Meta:
        model = Household
        fields = ["area", "unit", "room", "address"]

    def clean_area(self):
        area = self.cleaned_data["area"]
        if self.instance._state.adding or area != self.instance.area:
            _as_form_error(services.household_area_check, actor=self.user, area=area)
        return area


@admin.register(Household)
class HouseholdAdmin(ScopedAdmin):
    form = HouseholdForm
    list_display = ["__str__", "area", "unit", "room", "address"]
    list_filter = ["unit"]
    search_fields = ["address", "room", "area__name"]
    list_select_related = ["area"]
    autocomplete_fields = ["area"]
    inlines = [ResidentInline]
    create_service = services.household_create
    update_service = services.household_update
    delete_service = services.household_delete
    instance_name = "household"


@admin.register(Resident)
class ResidentAdmin(ScopedAdmin):
    list_display = ["name", "gender", "phone", "household", "vulnerable"]
    list_filter = ["vulnerable", "gender", *Resident.HARDSHIP_FLAGS]
    search_fields = ["name", "phone", "id_number"]
    list_select_related = ["household__area"]
    raw_id_fields = ["household", "user"]
    readonly_fields = ["vulnerable"]
    create_service = services.resident_create
    update_service = services.resident_update
    instance_name = "resident"  # no delete service: residents carry wishes and pairings


class MemberForm(forms.ModelForm):
    user = None

    class Meta:
        model = Member
        fields = ["name", "gender", "phone", "id_number", "user", "branch", "community"]
        fields += ["residence", "kind", "joined_on"]

    def clean(self):
        cleaned = super().clean()
        if {"branch", "community"} <= set(cleaned):
            _as_form_error(
                services.member_nodes_check,
                actor=self.user,
                branch=cleaned["branch"],
                community=cleaned["community"],
                residence=cleaned.get("residence"),
            )
        return cleaned


@admin.register(Member)
class MemberAdmin(ScopedAdmin):
    form = MemberForm
    list_display = ["name", "kind", "branch", "community", "joined_on"]
    list_filter = ["kind", "community"]
    search_fields = ["name", "phone", "id_number"]
    list_select_related = ["branch", "community"]
    raw_id_fields = ["user"]
    autocomplete_fields = ["branch", "community", "residence"]
    # member_create/update give a login the member role at the home community.
    create_service = services.member_create
    update_service = services.member_update
    delete_service = services.member_delete
    instance_name = "member"


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    list_display = ["name", "kind", "area", "contact_name", "wish_notifications"]
    list_filter = ["kind", "wish_notifications"]
    search_fields = ["name", "credit_code", "contact_name"]
    list_select_related = ["area"]
    raw_id_fields = ["representatives"]
    autocomplete_fields = ["area"]
    create_service = services.organisation_create
    update_service = services.organisation_update
    instance_name = "organisation"  # no delete service: claims point at organisations

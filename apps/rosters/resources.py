"""django-import-export resources for every roster: the same headers as the import
templates (columns.py), references written as readable paths, enumerations as their Chinese
labels, so an exported file imports back unchanged. Personal data is masked for users who
may not see it, exactly as the API masks them: the fields are the model's
`Scope.personal_fields`, the rule is apps.accounts.scoping.sees_personal.

Used by the export pages, the admin's export (see admin.py) and as the benchmark's peer
baseline; the import itself goes through importers.py (see its docstring for why).
"""

import datetime

from import_export import fields, resources

from apps.accounts.scoping import VIEW, scoped, sees_personal
from apps.core.exports import Table, safe_cell, table_bytes
from apps.core.history import note_access
from apps.core.masking import mask_value
from apps.register.models import Household, Member, Organisation, PartyOrg, Resident

from .columns import BOOL, ROSTERS
from .validation import Refs


def _declared(kind: str) -> dict:
    return declared_fields(ROSTERS[kind])


def declared_fields(roster) -> dict:
    """The resource fields of a roster's columns, headed by their Chinese names (for a
    resource class body: `locals().update(declared_fields(roster))`)."""
    return {c.field: fields.Field(attribute=c.field, column_name=c.zh) for c in roster.columns}


class RosterResource(resources.ModelResource):
    roster_kind = ""
    select_related: tuple = ()
    lookups: dict = {}  # a column whose value is another model's field: its lookup

    def __init__(self, user=None, request=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user  # None: an operator, nothing masked
        self.request = request  # the HTTP request an export is logged on (access log)
        self.refs = Refs()
        self.columns = {c.field: c for c in ROSTERS[self.roster_kind].columns}

    def export(self, *args, **kwargs):
        """The rows; with a `request`, a file with unmasked personal data is one
        personal-data access, with its row count and the personal columns it holds (the
        rosters' pages and the admin's export alike)."""
        dataset = super().export(*args, **kwargs)
        if self.request is not None:
            model = self._meta.model
            unmasked = sum(self.__dict__.get("_personal_cache", {}).values())
            fields = [self.lookups.get(c, c) for c in self.columns]
            personal = [f for f in fields if f in model.scope.personal_fields]
            if unmasked and personal:
                note_access(self.request, model, personal, channel="export", row_count=len(dataset))
        return dataset

    def get_queryset(self):
        queryset = self._meta.model.objects.select_related(*self.select_related).order_by("pk")
        return queryset if self.user is None else scoped(self.user, queryset, VIEW)

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related(*self.select_related)  # also for the admin's queryset

    def export_field(self, field, instance, **kwargs):
        # The admin's export writes these values itself: neutralise them here as our
        # writer does (safe_cell is idempotent, so the pages' exports stay the same).
        return safe_cell(self._export_value(field, instance))

    def _export_value(self, field, instance):
        name = field.attribute
        value = self.value(instance, name)
        personal = self._meta.model.scope.personal_fields
        lookup = self.lookups.get(name, name)
        if lookup in personal and self.user is not None and not self._personal(instance):
            masked = mask_value(value, personal[lookup])
            return "" if masked is None else masked
        if isinstance(value, bool) or self.columns[name].type == BOOL:
            return "是" if value else "否"
        if isinstance(value, datetime.date):
            return value.isoformat()
        return "" if value is None else value

    def _personal(self, instance) -> bool:
        cache = self.__dict__.setdefault("_personal_cache", {})
        if instance.pk not in cache:
            cache[instance.pk] = sees_personal(self.user, instance)
        return cache[instance.pk]

    def value(self, instance, name: str):
        attr = getattr(instance, name)
        display = getattr(instance, f"get_{name}_display", None)
        return display() if display and attr else attr

    def building_parts(self, area_id: int) -> tuple[str, str, str]:
        names = self.refs.areas.names[area_id]
        return "/".join(names[:-2]), names[-2], names[-1]


class MemberResource(RosterResource):
    roster_kind = "members"
    select_related = ("community", "branch")
    locals().update(_declared("members"))

    class Meta:
        model = Member
        fields = tuple(c.field for c in ROSTERS["members"].columns)
        export_order = fields

    def value(self, instance, name):
        if name in ("branch", "community", "residence"):
            tree = self.refs.party_orgs if name == "branch" else self.refs.areas
            return tree.display(getattr(instance, f"{name}_id"))
        if name == "kind":  # the template's short label (积极分子), which imports back
            return self.columns["kind"].labels()[
                [c[0] for c in self.columns["kind"].choices].index(instance.kind)
            ]
        return super().value(instance, name)


class HouseholdResource(RosterResource):
    roster_kind = "households"
    select_related = ("area",)
    locals().update(_declared("households"))

    class Meta:
        model = Household
        fields = tuple(c.field for c in ROSTERS["households"].columns)
        export_order = fields

    def value(self, instance, name):
        if name in ("community", "grid", "building"):
            parts = self.building_parts(instance.area_id)
            return parts[("community", "grid", "building").index(name)]
        return super().value(instance, name)


class ResidentResource(RosterResource):
    roster_kind = "residents"
    select_related = ("household__area",)
    lookups = {"unit": "household__unit", "room": "household__room"}
    locals().update(_declared("residents"))

    class Meta:
        model = Resident
        fields = tuple(c.field for c in ROSTERS["residents"].columns)
        export_order = fields

    def value(self, instance, name):
        if name in ("community", "grid", "building"):
            parts = self.building_parts(instance.household.area_id)
            return parts[("community", "grid", "building").index(name)]
        if name in ("unit", "room"):
            return getattr(instance.household, name)
        return super().value(instance, name)


class PartyOrgResource(RosterResource):
    roster_kind = "party_orgs"
    select_related = ("area",)
    locals().update(_declared("party_orgs"))

    class Meta:
        model = PartyOrg
        fields = tuple(c.field for c in ROSTERS["party_orgs"].columns)
        export_order = fields

    def get_queryset(self):
        return super().get_queryset().order_by("path")  # parents before children

    def value(self, instance, name):
        if name == "parent":
            return "/".join(self.refs.party_orgs.names[instance.pk][:-1])
        if name == "area":
            return self.refs.areas.display(instance.area_id)
        return super().value(instance, name)


class OrganisationResource(RosterResource):
    roster_kind = "organisations"
    select_related = ("area",)
    locals().update(_declared("organisations"))

    class Meta:
        model = Organisation
        fields = tuple(c.field for c in ROSTERS["organisations"].columns)
        export_order = fields

    def value(self, instance, name):
        if name == "area":
            return self.refs.areas.display(instance.area_id)
        return super().value(instance, name)


RESOURCES: dict[str, type[RosterResource]] = {
    "members": MemberResource,
    "households": HouseholdResource,
    "residents": ResidentResource,
    "party_orgs": PartyOrgResource,
    "organisations": OrganisationResource,
}


def roster_export(*, kind: str, user, fmt: str, request=None) -> bytes:
    """Every row of the roster the user may see, masked where they may not see personal data.
    With a `request`, a file with unmasked personal data is one personal-data access, with
    the number of rows and the personal columns it holds."""
    resource = RESOURCES[kind](user=user, request=request)
    dataset = resource.export(resource.get_queryset())
    return table_bytes([Table(str(ROSTERS[kind].label), dataset.headers, dataset)], fmt)

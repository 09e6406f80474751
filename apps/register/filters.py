"""Filters for the register's API lists (django-filter); `within` limits rows to an area's
subtree (one `path LIKE 'prefix%'` condition)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .models import Area, Household, Member, Organisation, PartyOrg, Resident


@extend_schema_field(OpenApiTypes.INT)
class NodeFilter(django_filters.ModelChoiceFilter):
    """A tree node given by id (with a `method` that filters by its path)."""


def children_of(queryset, name, node):
    """The direct children of a tree node (one level below, same path prefix)."""
    return queryset.filter(path__startswith=node.path, depth=node.depth + 1)


class WithinFilterSet(django_filters.FilterSet):
    within_lookup = "area"  # lookup from the model to the Area it hangs at

    within = NodeFilter(
        queryset=Area.objects.all(), method="filter_within", label=_("区域（含下级）")
    )

    def filter_within(self, queryset, name, value):
        prefix = f"{self.within_lookup}__" if self.within_lookup else ""
        return queryset.filter(**{f"{prefix}path__startswith": value.path})


class AreaFilter(WithinFilterSet):
    within_lookup = ""
    parent = NodeFilter(queryset=Area.objects.all(), method=children_of, label=_("上级区域"))

    class Meta:
        model = Area
        fields = ["kind", "depth"]


class HouseholdFilter(WithinFilterSet):
    class Meta:
        model = Household
        fields = ["area", "unit"]


class ResidentFilter(WithinFilterSet):
    within_lookup = "household__area"
    vulnerable = django_filters.BooleanFilter(label=_("困难群众"))

    class Meta:
        model = Resident
        fields = ["household", "gender", *Resident.HARDSHIP_FLAGS]


class PartyOrgFilter(django_filters.FilterSet):
    parent = NodeFilter(queryset=PartyOrg.objects.all(), method=children_of, label=_("上级党组织"))

    class Meta:
        model = PartyOrg
        fields = ["kind", "area"]


class MemberFilter(WithinFilterSet):
    within_lookup = "community"

    class Meta:
        model = Member
        fields = ["kind", "branch", "community", "residence"]


class OrganisationFilter(WithinFilterSet):
    class Meta:
        model = Organisation
        fields = ["kind", "area", "wish_notifications"]

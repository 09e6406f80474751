"""The register's API: areas, households, residents, party organisations, members and
organisations. Every queryset goes through `scoped()` (ScopedViewSetMixin); writes go through
the services in `services.py`; personal data is masked for users who may not see it."""

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets

from apps.accounts.models import User
from apps.core.api import (
    PERSONAL_FILTER_BACKENDS,
    PersonalDataMixin,
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
    ScopedViewSetMixin,
)

from . import filters, services
from .models import Area, Household, Member, Organisation, PartyOrg, Resident


def _with_parent(queryset, model):
    """Annotate each tree node with its parent's id (the node whose path is one step
    shorter), so lists cost one query."""
    parent = model.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - model.steplen)
    ).values("pk")[:1]
    return queryset.annotate(parent_id=Subquery(parent))


class ParentField(ScopedPrimaryKeyRelatedField):
    """A tree node's parent: written as an id (one the caller may see: any other id is
    "does not exist"); read from the `parent_id` annotation the viewsets add (or, for a
    freshly written node, from its path)."""

    def get_attribute(self, node):
        if hasattr(node, "parent_id"):
            return node.parent_id
        parent = type(node).objects.get_parent(node)
        return parent.pk if parent else None

    def to_representation(self, value):
        return value


def _parent_field(model, label) -> ParentField:
    return ParentField(queryset=model.objects.all(), required=False, allow_null=True, label=label)


class AreaSerializer(ScopedModelSerializer):
    parent = _parent_field(Area, _("上级区域"))

    class Meta:
        model = Area
        fields = ["id", "name", "kind", "code", "parent", "depth", "numchild"]
        read_only_fields = ["depth", "numchild"]


class HouseholdSerializer(PersonalDataMixin, ScopedModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = Household
        fields = ["id", "area", "area_name", "unit", "room", "address", "created_at"]
        read_only_fields = ["created_at"]
        validators: list = []  # uniqueness is checked by the model's full_clean in the service


class PersonSerializer(PersonalDataMixin, ScopedModelSerializer):
    def validate_id_number(self, value: str) -> str:
        return (value or "").upper()


class ResidentSerializer(PersonSerializer):
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True, label=_("登录账号")
    )

    class Meta:
        model = Resident
        fields = ["id", "household", "name", "gender", "phone", "id_number", "user"]
        fields += [*Resident.HARDSHIP_FLAGS, "hardship_note", "vulnerable", "created_at"]
        read_only_fields = ["vulnerable", "created_at"]
        validators: list = []


class PartyOrgSerializer(ScopedModelSerializer):
    parent = _parent_field(PartyOrg, _("上级党组织"))

    class Meta:
        model = PartyOrg
        fields = ["id", "name", "kind", "area", "parent", "depth", "numchild"]
        read_only_fields = ["depth", "numchild"]


class MemberSerializer(PersonSerializer):
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True, label=_("登录账号")
    )

    class Meta:
        model = Member
        fields = ["id", "name", "gender", "phone", "id_number", "user", "branch", "community"]
        fields += ["residence", "kind", "joined_on", "created_at"]
        read_only_fields = ["created_at"]
        validators: list = []


class OrganisationSerializer(PersonalDataMixin, ScopedModelSerializer):
    # Logins are not rows of the trees (no scope): any user may represent an organisation.
    representatives = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), many=True, required=False, label=_("代表")
    )

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "area", "credit_code", "contact_name", "contact_phone"]
        fields += ["representatives", "wish_notifications", "created_at"]
        read_only_fields = ["created_at"]
        validators: list = []


class RegisterViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """parse → one service → render. Subclasses name their services."""

    create_service = update_service = delete_service = None
    instance_name = ""  # the service's keyword for the existing row

    def perform_create(self, serializer):
        serializer.instance = type(self).create_service(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = type(self).update_service(
            actor=self.request.user,
            **{self.instance_name: serializer.instance},
            **serializer.validated_data,
        )

    def perform_destroy(self, instance):
        delete = type(self).delete_service
        if delete is None:
            instance.delete()
        else:
            delete(actor=self.request.user, **{self.instance_name: instance})


@extend_schema(tags=["areas"])
class AreaViewSet(RegisterViewSet):
    """Areas (district → street → community → grid → building) in the user's subtree."""

    queryset = _with_parent(Area.objects.all(), Area)
    serializer_class = AreaSerializer
    filterset_class = filters.AreaFilter
    search_fields = ["name", "code"]
    ordering_fields = ["path", "name", "kind", "depth"]
    ordering = ["path"]
    create_service = services.area_create
    update_service = services.area_update
    delete_service = services.area_delete
    instance_name = "area"


@extend_schema(tags=["households"])
class HouseholdViewSet(RegisterViewSet):
    filter_backends = PERSONAL_FILTER_BACKENDS
    queryset = Household.objects.select_related("area")
    serializer_class = HouseholdSerializer
    filterset_class = filters.HouseholdFilter
    search_fields = ["address", "room"]
    ordering_fields = ["id", "area__path", "unit", "room", "created_at"]
    ordering = ["area__path", "unit", "room"]
    create_service = services.household_create
    update_service = services.household_update
    delete_service = services.household_delete
    instance_name = "household"


@extend_schema(tags=["residents"])
class ResidentViewSet(RegisterViewSet):
    filter_backends = PERSONAL_FILTER_BACKENDS
    queryset = Resident.objects.select_related("household__area")
    serializer_class = ResidentSerializer
    filterset_class = filters.ResidentFilter
    search_fields = ["name"]
    ordering_fields = ["id", "name", "household__area__path", "created_at"]
    ordering = ["household__area__path", "household__room", "id"]
    create_service = services.resident_create
    update_service = services.resident_update
    instance_name = "resident"


@extend_schema(tags=["party-orgs"])
class PartyOrgViewSet(RegisterViewSet):
    queryset = _with_parent(PartyOrg.objects.select_related("area"), PartyOrg)
    serializer_class = PartyOrgSerializer
    filterset_class = filters.PartyOrgFilter
    search_fields = ["name"]
    ordering_fields = ["path", "name", "kind", "depth"]
    ordering = ["path"]
    create_service = services.party_org_create
    update_service = services.party_org_update
    delete_service = services.party_org_delete
    instance_name = "party_org"


@extend_schema(tags=["members"])
class MemberViewSet(RegisterViewSet):
    filter_backends = PERSONAL_FILTER_BACKENDS
    queryset = Member.objects.select_related("branch__area", "community", "residence")
    serializer_class = MemberSerializer
    filterset_class = filters.MemberFilter
    search_fields = ["name"]
    ordering_fields = ["id", "name", "joined_on", "community__path", "created_at"]
    ordering = ["community__path", "id"]
    create_service = services.member_create
    update_service = services.member_update
    delete_service = services.member_delete
    instance_name = "member"


@extend_schema(tags=["organisations"])
class OrganisationViewSet(RegisterViewSet):
    queryset = Organisation.objects.select_related("area").prefetch_related("representatives")
    serializer_class = OrganisationSerializer
    filterset_class = filters.OrganisationFilter
    search_fields = ["name", "credit_code"]
    ordering_fields = ["id", "name", "kind", "created_at"]
    ordering = ["id"]
    create_service = services.organisation_create
    update_service = services.organisation_update
    instance_name = "organisation"

"""`/api/wishes/`: list, create, retrieve, and one POST action per transition. Each action
parses its input, calls one service and renders the wish; services raise the errors."""

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from apps.accounts.scoping import scoped
from apps.core.api import ReasonInput, ScopedViewSetMixin, parse
from apps.core.errors import Forbidden, InvalidInput, InvalidTransition, NotFound
from apps.core.masking import mask_phone
from apps.register.models import Resident

from . import selectors, services
from .models import Claim, Wish, WishCategory, WishEvent


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = WishCategory
        fields = ["id", "name"]


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(read_only=True, allow_null=True)  # None: masked, or the system

    class Meta:
        model = WishEvent
        fields = ["from_status", "to_status", "actor", "note", "at"]


class ClaimSerializer(serializers.ModelSerializer):
    claimant = serializers.CharField(source="claimant_name")

    class Meta:
        model = Claim
        fields = ["id", "status", "claimant", "member", "organisation", "created_at"]
        fields += ["fulfil_note", "fulfilled_at", "ended_at"]


class WishSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display")
    category_name = serializers.CharField(source="category.name")
    area_name = serializers.CharField(source="area.name")
    resident_name = serializers.SerializerMethodField()

    class Meta:
        model = Wish
        fields = ["id", "title", "description", "category", "category_name", "status"]
        fields += ["status_display", "area", "area_name", "resident_name", "estimated_cost"]
        fields += ["wanted_by", "created_at", "published_at", "claimed_at", "rating"]
        read_only_fields = fields

    def get_resident_name(self, wish: Wish) -> str:
        return selectors.resident_display(self.context["request"].user, wish)


class WishDetailSerializer(WishSerializer):
    events = EventSerializer(many=True, read_only=True)
    claims = ClaimSerializer(many=True, read_only=True)
    photos = serializers.SerializerMethodField()

    class Meta(WishSerializer.Meta):
        fields = WishSerializer.Meta.fields + ["reject_reason", "rating_comment", "fulfilled_at"]
        fields += ["closed_at", "events", "claims", "photos"]
        read_only_fields = fields

    def get_photos(self, wish: Wish) -> list[str]:
        return [p.image.url for p in wish.photos.all()]

    def to_representation(self, wish: Wish):
        data = super().to_representation(wish)
        # Who did what names the resident too: as on the page, only for those who see the
        # resident's name.
        if not selectors.sees_resident(self.context["request"].user, wish):
            for event in data["events"]:
                event["actor"] = None
        return data


# Input serializers only parse types; the services decide what is valid (one set of rules
# for the API and the pages).
class WishCreateInput(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    category = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    estimated_cost = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    wanted_by = serializers.DateField(required=False, allow_null=True)
    resident = serializers.IntegerField(required=False, allow_null=True)


class NoteInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ClaimInput(serializers.Serializer):
    organisation = serializers.IntegerField(required=False, allow_null=True)


class ConfirmInput(serializers.Serializer):
    rating = serializers.CharField(required=False, allow_blank=True, default="")
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class WishFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Wish.Status.choices)
    category = django_filters.NumberFilter(field_name="category_id")
    area = django_filters.NumberFilter(method="in_area")

    class Meta:
        model = Wish
        fields = ["status", "category", "area"]

    def in_area(self, qs, name, value):
        return selectors.filter_wishes(qs, area=int(value))


class WishViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = WishSerializer
    filterset_class = WishFilter
    ordering_fields = ["created_at", "published_at"]
    search_fields = []
    # Every action reads the wish through the "view" visibility; the service decides whether
    # this user may make this move (403) and whether the wish's state allows it (409).
    scope_actions = {
        name: "view"
        for name in ("publish", "reject", "withdraw", "claim", "release", "fulfil", "confirm")
    }

    def get_queryset(self):
        # Wish visibility is `scoped()` narrowed by status for members and widened for
        # organisation representatives (who hold no area role): the selector builds it from
        # the same `scope_filter`, so this replaces the mixin's plain `scoped()` call.
        qs = selectors.wishes_visible_to(user=self.request.user)
        if self.action == "retrieve":
            events = WishEvent.objects.select_related("actor")
            claims = Claim.objects.select_related("member", "organisation")
            qs = qs.prefetch_related(
                Prefetch("events", queryset=events), Prefetch("claims", queryset=claims), "photos"
            )
        return qs.order_by("-created_at", "-pk")

    def filter_queryset(self, queryset):
        # The filter backends are for lists; a detail action only looks its wish up by id.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_serializer_class(self):
        return WishDetailSerializer if self.action == "retrieve" else WishSerializer

    def _render(self, wish: Wish, code=status.HTTP_200_OK) -> Response:
        return Response(WishSerializer(wish, context={"request": self.request}).data, status=code)

    @extend_schema(request=WishCreateInput, responses={201: WishSerializer})
    def create(self, request, *args, **kwargs):
        data = parse(WishCreateInput, request.data, request=request)
        resident = None
        if data.get("resident"):
            resident = (
                scoped(request.user, Resident)
                .select_related("household__area")
                .filter(pk=data["resident"])
                .first()
            )
            if resident is None:
                raise InvalidInput(_("找不到该居民。"), code="unknown_resident")
        wish = services.wish_submit(
            actor=request.user,
            resident=resident,
            title=data.get("title", ""),
            description=data.get("description", ""),
            category=data.get("category"),
            estimated_cost=data.get("estimated_cost"),
            wanted_by=data.get("wanted_by"),
            photos=request.FILES.getlist("photos"),
        )
        wish = Wish.objects.select_related(*selectors.LIST_RELATED).get(pk=wish.pk)
        return self._render(wish, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=WishSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._render(services.wish_publish(wish=self.get_object(), actor=request.user))

    @extend_schema(request=ReasonInput, responses=WishSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        reason = parse(ReasonInput, request.data, request=request)["reason"]
        wish = services.wish_reject(wish=self.get_object(), actor=request.user, reason=reason)
        return self._render(wish)

    @extend_schema(request=NoteInput, responses=WishSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        note = parse(NoteInput, request.data, request=request)["note"]
        wish = services.wish_withdraw(wish=self.get_object(), actor=request.user, note=note)
        return self._render(wish)

    @extend_schema(request=ClaimInput, responses=WishSerializer)
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        org_id = parse(ClaimInput, request.data, request=request).get("organisation")
        organisation = None
        if org_id:
            organisation = selectors.organisation_for_claim(user=request.user, org_id=org_id)
        wish = selectors.wish_for_claim(pk=pk)
        if wish is None:
            raise NotFound()
        try:
            services.wish_claim(wish=wish, actor=request.user, organisation=organisation)
        except (Forbidden, InvalidTransition):  # not "already_claimed": that wish is public
            if not self.get_queryset().filter(pk=wish.pk).exists():
                raise NotFound() from None  # out of scope: the same 404 as every other action
            raise
        return self._render(wish)

    @extend_schema(request=NoteInput, responses=WishSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        note = parse(NoteInput, request.data, request=request)["note"]
        wish = services.wish_release(wish=self.get_object(), actor=request.user, note=note)
        return self._render(wish)

    @extend_schema(request=NoteInput, responses=WishSerializer)
    @action(detail=True, methods=["post"])
    def fulfil(self, request, pk=None):
        note = parse(NoteInput, request.data, request=request)["note"]
        wish = services.wish_fulfil(
            wish=self.get_object(), actor=request.user, note=note, photo=request.FILES.get("photo")
        )
        return self._render(wish)

    @extend_schema(request=ConfirmInput, responses=WishSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        data = parse(ConfirmInput, request.data, request=request)
        wish = services.wish_confirm(
            wish=self.get_object(),
            actor=request.user,
            rating=data["rating"],
            comment=data["comment"],
        )
        return self._render(wish)


class PickedResidentSerializer(serializers.Serializer):
    """What the 代录 picker needs to tell residents apart, and nothing more: the phone masked
    to its tail."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    phone = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()

    def get_phone(self, resident) -> str:
        return mask_phone(resident.phone)

    def get_address(self, resident) -> str:
        return str(resident.household)


class ResidentPickerInput(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=60, default="")


class ResidentPicker(APIView):
    """`/api/wish-residents/?q=`: the 代录 picker's search (name, phone tail, room or address)
    over the residents the grid worker or secretary may enter a wish for; at most 10."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "resident_search"

    @extend_schema(
        parameters=[ResidentPickerInput],
        responses=inline_serializer(
            "PickedResidents",
            {
                "results": PickedResidentSerializer(many=True),
                "more": serializers.BooleanField(),
            },
        ),
    )
    def get(self, request):
        if not request.user.is_superuser and not selectors.is_vetter(request.user):
            raise Forbidden(_("只有网格员或书记可以代录心愿。"), code="not_a_vetter")
        q = parse(ResidentPickerInput, request.query_params, request=request)["q"]
        rows, more = selectors.resident_search(user=request.user, q=q)
        return Response({"results": PickedResidentSerializer(rows, many=True).data, "more": more})


class CategoryList(ListAPIView):
    """The active categories (small and unpaginated; also the benchmark's baseline GET)."""

    serializer_class = CategorySerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return WishCategory.objects.filter(active=True)

"""Shared API pieces: pagination and the scoped ViewSet base every app uses."""

from collections.abc import Mapping

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.pagination import CursorPagination, PageNumberPagination

from apps.accounts.scoping import (
    CHANGE,
    PERSONAL,
    VIEW,
    scoped,
    sees_all_personal,
    sees_personal,
    touches_personal,
)
from apps.core.errors import InvalidInput
from apps.core.history import note_access
from apps.core.masking import mask_value
from apps.core.pagination import CursorNotSupported, EstimatedPaginator

WRITE_ACTIONS = {"update", "partial_update", "destroy"}


class ErrorSerializer(serializers.Serializer):
    """The one error shape (see apps.core.errors)."""

    code = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.DictField(required=False)


ERROR_RESPONSES = {
    status: OpenApiResponse(ErrorSerializer, description=text)
    for status, text in (
        (400, "invalid input"),
        (401, "not_authenticated / authentication_failed"),
        (403, "permission_denied"),
        (404, "not_found (also outside your scope)"),
    )
}


class TextField(serializers.CharField):
    """A CharField that takes only a JSON string: DRF's own turns 7 or true into "7"/"True"
    and its error for a list says little. NUL bytes are refused by CharField already."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id limited to the rows the requesting user may see (`scoped(..., VIEW)`).

    An id out of scope gets DRF's "does not exist" like an id that does not exist, so an
    input error never confirms a row (or names a person) the caller may not see. Without a
    request in the serializer's context nothing is in scope: `parse(..., request=request)`.
    """

    def get_queryset(self):
        request = self.context.get("request")
        return scoped(getattr(request, "user", None), super().get_queryset(), VIEW)


class ScopedModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose writable relations are `ScopedPrimaryKeyRelatedField`s."""

    serializer_related_field = ScopedPrimaryKeyRelatedField


class ReasonInput(serializers.Serializer):
    """The body of an action that takes an optional reason (reject a wish, escalate a problem)."""

    reason = serializers.CharField(required=False, allow_blank=True, default="")


class KeysetPagination(CursorPagination):
    """`?cursor=` pages: a keyset on the list's ordering (the user's `?ordering=` or the
    view's), the id breaking ties, so page 50,000 costs what page 1 does. The position is
    the first ordering field, which must be a non-null field of the model itself."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_ordering(self, request, queryset, view):
        terms = None
        for backend in getattr(view, "filter_backends", None) or []:
            if issubclass(backend, OrderingFilter):
                terms = backend().get_ordering(request, queryset, view)
        terms = list(terms or queryset.query.order_by or queryset.model._meta.ordering or [])
        terms = [t for t in terms if isinstance(t, str)] or ["-pk"]
        first = terms[0].lstrip("-")
        model = queryset.model
        name = model._meta.pk.name if first == "pk" else first
        try:
            field = model._meta.get_field(name)
        except Exception:  # a lookup across a relation, an annotation
            raise CursorNotSupported() from None
        if "__" in name or field.null or field.is_relation:
            raise CursorNotSupported()
        if not field.primary_key:  # ties: the id, in the same direction
            terms = [terms[0], ("-" if terms[0].startswith("-") else "") + "pk"]
        else:
            terms = [terms[0]]
        return tuple(terms)


class Pagination(PageNumberPagination):
    """`?page=` (with a count exact up to 10,000 rows and estimated above, `count_estimated`
    says which) or, for long lists, `?cursor=` (start with an empty one; then follow `next`):
    see apps.core.pagination."""

    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = EstimatedPaginator
    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.keyset = None
        if self.cursor_query_param in request.query_params:
            self.keyset = KeysetPagination()
            self.keyset.page_size = self.page_size
            return self.keyset.paginate_queryset(queryset, request, view)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if self.keyset is not None:
            return self.keyset.get_paginated_response(data)
        response = super().get_paginated_response(data)
        response.data["count_estimated"] = self.page.paginator.count_estimated
        return response

    def get_paginated_response_schema(self, schema):
        result = super().get_paginated_response_schema(schema)
        result["properties"]["count_estimated"] = {
            "type": "boolean",
            "description": "true when `count` is the planner's estimate (above 10,000 rows)",
        }
        result["properties"]["count"]["description"] = (
            "exact up to 10,000 rows, an estimate above (absent with ?cursor=)"
        )
        result["required"] = ["results"]
        return result

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        params.append(
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "keyset pages: send it empty for the first page, then follow "
                "`next`; the response then has no `count`",
                "schema": {"type": "string"},
            }
        )
        return params


class ScopedViewSetMixin:
    """Every queryset a ViewSet serves goes through `scoped()`.

    Reads use the "view" scope, writes to existing rows the "change" scope, so an object out
    of the user's scope is a 404 (its existence is not revealed). Subclasses set `queryset`
    (with its select_related) and may map custom actions in `scope_actions`.
    """

    scope_actions: dict[str, str] = {}
    # Ids are integers: `/api/wishes/abc/claim/` is a 404 from the router, never a lookup
    # with a string that the database (or a service's own lookup) chokes on.
    lookup_value_regex = "[0-9]+"

    def scope_action(self) -> str:
        if self.action in self.scope_actions:
            return self.scope_actions[self.action]
        return CHANGE if self.action in WRITE_ACTIONS else VIEW

    def get_queryset(self):
        return scoped(self.request.user, super().get_queryset(), self.scope_action())


class PersonalDataMixin:
    """Masks personal data in a serializer's output for users who may not see it.

    Which fields, and how each is shown, is the model's `Scope.personal_fields` (one
    declaration for the API, pages, exports, filters and ordering): a mask function of the
    value (e.g. `mask_name`) or None to hide it. Whether the user may see it is
    `sees_personal` on the instance (select_related its nodes to keep lists at one query).
    """

    @property
    def personal_fields(self) -> dict:
        return self.Meta.model.scope.personal_fields

    def _sees_personal(self, user, instance) -> bool:
        own = type(instance).scope.own or ""
        page = getattr(self.parent, "instance", None)
        if "__" not in own or not isinstance(page, list):
            return sees_personal(user, instance)  # decided in memory, no query
        # An "own" lookup across rows (household → residents → user) would cost a query per
        # row: decide for the whole page at once with the same rule, as a scoped query.
        cache = self.context.setdefault("_personal_ids", {})
        if id(page) not in cache:
            rows = type(instance)._default_manager.filter(pk__in=[obj.pk for obj in page])
            cache[id(page)] = set(scoped(user, rows, PERSONAL).values_list("pk", flat=True))
        return instance.pk in cache[id(page)]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None:
            return data
        if not self._sees_personal(request.user, instance):
            for name, mask in self.personal_fields.items():
                if name in data:
                    data[name] = mask_value(data[name], mask)
        else:  # shown unmasked: a personal-data access (written once per request)
            note_access(request, instance, [n for n in self.personal_fields if n in data])
        return data


class FilterNotAllowed(InvalidInput):
    code = "filter_not_allowed"
    default_detail = gettext_lazy(
        "无权查看的个人信息不能用于筛选或排序；请先缩小到您可查看个人信息的范围。"
    )


class PersonalFilterBackend(DjangoFilterBackend):
    """django-filter that refuses (400 `filter_not_allowed`) a filter on a personal field
    unless the user sees the personal data of every row it would filter: otherwise
    `?vulnerable=true` would tell a masked viewer who is vulnerable. The list the check
    runs on is the one without the personal filters, so the answer says nothing about them.
    """

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        personal = [
            name
            for name, f in filterset.filters.items()
            if name in request.query_params and touches_personal(queryset.model, f.field_name)
        ]
        if personal:
            rest = request.query_params.copy()
            for name in personal:
                rest.pop(name)
            others = type(filterset)(data=rest, queryset=queryset, request=request)
            base = others.qs if others.is_valid() else queryset
            if not sees_all_personal(request.user, base):
                raise FilterNotAllowed()
        return super().filter_queryset(request, queryset, view)


class PersonalOrderingFilter(OrderingFilter):
    """`?ordering=` on a personal field (a masked name, a hidden room) only for users who
    see the personal data of every row: an order reveals what the mask hides. The views'
    own default orderings are not the user's choice and stay."""

    def filter_queryset(self, request, queryset, view):
        terms = self.get_ordering(request, queryset, view) or []
        chosen = self.get_query_param_terms(request)
        personal = any(touches_personal(queryset.model, t) for t in terms if t in chosen)
        if personal and not sees_all_personal(request.user, queryset):
            raise FilterNotAllowed()
        return super().filter_queryset(request, queryset, view)

    def get_query_param_terms(self, request) -> list[str]:
        params = request.query_params.get(self.ordering_param) or ""
        return [term.strip() for term in params.split(",") if term.strip()]


class PersonalSearchFilter(SearchFilter):
    """`?search=` over a personal field matches only rows whose personal data the user may
    see: searching a masked name or a hidden address must not reveal it letter by letter."""

    def filter_queryset(self, request, queryset, view):
        if not self.get_search_terms(request):
            return queryset
        fields = self.get_search_fields(view, request) or []
        if any(touches_personal(queryset.model, f) for f in fields):
            queryset = scoped(request.user, queryset, PERSONAL)
        return super().filter_queryset(request, queryset, view)


# Every API list uses these (settings.REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"]): for models
# without personal fields they are the plain backends.
PERSONAL_FILTER_BACKENDS = [PersonalFilterBackend, PersonalOrderingFilter, PersonalSearchFilter]


def parse(serializer_class, data, *, request=None) -> dict:
    """Validate request data with an input serializer; a bad value is a 400 in the one shape.

    Only a JSON object (or a form) is a request body: `[]`, `"x"` or `null` would otherwise
    reach the view as something without `.get`, and a service as a list where it expects text.
    """
    if not isinstance(data, Mapping):
        raise InvalidInput(_("请求体必须是一个 JSON 对象。"), code="invalid")
    serializer = serializer_class(data=data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data

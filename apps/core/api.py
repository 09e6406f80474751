"""Shared API pieces: pagination and the scoped ViewSet base every app uses."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination

from apps.accounts.scoping import CHANGE, VIEW, scoped, sees_personal

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


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


class ScopedViewSetMixin:
    """Every queryset a ViewSet serves goes through `scoped()`.

    Reads use the "view" scope, writes to existing rows the "change" scope, so an object out
    of the user's scope is a 404 (its existence is not revealed). Subclasses set `queryset`
    (with its select_related) and may map custom actions in `scope_actions`.
    """

    scope_actions: dict[str, str] = {}

    def scope_action(self) -> str:
        if self.action in self.scope_actions:
            return self.scope_actions[self.action]
        return CHANGE if self.action in WRITE_ACTIONS else VIEW

    def get_queryset(self):
        return scoped(self.request.user, super().get_queryset(), self.scope_action())


class PersonalDataMixin:
    """Masks personal data in a serializer's output for users who may not see it.

    `personal_fields` maps a field to how it is shown to them: a function of the value
    (e.g. `mask_name`) or None to hide it. Whether the user may see it is `sees_personal`
    on the instance (select_related its nodes to keep lists at one query).
    """

    personal_fields: dict = {}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not sees_personal(request.user, instance):
            for name, mask in self.personal_fields.items():
                if name in data:
                    data[name] = None if mask is None else (mask(data[name]) if data[name] else "")
        return data

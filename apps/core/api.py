"""Shared API pieces: pagination and the scoped ViewSet base every app uses."""

from rest_framework.pagination import PageNumberPagination

from apps.accounts.scoping import CHANGE, VIEW, scoped

WRITE_ACTIONS = {"update", "partial_update", "destroy"}


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

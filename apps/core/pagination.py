"""Lists that stay fast at a million rows: a bounded count, and a keyset cursor.

A list page used to `COUNT(*)` every row it could show, on every page: at a million visits that
count is most of the request. Here a list counts at most `COUNT_EXACT_UP_TO` rows (a
`COUNT(*)` over a `LIMIT` subquery: bounded work whatever the table's size); above that the
count is the planner's estimate (`EXPLAIN` of the same query) and is shown as one ("约 1,000,000
条", `"count_estimated": true` in the API). Deep pages by number still cost their offset: the
API's long lists therefore also take `?cursor=` (a keyset on the list's ordering and the id,
DRF's `CursorPagination`), whose every page costs the same.
"""

import json
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db import connections
from django.utils.translation import gettext_lazy

from apps.core.errors import InvalidInput

COUNT_EXACT_UP_TO = 10_000


def estimated_rows(queryset) -> int | None:
    """The planner's row estimate for `queryset` (PostgreSQL), else None."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def bounded_count(queryset, limit: int | None = None) -> tuple[int, bool]:
    """(count, estimated): exact up to `limit` rows, the planner's estimate above it."""
    limit = COUNT_EXACT_UP_TO if limit is None else limit
    if hasattr(queryset, "query"):
        exact = queryset.order_by()[: limit + 1].count()
    else:  # a list
        return len(queryset), False
    if exact <= limit:
        return exact, False
    estimate = estimated_rows(queryset)
    if estimate is None:  # SQLite (development): small enough to count
        return queryset.count(), False
    return max(estimate, exact), True


class EstimatedPaginator(Paginator):
    """Django's Paginator with `bounded_count`: `count_estimated` says the count is an
    estimate. The last page of an estimated list may be empty or not the last (the pager then
    says "约")."""

    count_estimated = False

    @cached_property
    def count(self) -> int:
        count, self.count_estimated = bounded_count(self.object_list)
        return count

    def validate_number(self, number):
        # With an estimated count a page past the estimate may still hold rows: let it be
        # asked for (an empty page rather than a 404 for a real row beyond the estimate).
        self.count  # noqa: B018 - sets count_estimated
        if self.count_estimated:
            try:
                number = int(number)
            except (TypeError, ValueError):
                return super().validate_number(number)
            if number >= 1:
                return number
        return super().validate_number(number)

    def page(self, number):
        # An estimate may be below the real count: never cut a page at it, and say there is a
        # next page when one more row exists (one row more is read to know).
        self.count  # noqa: B018 (sets count_estimated)
        if not self.count_estimated:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        return EstimatedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)


class EstimatedPage(Page):
    """A page of a list whose count is an estimate: whether a next page exists is known from
    the rows, not from the count."""

    def __init__(self, object_list, number, paginator, *, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more

    def next_page_number(self) -> int:
        return self.number + 1

    def end_index(self) -> int:
        return self.start_index() + len(self.object_list) - 1


class CursorNotSupported(InvalidInput):
    code = "cursor_not_supported"
    default_detail = gettext_lazy(
        "此排序不支持游标翻页（cursor）；请按本表自身的非空字段排序，或使用 page 翻页。"
    )


def paginate(request, queryset, per_page: int):
    """One page of `queryset` for a page (a view), from `?page=`, with a bounded count:
    `{% include "core/_pager.html" %}` shows "约 N 条" when it is an estimate."""
    return EstimatedPaginator(queryset, per_page).get_page(request.GET.get("page"))

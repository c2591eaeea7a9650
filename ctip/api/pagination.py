"""Paging with a bounded count, for the case list page and the API's lists (decision 0100)."""

from collections import OrderedDict
from typing import Any

from django.core.paginator import EmptyPage, Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

# Beyond this many matches a list says "more than N" instead of counting them all: a
# COUNT(*) over a million rows costs more than the page itself. See docs/decisions/0100.
COUNT_CAP = 1_000


class CappedPaginator(Paginator):
    """A Paginator that counts at most `cap` + 1 rows, so the count stays cheap on big tables.

    With `pages_past_cap` (the API), pages beyond the cap stay reachable: each such page reads
    one row more than it shows to know whether another follows, instead of counting them all.
    """

    def __init__(
        self, *args: Any, cap: int | None = None, pages_past_cap: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap
        self.pages_past_cap = pages_past_cap

    @cached_property
    def count(self) -> int:
        # Slicing first makes the database stop counting at cap + 1 rows. The ordering is
        # dropped: with it PostgreSQL would walk the sort index and fetch rows in index order.
        rows: Any = self.object_list
        if not isinstance(rows, QuerySet) or rows.query.is_sliced:
            # A list, or a query already cut to its limit: its length costs nothing more.
            return len(rows)
        return min(rows.order_by()[: self.cap + 1].count(), self.cap + 1)

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        if self.is_capped and self.pages_past_cap:
            # Unknown: the last page is found by reading, not counting (see page()).
            return 2**31
        # Pages past the cap are not offered on pages: filters narrow faster than paging does.
        return max(1, -(-min(self.count, self.cap) // self.per_page))

    def page(self, number: Any) -> Page:
        if not (self.is_capped and self.pages_past_cap):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        page = _LookAheadPage(rows[: self.per_page], number, self)
        page.more = len(rows) > self.per_page
        return page


class _LookAheadPage(Page):
    """A page past the count cap: it knows whether another follows from one extra row."""

    more = False

    def has_next(self) -> bool:
        return self.more


class Pagination(PageNumberPagination):
    """Page-numbered API lists with a bounded count; clients on slow links ask for smaller pages.

    `count` is exact up to COUNT_CAP matches and null beyond (`count_capped` says which):
    following `next` until it is null still reads every page.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_paginated_response(self, data: Any) -> Response:
        page: Any = self.page
        paginator = page.paginator
        capped = paginator.is_capped
        return Response(
            OrderedDict(
                [
                    ("count", None if capped else paginator.count),
                    ("count_capped", capped),
                    ("next", self.get_next_link()),
                    ("previous", self.get_previous_link()),
                    ("results", data),
                ]
            )
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        answer = super().get_paginated_response_schema(schema)
        properties = answer["properties"]
        properties["count"] = {
            "type": "integer",
            "nullable": True,
            "example": 123,
            "description": f"Matches, counted up to {COUNT_CAP}; null beyond.",
        }
        answer["properties"] = {
            "count": properties["count"],
            "count_capped": {
                "type": "boolean",
                "description": f"True when more than {COUNT_CAP} match (count is then null).",
            },
            **{key: value for key, value in properties.items() if key != "count"},
        }
        answer["required"] = ["count", "count_capped", "results"]
        return answer

    def django_paginator_class(self, *args: Any, **kwargs: Any) -> CappedPaginator:  # type: ignore[override]
        return CappedPaginator(*args, pages_past_cap=True, **kwargs)

"""Pagination of every list: ninja's page-number pagination (``?page=2&page_size=20``).

The body of a list is ``{"items": [...], "count": <all rows>}``; the page size defaults to
``NINJA_PAGINATION_PER_PAGE`` and is capped by ``NINJA_MAX_PER_PAGE_SIZE``. A page is
always two queries (count, rows) whatever the number of rows, provided the rows' related
objects are selected up front. The page number is bounded (``core.params.MAX_PAGE``): a
larger one is a 422 with a message, not an OFFSET the database cannot take.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination, paginate

from qingyi.core.params import MAX_PAGE

__all__ = ["PageMapped", "Pagination", "paginate"]


class Pagination(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE)


class PageMapped:
    """A queryset whose page is converted in one go after slicing.

    For rows whose output needs something computed once per page rather than once per row
    (a setting, a batch look-up): ``convert`` receives the page's objects and returns the
    items to serialise, in the same order.
    """

    def __init__(self, queryset: QuerySet, convert: Callable[[list[Any]], Sequence[Any]]):
        if not queryset.ordered:
            queryset = queryset.order_by("pk")  # a page needs a stable order
        self.queryset = queryset
        self.convert = convert

    def all(self) -> PageMapped:
        return self

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> Sequence[Any]:
        if not isinstance(page, slice):
            raise TypeError("PageMapped is sliced by pages only")
        return self.convert(list(self.queryset[page]))

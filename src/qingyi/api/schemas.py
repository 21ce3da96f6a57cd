"""Schemas and helpers shared by the domain routers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from ninja import Field, Schema

from qingyi.core.params import MAX_ID
from qingyi.core.periods import MAX_YEAR, MIN_YEAR

# Numbers a request brings in, bounded as everywhere (core/params.py): beyond them a 422 with a
# message, and the OpenAPI schema says so.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(ErrorOut):
    errors: list[FieldErrorOut] = []


# The error responses every authenticated operation may give, for the OpenAPI schema.
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


def responses(ok: Any, *, status: int = 200) -> dict[int, Any]:
    """``response=`` for an operation: ``ok`` on success, the common error bodies otherwise."""
    return {status: ok, **ERRORS}


class Ref(Schema):
    """A named object by id, e.g. an organisation or a department."""

    id: int
    name: str


def choice(choices: type) -> Any:
    """The values of a ``TextChoices`` as a ``Literal``: an inline enum in the OpenAPI schema
    (named enums would collide: ``Person.Status``, ``Transfer.Status`` ... are all "Status")."""
    return Literal[tuple(choices.values)]


def blank_is_none(value: Any) -> Any:
    """For ``field_validator(..., mode="before")``: ``?org=`` means no filter, as on the pages."""
    return None if value == "" else value


def ref(obj) -> dict[str, Any] | None:
    return None if obj is None else {"id": obj.pk, "name": str(obj)}


def user_of(request) -> Any:
    """The authenticated user (from the token or the session)."""
    return request.auth

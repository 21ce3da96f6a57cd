"""Numbers from URLs and query strings, bounded once: out of range is a 404 or a 400, never a 500.

An id of 2**63 does not fit the database's BIGINT: SQLite raises OverflowError, PostgreSQL
"value out of range", wherever the ORM's own guard does not apply (foreign keys, plain SQL).
So every number a request brings in goes through this module:

- ids in a URL path: the ``id`` converter (``<id:person_pk>`` in every URLconf, ``{id:id}`` in
  the API), registered in ``CoreConfig.ready``. A number beyond ``MAX_ID`` does not match the
  pattern, so the answer is the ordinary 404;
- ids in a query string (``?org=``, ``?department=``): ``query_id`` — 404 for one that cannot
  exist, like an id that does not;
- years: ``core.periods`` (``MIN_YEAR``–``MAX_YEAR``); page numbers: Django's ``Paginator``
  (a page beyond the last is the last) and the API's ``Pagination`` (``MAX_PAGE``, 422);
- the period of a page (``?period=``): ``period_from_request`` — one behaviour for bad input,
  a message saying so and the default period. The organisation (``?org=``) is read by
  ``organizations.params.organization_from_request``.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.utils.translation import gettext as _

from qingyi.core.periods import MAX_YEAR, MIN_YEAR, Period, PeriodError

MAX_ID = 2**63 - 1  # BIGINT, the type of every primary key (DEFAULT_AUTO_FIELD)
MAX_PAGE = 1_000_000  # far beyond any list; keeps OFFSET within what every database takes


def parse_int(value: object, *, minimum: int, maximum: int) -> int | None:
    """``value`` as a whole number within ``minimum``…``maximum``, or None. The one parser:
    ASCII digits only (``"²".isdigit()`` is true, yet ``int("²")`` fails), no sign, bounded
    before ``int()`` is called on a long string."""
    text = str(value).strip() if value is not None else ""
    if not text.isascii() or not text.isdigit() or len(text) > len(str(maximum)):
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


def parse_id(value: object) -> int | None:
    """``value`` as an id (a whole number 1…MAX_ID), or None if it cannot be one."""
    return parse_int(value, minimum=1, maximum=MAX_ID)


class IdConverter:
    """``<id:name>``: an object's id in a URL path; beyond ``MAX_ID`` the URL does not match (404)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(value)  # Django: this pattern does not match
        return number

    def to_url(self, value: object) -> str:
        return str(int(value))  # type: ignore[call-overload]


def query_id(request, name: str) -> int | None:
    """The id in the query string's ``name``: None when absent or blank; 404 when it cannot be
    an id (not a whole number, or out of range) — the answer for an id that does not exist."""
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    number = parse_id(value)
    if number is None:
        raise Http404(f"No such {name}.")
    return number


def query_year(request, name: str = "year") -> int | None:
    """The year in the query string's ``name`` if it is one (``MIN_YEAR``–``MAX_YEAR`` of
    ``core.periods``), else None: the caller's default."""
    return parse_int(request.GET.get(name, ""), minimum=MIN_YEAR, maximum=MAX_YEAR)


PERIOD_MAX_LENGTH = 30  # longer than any period ("2025-01-01..2025-06-30" has 22 characters)


def period_and_error(
    request, *, text: str | None = None, optional: bool = False
) -> tuple[Period | None, str]:
    """The period a page is asked for — ``?period=``, or ``text`` when the page builds it from
    other fields — and "" or the message for one that is not a period. Blank: this year, or
    None (all periods) when ``optional``; not a period: the same default, and the message says
    what was wrong and what is shown instead."""
    raw = (request.GET.get("period", "") if text is None else text).strip()[:PERIOD_MAX_LENGTH]
    default = None if optional else Period.current_year()
    if not raw:
        return default, ""
    try:
        return Period.parse(raw), ""
    except PeriodError as exc:
        instead = (
            _("%(error)s Showing all periods instead.")
            if optional
            else _("%(error)s Showing this year instead.")
        )
        return default, instead % {"error": exc}


def period_from_request(
    request, *, text: str | None = None, optional: bool = False, report: bool = True
) -> Period | None:
    """``period_and_error``'s period; its message goes on the page (``report=False`` for a
    fragment whose page already says so)."""
    period, error = period_and_error(request, text=text, optional=optional)
    if error and report:
        messages.error(request, error)
    return period

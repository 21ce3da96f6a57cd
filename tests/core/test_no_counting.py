"""Guard: views, the API and templates do not count on their own (issue 8, point 5).

A figure comes from the metrics registry (``core/metrics.py``) or a selector, so the page, the
report and the API cannot disagree. Two rules that a test can hold honestly:

1. In view and API modules (``views.py``, ``views_*.py``, ``views/*.py``, ``api/*.py``) no
   line counts or sums: ``.count()``, ``Count(``, ``Sum(``, ``Avg(``, ``.aggregate(``,
   ``sum(``, ``len(``. The lines below are the known exceptions, each with its reason; they
   are sizes of what the page itself shows or of what an action just did, never a figure. A
   new line fails until it moves to a selector or metric (or, if it truly is no figure, is
   added here with its reason).
2. In templates, ``|length`` measures only a list the same template iterates (``{% for ... in
   X %}``): the size of the list shown, never a figure of its own.
"""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "qingyi"

COUNTING = re.compile(r"\.count\(\)|\bCount\(|\bSum\(|\bAvg\(|\.aggregate\(|\bsum\(|\blen\(")

# (module, the line stripped) -> why it is not a figure.
ALLOWED = {
    ("api/pagination.py", "return self.queryset.count()"): "the size of a paginated list",
    ("api/pagination.py", "return self.count()"): "the size of a paginated list",
    (
        "volunteering/views/hours.py",
        "paginator.count = selectors.hours_overview_volunteers(request.user, q=q).count()",
    ): "the paginator's size, without the sums",
    (
        "people/views/imports.py",
        '"unstored_errors": max(0, roster_import.error_count - len(errors)),',
    ): "the error rows counted but not stored (the stored list is capped)",
    (
        "people/views/imports.py",
        '"more_changes": max(0, planned - len(changes)),',
    ): "the planned changes not shown",
    (
        "people/views/imports.py",
        '"more_errors": max(0, len(errors) - PREVIEW_ERRORS),',
    ): "the error rows not shown",
    (
        "volunteering/views/projects.py",
        'messages.success(request, _("%(n)s shifts created.") % {"n": series.shifts.count()})',
    ): "what the action just did",
    (
        "volunteering/views/projects.py",
        'messages.success(request, _("%(n)s shift(s) saved.") % {"n": len(changed)})',
    ): "what the action just did",
    (
        "volunteering/views/hours.py",
        'messages.success(request, _("%(n)s record(s) verified.") % {"n": len(changed)})',
    ): "what the action just did",
    ("volunteering/views/stars.py", "n = len(awards)"): "what the action just did (its message)",
    (
        "activities/views/activities.py",
        'messages.success(request, _("%(n)s file(s) uploaded.") % {"n": len(kept)})',
    ): "what the action just did",
    ("activities/views/activities.py", "- len(registrations),"): (
        "registrations outside the list shown: the selector's whole-activity counts less the rows shown"
    ),
    ("activities/views/planning.py", 'detail_base = reverse("activities:detail", args=[0])[: -len("0/")]'): (
        "a URL prefix"
    ),
    ("activities/views/planning.py", '"count": len(activities),'): "the activities the calendar shows",
    ("activities/views/planning.py", '"total": len(rows),'): "the branches the compliance table shows",
    ("volunteering/views/figures.py", "total = sum(b.value for b in buckets)"): (
        "each bucket's share of the metric's own buckets, for the table"
    ),
}


def _view_and_api_modules() -> list[Path]:
    modules = [*SRC.glob("*/views.py"), *SRC.glob("*/views_*.py"), *SRC.glob("*/views/*.py")]
    modules += SRC.glob("api/*.py")
    return sorted(modules)


def _counting_lines() -> set[tuple[str, str]]:
    found = set()
    for path in _view_and_api_modules():
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith("#") or not COUNTING.search(stripped):
                continue
            found.add((path.relative_to(SRC).as_posix(), stripped))
    return found


def test_views_and_the_api_do_not_count():
    assert len(_view_and_api_modules()) > 30  # the globs find the modules
    counting = _counting_lines() - set(ALLOWED)
    assert not counting, "views/API count on their own; move each to a metric or a selector:\n" + "\n".join(
        f"{module}: {line}" for module, line in sorted(counting)
    )


def test_every_allowed_exception_still_exists():
    """The list of exceptions shrinks with the code: an entry that no longer matches goes."""
    assert not set(ALLOWED) - _counting_lines()


def test_the_rule_catches_counting():
    assert COUNTING.search('"present": Attendance.objects.filter(activity=activity).count(),')
    assert COUNTING.search("counts = responses.aggregate(sent=Count('pk'))")
    assert COUNTING.search("total = sum(row.cadres for row in progress)")
    assert not COUNTING.search("counts = selectors.response_counts(responses)")


LENGTH = re.compile(r"([\w.]+)\|length")
FOR_IN = re.compile(r"{%\s*for\s+[\w, ]+\s+in\s+([\w.]+)")


def test_templates_count_only_the_lists_they_show():
    templates = sorted(SRC.glob("**/templates/**/*.html"))
    assert len(templates) > 50
    wrong = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        iterated = set(FOR_IN.findall(text))
        for expression in LENGTH.findall(text):
            if expression not in iterated:
                wrong.append(f"{path.relative_to(SRC)}: {expression}|length")
    assert not wrong, "templates count what they do not show (use the metric or a selector):\n" + "\n".join(
        wrong
    )

"""Activities of the demo tree: branch A's and branch B's, with their members."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from qingyi.activities import services
from qingyi.activities.models import Activity
from tests.api.conftest import api_as, count_queries  # noqa: F401  (the API fixtures, for test_api.py)


def at(days: int = 0, hours: int = 0) -> dt.datetime:
    """A moment relative to now, on the minute."""
    return (timezone.now() + dt.timedelta(days=days, hours=hours)).replace(second=0, microsecond=0)


def plan(actor, organizers, *, kind=Activity.Kind.THEORY_STUDY, title="学习会", start=None, hours=2, **extra):
    start = start or at(days=1)
    return services.activity_create(
        data={
            "kind": kind,
            "title": title,
            "theme": extra.pop("theme", ""),
            "speaker": extra.pop("speaker", ""),
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=hours),
            "place": extra.pop("place", "三楼会议室"),
        },
        organizers=list(organizers),
        actor=actor,
        **extra,
    )


@pytest.fixture
def activity_a(personas):
    """A theory study session of branch A that started an hour ago."""
    return plan(personas.admin_a, [personas.tree.branch_a], start=at(hours=-1), title="甲支部理论学习")


@pytest.fixture
def activity_b(personas):
    return plan(personas.admin_b, [personas.tree.branch_b], start=at(hours=-1), title="乙支部学习")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"

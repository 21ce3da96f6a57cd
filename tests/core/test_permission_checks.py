"""The settings checks, page and service (written against the mutation check)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from qingyi.core.models import Setting
from qingyi.core.services import settings_update


def test_only_the_settings_right_updates_settings(personas):
    for actor in (personas.admin_a, personas.coordinator, personas.member):
        with pytest.raises(PermissionDenied):
            settings_update(values={"term_years_branch": 2}, actor=actor)
    assert not Setting.objects.exists()


def test_the_settings_page_is_refused_without_the_right(personas, login):
    client = login(personas.admin_a)
    assert client.get(reverse("core:settings")).status_code == 403

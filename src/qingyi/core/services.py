from __future__ import annotations

from typing import Any

from django.db import transaction

from qingyi.core import rules, scoping
from qingyi.core.models import Setting


@transaction.atomic
def settings_update(*, values: dict[str, Any], actor) -> None:
    """Store the committee's values of the rule settings (only those that differ are kept)."""
    scoping.require_perm(actor, scoping.SETTINGS_MANAGE)
    for key, value in values.items():
        spec = rules.SETTINGS[key]
        if value == spec.default:
            Setting.objects.filter(key=key).delete()
        else:
            Setting.objects.update_or_create(key=key, defaults={"value": value, "updated_by": actor})
        rules.forget_setting(key)

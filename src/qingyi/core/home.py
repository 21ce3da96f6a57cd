"""The member home: cards contributed by each app, declared on its AppConfig as ``home_cards``.

``home_cards = [(template, "dotted.path.to.function", permission or None, weight), ...]``.
The function takes the user and returns the card's context (a dict) or None to hide the
card; the template renders that context (under the name ``card``). A card shows when the
user holds the permission anywhere (``None``: every logged-in user). Lower weights come
first; equal weights keep INSTALLED_APPS order. A new domain adds its card without
touching this module or the home view, the same way it adds a menu (core/navigation.py).

Each card function makes a fixed number of queries, whatever the volume of data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.utils.module_loading import import_string

from qingyi.core import scoping
from qingyi.core.models import Notification


@dataclass(frozen=True)
class CardSpec:
    app_label: str
    template: str
    function: str
    permission: str | None
    weight: int


@dataclass(frozen=True)
class Card:
    spec: CardSpec
    context: dict[str, Any]

    @property
    def template(self) -> str:
        return self.spec.template

    @property
    def name(self) -> str:
        return f"{self.spec.app_label}.{self.spec.function.rsplit('.', 1)[-1]}"


def card_specs() -> list[CardSpec]:
    specs = []
    for config in apps.get_app_configs():
        for entry in getattr(config, "home_cards", ()):
            template, function, perm = entry[:3]
            weight = entry[3] if len(entry) > 3 else 50
            specs.append(CardSpec(config.label, template, function, perm, weight))
    return sorted(specs, key=lambda spec: spec.weight)  # stable: equal weights keep app order


@cache
def _function(path: str):
    return import_string(path)


def cards_for(user) -> list[Card]:
    """The cards this user sees, in order, each with its context."""
    cards = []
    for spec in card_specs():
        if spec.permission is not None and not scoping.has_perm(user, spec.permission):
            continue
        context = _function(spec.function)(user)
        if context is not None:
            cards.append(Card(spec, context))
    return cards


# --- The core's own cards ------------------------------------------------------------------


def notifications_card(user) -> dict | None:
    """Unread notifications: the count and the latest few (two queries)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    latest = list(unread.order_by("-created_at", "-pk")[:3])
    return {"count": unread.count(), "latest": latest}

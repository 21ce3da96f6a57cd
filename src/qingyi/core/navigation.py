"""The menu: each app declares its entries on its AppConfig as ``navigation``.

``navigation = [(url_name, label, permission or None), ...]``, optionally with a fourth
element, a weight (default 50; lower comes first); an entry shows when the user holds the
permission anywhere (``None``: every logged-in user). Equal weights keep INSTALLED_APPS
order, so a new domain adds its menu without touching this module.

An app's visible entries form one group in the top bar: a plain link when only one entry
is visible to the user, a dropdown titled with the app's ``navigation_label`` (default: its
verbose name) when there are several. ``navigation_label = None`` puts the app's entries
in the bar one by one (the home page, the settings).
"""

from __future__ import annotations

from django.apps import apps
from django.urls import reverse

from qingyi.core import scoping


def _is_active(request, url: str) -> bool:
    return request.path == url if url == "/" else request.path.startswith(url)


def menu_for(request) -> list[dict]:
    """Top-bar items: {"url", "label", "active"} or {"label", "children", "active"}."""
    user = request.user
    groups = []
    for config in apps.get_app_configs():
        entries = []
        for entry in getattr(config, "navigation", ()):
            url_name, label, perm = entry[:3]
            weight = entry[3] if len(entry) > 3 else 50
            if perm is None or scoping.has_perm(user, perm):
                url = reverse(url_name)
                item = {"url": url, "label": label, "active": _is_active(request, url), "children": []}
                entries.append((weight, item))
        if not entries:
            continue
        label = getattr(config, "navigation_label", config.verbose_name)
        if label is None or len(entries) == 1:
            groups.extend(entries)
            continue
        children = [item for _weight, item in sorted(entries, key=lambda pair: pair[0])]
        group = {"label": label, "children": children, "active": any(c["active"] for c in children)}
        groups.append((min(weight for weight, _item in entries), group))
    # Equal weights keep app order: sort is stable.
    return [item for _weight, item in sorted(groups, key=lambda pair: pair[0])]

"""The menu: each app declares its entries on its AppConfig as ``navigation``.

``navigation = [(url_name, label, permission or None), ...]``, optionally with a fourth
element, a weight (default 50; lower comes first); an entry shows when the user holds the
permission anywhere (``None``: every logged-in user). Equal weights keep INSTALLED_APPS
order, so a new domain adds its menu without touching this module.
"""

from __future__ import annotations

from django.apps import apps
from django.urls import reverse

from qingyi.core import scoping


def menu_for(request) -> list[dict]:
    user = request.user
    entries = []
    for config in apps.get_app_configs():
        for entry in getattr(config, "navigation", ()):
            url_name, label, perm = entry[:3]
            weight = entry[3] if len(entry) > 3 else 50
            if perm is None or scoping.has_perm(user, perm):
                entries.append((weight, len(entries), url_name, label))
    items = []
    for _weight, _order, url_name, label in sorted(entries):
        url = reverse(url_name)
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"url": url, "label": label, "active": active})
    return items

from django.apps import AppConfig
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _

from qingyi.core import metrics
from qingyi.core.params import IdConverter


class CoreConfig(AppConfig):
    name = "qingyi.core"
    label = "core"
    # Menu entries: (url name, label, permission or None); see core/navigation.py.
    navigation = [("core:home", _("Home"), None, 0), ("core:settings", _("Settings"), "settings.manage", 100)]
    navigation_label = None  # Home and Settings stand in the bar on their own
    # Member home cards: (template, card function, permission or None, weight); see core/home.py.
    home_cards = [("core/cards/notifications.html", "qingyi.core.home.notifications_card", None, 5)]
    verbose_name = _("Core")

    def ready(self) -> None:
        # ``<id:...>``: every id in a URL, bounded to the database's BIGINT (core/params.py).
        register_converter(IdConverter, "id")
        # Each domain contributes its figures to the one registry.
        metrics.autodiscover()

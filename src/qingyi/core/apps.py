from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "qingyi.core"
    label = "core"
    # Menu entries: (url name, label, permission or None); see core/navigation.py.
    navigation = [("core:home", _("Home"), None, 0), ("core:settings", _("Settings"), "settings.manage", 100)]
    navigation_label = None  # Home and Settings stand in the bar on their own
    verbose_name = _("Core")

    def ready(self) -> None:
        # Each domain contributes its figures to the one registry.
        from qingyi.core import metrics

        metrics.autodiscover()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "qingyi.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Each domain contributes its figures to the one registry.
        from qingyi.core import metrics

        metrics.autodiscover()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrowthConfig(AppConfig):
    name = "qingyi.growth"
    label = "growth"
    verbose_name = _("Cadre growth")
    # Menu entries: (url name, label, permission or None[, weight]); see core/navigation.py.
    navigation: list = []

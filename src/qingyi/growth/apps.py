from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrowthConfig(AppConfig):
    name = "qingyi.growth"
    label = "growth"
    verbose_name = _("Cadre growth")
    # Menu entries: (url name, label, permission or None[, weight]); see core/navigation.py.
    navigation: list = [
        ("growth:roster", _("Cadres"), "growth.manage", 60),
        ("growth:checklist_list", _("Self-inspection"), "growth.manage", 61),
        ("growth:me", _("My growth record"), None, 90),
    ]
    home_cards = [("growth/cards/inspection.html", "qingyi.growth.home.my_inspection_card", None, 40)]

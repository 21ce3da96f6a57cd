from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteeringConfig(AppConfig):
    name = "qingyi.volunteering"
    label = "volunteering"
    verbose_name = _("Volunteer service")
    # Menu entries: (url name, label, permission or None[, weight]); see core/navigation.py.
    navigation: list = [
        ("volunteering:home", _("Volunteering"), None, 40),
        ("volunteering:project_list", _("Volunteer projects"), "volunteering.manage", 41),
        ("volunteering:hours_overview", _("Volunteer hours"), "volunteering.manage", 42),
        ("volunteering:figures", _("Volunteering figures"), "metrics.view", 43),
    ]
    home_cards = [("volunteering/cards/mine.html", "qingyi.volunteering.home.my_volunteering_card", None, 20)]

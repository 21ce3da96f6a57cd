from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "qingyi.activities"
    label = "activities"
    verbose_name = _("League work")
    # Menu entries: (url name, label, permission or None[, weight]); see core/navigation.py.
    navigation: list = [
        ("activities:list", _("Activities"), "activities.view"),
        ("activities:calendar", _("Calendar"), "activities.view"),
        ("activities:publication_list", _("Publicity"), "activities.view"),
        ("activities:mine", _("My activities"), None),
    ]
    home_cards = [("activities/cards/mine.html", "qingyi.activities.home.my_activities_card", None, 30)]

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "qingyi.people"
    label = "people"
    # Menu entries: (url name, label, permission or None); see core/navigation.py.
    navigation = [
        ("people:list", _("Roster"), "people.view"),
        ("people:transfer_list", _("Transfers"), "transfers.decide"),
    ]
    navigation_label = _("Roster")
    # Member home cards: (template, card function, permission or None, weight); see core/home.py.
    home_cards = [("people/cards/profile.html", "qingyi.people.home.profile_card", None, 95)]
    verbose_name = _("People")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscortsConfig(AppConfig):
    """陪诊: patients' escort requests, dispatched to on-duty volunteers."""

    name = "qingyi.escorts"
    label = "escorts"
    verbose_name = _("Patient escorts")
    # Menu entries: (url name, label, permission or None[, weight]); see core/navigation.py.
    navigation: list = [
        ("escorts:dispatch", _("Escort dispatch"), "volunteering.manage", 55),
        ("escorts:mine", _("My escorts"), None, 56),
    ]
    home_cards = [("escorts/cards/mine.html", "qingyi.escorts.home.my_escorts_card", None, 10)]

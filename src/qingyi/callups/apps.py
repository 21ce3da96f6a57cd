from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallupsConfig(AppConfig):
    """应急动员: urgent call-ups sent to chosen volunteers, who accept or decline on their phone."""

    name = "qingyi.callups"
    label = "callups"
    verbose_name = _("Call-ups")
    # Menu entries: (url name, label, permission or None[, weight]); see core/navigation.py.
    navigation: list = [
        ("callups:list", _("Call-ups"), "volunteering.manage", 57),
        ("callups:mine", _("My call-ups"), None, 58),
    ]

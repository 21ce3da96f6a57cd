from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "qingyi.activities"
    label = "activities"
    verbose_name = _("League work")
    # Menu entries: (url name, label, permission or None[, weight]); see core/navigation.py.
    navigation: list = []

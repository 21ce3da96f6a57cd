from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "qingyi.organizations"
    label = "organizations"
    # Menu entries: (url name, label, permission or None); see core/navigation.py.
    navigation = [
        ("organizations:tree", _("Organisations"), "org.view"),
        ("organizations:cadre_structure", _("Cadres"), "cadres.manage"),
    ]
    verbose_name = _("Organisations")

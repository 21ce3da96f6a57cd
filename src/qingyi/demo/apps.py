from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The fictional demo hospital: the top floor, above every domain app.

    It imports every domain's models to build a year of records; nothing imports it but the
    ``demo_data`` command, the tests and the benchmarks' volume generator.
    """

    name = "qingyi.demo"
    label = "demo"
    verbose_name = _("Demo hospital")

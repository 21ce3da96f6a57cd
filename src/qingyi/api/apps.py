from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "qingyi.api"
    label = "api"
    verbose_name = "API"

from django.urls import path

from qingyi.ops import health, prometheus

app_name = "ops"
urlpatterns = [
    path("health/", health.health, name="health"),
    path("ready/", health.ready, name="ready"),
    path("metrics", prometheus.metrics, name="metrics"),
]

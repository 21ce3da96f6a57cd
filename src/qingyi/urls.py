from django.contrib import admin
from django.urls import include, path

from qingyi.api.api import api
from qingyi.core import urls as core_urls
from qingyi.organizations import views_dashboard

# The ``core`` namespace: the dashboard (organizations, which reads the organisation tree) and
# core's own pages. Core imports no app above it, so the two lists meet here.
core_patterns = [
    path("", views_dashboard.home, name="home"),
    path("metrics/<str:name>/", views_dashboard.metric_detail, name="metric_detail"),
    *core_urls.urlpatterns,
]

urlpatterns = [
    path("", include((core_patterns, "core"))),
    path("accounts/", include("qingyi.accounts.urls")),
    path("organizations/", include("qingyi.organizations.urls")),
    path("people/", include("qingyi.people.urls")),
    path("activities/", include("qingyi.activities.urls")),
    path("volunteering/", include("qingyi.volunteering.urls")),
    path("escorts/", include("qingyi.escorts.urls")),
    path("callups/", include("qingyi.callups.urls")),
    path("growth/", include("qingyi.growth.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
    # The operator's endpoints (answered first by qingyi.ops.middleware): /health/, /ready/, /metrics.
    path("", include("qingyi.ops.urls")),
]
# Uploaded files are never served from MEDIA_URL: each domain serves its files through a
# view that checks the user's scope (e.g. activities:file_download).

from django.contrib import admin
from django.urls import include, path

from qingyi.accounts import urls as accounts_urls
from qingyi.api.api import api
from qingyi.core import urls as core_urls
from qingyi.organizations import urls as organizations_urls
from qingyi.organizations.views import dashboard
from qingyi.people.views import cadres, logins

# The ``core`` namespace: the dashboard (organizations, which reads the organisation tree) and
# core's own pages. Core imports no app above it, so the two lists meet here.
core_patterns = [
    path("", dashboard.home, name="home"),
    path("metrics/<str:name>/", dashboard.metric_detail, name="metric_detail"),
    *core_urls.urlpatterns,
]

# The ``accounts`` namespace: sign-in, passwords and tokens (accounts), and the pages where
# logins meet the roster (people), which stand above accounts.
accounts_patterns = [
    *accounts_urls.urlpatterns,
    path("people/<id:person_pk>/login/", logins.person_login_create, name="person_login_create"),
    path("people/<id:person_pk>/password/", logins.person_password_reset, name="person_password_reset"),
    path("organizations/<id:org_pk>/roles/", logins.role_list, name="role_list"),
    path("profile/", logins.profile, name="profile"),
    path("profile/change/", logins.change_request_new, name="change_request_new"),
]

# The ``organizations`` namespace: the tree (organizations) and the cadre pages that choose
# people (people), which stand above organizations.
organizations_patterns = [
    *organizations_urls.urlpatterns,
    path("<id:org_pk>/elections/new/", cadres.election_new, name="election_new"),
    path("<id:org_pk>/positions/new/", cadres.position_new, name="position_new"),
]

urlpatterns = [
    path("", include((core_patterns, "core"))),
    path("accounts/", include((accounts_patterns, "accounts"))),
    path("organizations/", include((organizations_patterns, "organizations"))),
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

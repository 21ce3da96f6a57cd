"""URLs of the check-in benchmark: the project's, plus the floor view.

The floor is the cheapest useful write request on the same stack: the same middleware
(session, authentication, locale, CSRF, history, axes), login required, a POST with the
CSRF token, one transaction with one INSERT into a one-index table (``bench_floor``, created
by the benchmark), and a small JSON answer — like the scan endpoint, minus the domain.
"""

import time

from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.http import require_POST


@login_required
@require_POST
def floor(request):
    client_id = request.POST.get("client_id", "")[:64]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_floor (client_id, user_id, written_at) VALUES (%s, %s, %s)",
            [client_id, request.user.pk, time.time_ns()],
        )
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/floor/", floor, name="bench_floor"), path("", include("qingyi.urls"))]

"""The JSON API at /api/v1/: one router per domain, all behind the same authentication.

To add a domain: write ``qingyi/api/<domain>.py`` with ``router = Router(tags=[...])``
whose operations use ``responses(...)`` from ``schemas``, ``@paginate(Pagination)`` for
lists, ids in paths as ``{id:id}`` (names as ``{name}``), and the scoping module for every
read; then add it to ``ROUTERS`` below.

The OpenAPI schema is at /api/v1/openapi.json and the Swagger UI at /api/v1/docs, served
with ninja's own static files (``"ninja"`` is in ``INSTALLED_APPS``), so no CDN is needed.
"""

from __future__ import annotations

from ninja import NinjaAPI, Router
from ninja.openapi.docs import Swagger

from qingyi.api import activities as activities_api
from qingyi.api import callups as callups_api
from qingyi.api import errors
from qingyi.api import escorts as escorts_api
from qingyi.api import figures as figures_api
from qingyi.api import growth as growth_api
from qingyi.api import organizations as organizations_api
from qingyi.api import people as people_api
from qingyi.api import volunteering as volunteering_api
from qingyi.api import volunteering_records as volunteering_records_api
from qingyi.api.auth import AUTH

DESCRIPTION = """
The records, the figures and the records behind them, for the organisations you may see.

Authenticate with a personal token from your profile page — `Authorization: Bearer <token>` —
or with your browser session (send `X-CSRFToken` on unsafe methods). Lists are paginated:
`?page=2&page_size=20`, and return `{"items": [...], "count": N}`. Errors return
`{"detail": "..."}`: 401 not authenticated, 403 not allowed, 404 not found or outside your
organisations, 422 a parameter that is not valid.
"""

# (prefix, router) of every domain; the prefix is the first segment after /api/v1/.
ROUTERS: tuple[tuple[str, Router], ...] = (
    ("/organizations", organizations_api.router),
    ("/people", people_api.router),
    ("/metrics", figures_api.router),
    ("/activities", activities_api.router),
    ("/escorts", escorts_api.router),
    ("/callups", callups_api.router),
    ("/growth", growth_api.router),
    ("/volunteering", volunteering_api.router),
    ("/volunteering", volunteering_records_api.router),
)

api = NinjaAPI(
    title="Qingyi API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=AUTH,
    # validatorUrl: None keeps Swagger UI from calling validator.swagger.io (offline intranets).
    docs=Swagger(settings={"validatorUrl": None}),
)
errors.install(api)
for prefix, router in ROUTERS:
    api.add_router(prefix, router)

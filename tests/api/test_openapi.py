"""The OpenAPI schema and the docs page, which must work on an intranet without internet."""

from __future__ import annotations

import re

from django.contrib.staticfiles import finders

from tests.api.conftest import API

PATHS = {
    "/api/v1/organizations",
    "/api/v1/organizations/{id}",
    "/api/v1/people",
    "/api/v1/people/{id}",
    "/api/v1/metrics",
    "/api/v1/metrics/{name}",
    "/api/v1/metrics/{name}/records",
}


def test_schema_loads_and_lists_the_paths(db, client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Qingyi API"
    assert set(schema["paths"]) >= PATHS
    for path in PATHS:
        operation = schema["paths"][path]["get"]
        assert {"200", "401", "403", "404", "422"} <= set(operation["responses"]), path
        assert operation["security"] == [{"TokenAuth": []}, {"BrowserSessionAuth": []}]
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}


def test_docs_page_uses_only_our_own_static_files(db, client):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in sources
    assert "/static/ninja/swagger-ui.css" in sources
    assert all(s.startswith("/") for s in sources), sources  # nothing from a CDN
    assert '"validatorUrl": null' in html  # no call to validator.swagger.io
    for asset in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css", "ninja/swagger-ui-init.js"):
        assert finders.find(asset), asset

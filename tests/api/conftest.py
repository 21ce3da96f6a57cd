"""API clients for the personas: each calls /api/v1/ with its own personal token."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from qingyi.accounts.models import ApiToken

API = "/api/v1"


class ApiClient:
    """A Django test client that sends ``Authorization: Bearer <token>`` on every request."""

    def __init__(self, client, raw_token: str | None):
        self.client = client
        self.raw_token = raw_token

    def _headers(self, headers):
        # English, so expected labels and messages do not depend on the zh_Hans catalogue.
        result = {"Accept-Language": "en"}
        if self.raw_token:
            result["Authorization"] = f"Bearer {self.raw_token}"
        return result | (headers or {})

    def get(self, path: str, params=None, headers=None):
        return self.client.get(API + path, params or {}, headers=self._headers(headers))

    def post(self, path: str, data=None, headers=None):
        return self.client.post(API + path, data or {}, headers=self._headers(headers))


@pytest.fixture(autouse=True)
def _english():
    """Expected labels are computed in English, the language the API clients ask for."""
    with translation.override("en"):
        yield


@pytest.fixture
def api_as(client):
    """``api_as(user)``: a client authenticated with a fresh token of ``user``."""

    def _api_as(user) -> ApiClient:
        _token, raw = ApiToken.issue(user=user, name="tests")
        return ApiClient(client, raw)

    return _api_as


@pytest.fixture
def count_queries():
    """``with count_queries() as queries: ...`` then ``len(queries)``."""

    @contextmanager
    def _count():
        with CaptureQueriesContext(connection) as context:
            yield context

    return _count

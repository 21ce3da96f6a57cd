"""Who may call the API: a personal token or the browser session; nobody else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import RequestFactory
from django.utils import timezone
from ninja.errors import AuthenticationError, HttpError

from qingyi.accounts.models import ApiToken
from qingyi.api.auth import BrowserSessionAuth, TokenAuth, token_touch
from tests.api.conftest import API, ApiClient


def _is_error(response, status: int) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) <= {"detail", "errors"}
    assert isinstance(body["detail"], str) and body["detail"]


def test_no_credentials_is_401_with_a_bearer_challenge(personas, client):
    response = client.get(f"{API}/people")
    _is_error(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer qy_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "qy_abc"])
def test_bad_token_is_401(personas, client, header):
    response = client.get(f"{API}/people", headers={"Authorization": header})
    _is_error(response, 401)


def test_token_gives_access(personas, api_as):
    response = api_as(personas.committee_admin).get("/people")
    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_revoked_token_is_401(personas, client):
    token, raw = ApiToken.issue(user=personas.committee_admin, name="laptop")
    api = ApiClient(client, raw)
    assert api.get("/people").status_code == 200
    token.revoked_at = timezone.now()
    token.save()
    _is_error(api.get("/people"), 401)


def test_token_of_an_inactive_user_is_401(personas, api_as):
    api = api_as(personas.committee_admin)
    personas.committee_admin.is_active = False
    personas.committee_admin.save()
    _is_error(api.get("/people"), 401)


def test_bad_token_is_401_even_with_a_session(personas, client, login):
    login(personas.committee_admin)
    response = client.get(f"{API}/people", headers={"Authorization": "Bearer qy_wrong"})
    _is_error(response, 401)


def test_session_gives_access(personas, client, login):
    login(personas.admin_a)
    response = client.get(f"{API}/people")
    assert response.status_code == 200
    assert {p["name"] for p in response.json()["items"]} == {"团员甲", "甲支部人"}


def test_session_of_a_deactivated_user_is_401(personas, client, login):
    login(personas.committee_admin)
    personas.committee_admin.is_active = False
    personas.committee_admin.save()
    _is_error(client.get(f"{API}/people"), 401)


def test_last_used_is_written_at_most_once_a_minute(personas, client, django_assert_num_queries):
    token, raw = ApiToken.issue(user=personas.committee_admin, name="script")
    api = ApiClient(client, raw)
    api.get("/metrics")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    api.get("/metrics")
    token.refresh_from_db()
    assert token.last_used_at == first  # no second write within the minute

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(minutes=2))
    api.get("/metrics")
    token.refresh_from_db()
    assert token.last_used_at > first - dt.timedelta(minutes=1)


def test_token_touch_writes_nothing_within_the_minute(personas, django_assert_num_queries):
    token, _raw = ApiToken.issue(user=personas.member, name="phone")
    now = timezone.now()
    with django_assert_num_queries(1):
        token_touch(token, now=now)
    with django_assert_num_queries(0):
        token_touch(token, now=now + dt.timedelta(seconds=59))
    with django_assert_num_queries(1):
        token_touch(token, now=now + dt.timedelta(seconds=61))


def test_session_needs_csrf_for_unsafe_methods(personas):
    """The session is checked like the pages: a POST without the CSRF token is refused."""
    request = RequestFactory().post(f"{API}/people")
    request.user = personas.committee_admin
    request.COOKIES["sessionid"] = "x"
    with pytest.raises(HttpError) as info:
        BrowserSessionAuth()(request)
    assert info.value.status_code == 403

    safe = RequestFactory().get(f"{API}/people")
    safe.user = personas.committee_admin
    assert BrowserSessionAuth()(safe) == personas.committee_admin


def test_token_needs_no_csrf(personas):
    _token, raw = ApiToken.issue(user=personas.committee_admin, name="script")
    request = RequestFactory().post(f"{API}/people", headers={"Authorization": f"Bearer {raw}"})
    assert TokenAuth()(request) == personas.committee_admin
    assert request.user == personas.committee_admin


def test_revoked_token_raises_authentication_error(personas):
    token, raw = ApiToken.issue(user=personas.committee_admin, name="old")
    token.revoked_at = timezone.now()
    token.save()
    request = RequestFactory().get(f"{API}/people", headers={"Authorization": f"Bearer {raw}"})
    with pytest.raises(AuthenticationError):
        TokenAuth()(request)


def test_anonymous_session_is_not_authenticated(personas):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().post(f"{API}/people")
    request.user = AnonymousUser()
    assert BrowserSessionAuth()(request) is None  # a 401, not a CSRF 403


def test_unknown_method_is_405(personas, api_as):
    response = api_as(personas.committee_admin).post("/people", {"name": "x"})
    assert response.status_code == 405


def test_a_token_is_rate_limited_per_token(personas, client, settings):
    settings.API_TOKEN_RATE_PER_MINUTE = 3
    _token, raw = ApiToken.issue(user=personas.committee_admin, name="busy script")
    _other, other_raw = ApiToken.issue(user=personas.committee_admin, name="another script")
    busy = ApiClient(client, raw)
    for _ in range(3):
        assert busy.get("/people").status_code == 200
    response = busy.get("/people")
    _is_error(response, 429)
    assert "at most 3 a minute" in response.json()["detail"]
    # Another token of the same person has its own allowance.
    assert ApiClient(client, other_raw).get("/people").status_code == 200

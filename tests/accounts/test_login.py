import pytest
from django.urls import reverse

from qingyi.accounts.models import ApiToken
from tests.factories import UserFactory


def test_login_with_employee_number_or_phone(personas, client):
    url = reverse("accounts:login")
    response = client.post(url, {"username": "member", "password": "pass-word-123"})
    assert response.status_code == 302
    client.logout()
    response = client.post(url, {"username": "13800000001", "password": "pass-word-123"})
    assert response.status_code == 302
    client.logout()
    response = client.post(url, {"username": "13800000001", "password": "wrong"})
    assert response.status_code == 200
    assert "wrong" in response.content.decode()


def test_passwords_are_hashed_with_argon2(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = UserFactory(username="hash-me")
    assert user.password.startswith("argon2")


@pytest.mark.django_db
def test_failed_logins_are_throttled(personas, client, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    url = reverse("accounts:login")
    for _ in range(3):
        client.post(url, {"username": "member", "password": "wrong"})
    response = client.post(url, {"username": "member", "password": "pass-word-123"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_profile_token_create_and_revoke(personas, login):
    client = login(personas.member)
    response = client.post(reverse("accounts:token_create"), {"name": "脚本"})
    assert response.status_code == 302
    page = client.get(reverse("accounts:profile")).content.decode()
    token = ApiToken.objects.get(user=personas.member)
    assert token.hint in page
    raw = page.split('id="new-token">')[1].split("<")[0]
    assert ApiToken.find_active(raw) == token
    assert "new-token" not in client.get(reverse("accounts:profile")).content.decode()  # shown once
    client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert ApiToken.find_active(raw) is None


def test_member_asks_for_a_change_from_the_profile(personas, login):
    client = login(personas.member)
    response = client.post(reverse("accounts:change_request_new"), {"phone": "13811112222"})
    assert response.status_code == 302
    assert personas.member_person.change_requests.get().changes == {"phone": "13811112222"}
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "13811112222" in page


@pytest.mark.django_db
@pytest.mark.parametrize(("tried", "then"), [("13800000001", "member"), ("member", "13800000001")])
def test_lockout_counts_per_account_whichever_name_is_typed(personas, client, settings, tried, then):
    """Failures by phone lock the employee number too (and the other way round)."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    url = reverse("accounts:login")
    for _ in range(3):
        client.post(url, {"username": tried, "password": "wrong"})
    response = client.post(url, {"username": then, "password": "pass-word-123"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_lockout_of_one_account_leaves_others_alone(personas, client, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    url = reverse("accounts:login")
    for name in ("13800000001", "member", " member "):
        client.post(url, {"username": name, "password": "wrong"})
    assert client.post(url, {"username": "member", "password": "pass-word-123"}).status_code == 429
    other = UserFactory(username="other-login", phone="13900000009")
    other.set_password("pass-word-123")
    other.save()
    assert client.post(url, {"username": "13900000009", "password": "pass-word-123"}).status_code == 302

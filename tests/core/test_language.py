from django.urls import reverse


def test_chinese_by_default_even_when_the_browser_asks_for_english(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert 'lang="zh-hans"' in response.content.decode()


def test_the_users_choice_wins(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    response = client.get(reverse("accounts:login"))
    assert response["Content-Language"] == "en"
    assert 'lang="en"' in response.content.decode()


def test_an_unknown_language_cookie_falls_back_to_chinese(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert client.get(reverse("accounts:login"))["Content-Language"] == "zh-hans"

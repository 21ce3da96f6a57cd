"""Language: Simplified Chinese unless the user has chosen another language.

Django's LocaleMiddleware also follows the browser's Accept-Language, which would show
English to a nurse whose phone is set to English. Here the choice is the user's own (the
language switch in the footer sets a cookie); without one, LANGUAGE_CODE applies.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

from qingyi.core import scoping


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class ScopeMiddleware:
    """Serve every signed-in (or token-bearing) request inside ``scoping.scoped_request()``:
    a query of organisation data that bypasses the scoping helpers then fails closed
    (core/scoping.py). Anonymous requests (the public forms, capability links) are not marked."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if not (user is not None and user.is_authenticated) and "Authorization" not in request.headers:
            return self.get_response(request)
        with scoping.scoped_request():
            return self.get_response(request)

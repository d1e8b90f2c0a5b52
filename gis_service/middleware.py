"""Vietnamese first: the language a user chose (cookie) or Vietnamese — never the browser's guess.

Provincial offices often run English-language Windows and browsers; the service still speaks
Vietnamese unless someone switches it to English (``/i18n/setlang/``).
"""
from django.conf import settings
from django.utils import translation


class PreferredLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        lang = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or request.GET.get("lang")
        if lang not in self.supported:
            lang = settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        return response

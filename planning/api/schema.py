"""OpenAPI descriptions of the API's authentication.

drf-spectacular extensions, registered on import.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class HeaderAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "planning.api.auth.HeaderAuthentication"
    name = ["basicAuth", "tokenAuth"]

    def get_security_definition(self, auto_schema):
        return [
            {"type": "http", "scheme": "basic"},
            {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": (
                    "`Token <key>` or `Bearer <key>` (rest_framework.authtoken), as for WFS/WMS"
                ),
            },
        ]


class SessionAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "planning.api.auth.CsrfSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "Django session; unsafe methods need the X-CSRFToken header",
        }

"""OpenAPI descriptions of StageCraft's authentication classes (drf-spectacular).

Imported once at start-up (``AccountsConfig.ready``) so the extensions register.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class JWTScheme(OpenApiAuthenticationExtension):
    target_class = "config.api.authentication.JWTAuthentication"
    name = "jwtAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


class APIKeyScheme(OpenApiAuthenticationExtension):
    target_class = "config.api.authentication.APIKeyAuthentication"
    name = "apiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-API-Key",
                "description": "Also accepted as `Authorization: Bearer <key>`."}


class APIKeyAndJWTScheme(OpenApiAuthenticationExtension):
    target_class = "config.api.authentication.APIKeyAndJWTAuthentication"
    name = ["apiKeyAuth", "jwtAuth"]

    def get_security_requirement(self, auto_schema):
        return {"apiKeyAuth": [], "jwtAuth": []}

    def get_security_definition(self, auto_schema):
        return [
            {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
        ]

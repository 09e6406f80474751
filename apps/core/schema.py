"""The OpenAPI schema class (settings.REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"])."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema plus the error responses every operation can give, in the
    one error shape: 401/403 everywhere, 404 where an id is in the path, 400 and 409 for
    writes, 422 where an Idempotency-Key is taken (apps.core.idempotency). An operation's
    own `responses` win (e.g. the token endpoint's 429)."""

    def _get_response_bodies(self, direction="response"):
        from apps.core.api import ErrorSerializer  # not at import: DRF loads this class early

        responses = super()._get_response_bodies(direction)
        codes = {401: "not_authenticated / authentication_failed", 403: "permission_denied"}
        if "{" in self.path:
            codes[404] = "not_found (also outside your scope)"
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes[400] = "invalid input"
            codes[409] = "conflict: the object's state does not allow this"
        if any(getattr(p, "name", "") == "Idempotency-Key" for p in self.get_override_parameters()):
            codes[409] = "conflict, or idempotency_in_progress (a request with the same key)"
            codes[422] = "idempotency_key_reused (the same key with another request)"
        for code, text in codes.items():
            if str(code) not in responses:
                error = OpenApiResponse(ErrorSerializer, description=text)
                responses[str(code)] = self._get_response_for_code(error, str(code))
        return responses


class TokenScheme(OpenApiAuthenticationExtension):
    """The security scheme of our knox authentication (`Authorization: Token <token>`)."""

    target_class = "apps.accounts.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token-based authentication with required prefix "Token"',
        }

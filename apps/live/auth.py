"""Socket authentication for API clients: `Authorization: Token <token>` (the app's device
token, django-rest-knox) in the handshake. Browsers use the session cookie
(`channels.auth.AuthMiddlewareStack`, which runs inside this)."""

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from rest_framework.exceptions import AuthenticationFailed


@database_sync_to_async
def _token_user(token: bytes):
    from apps.accounts.authentication import TokenAuthentication

    try:
        user, _token = TokenAuthentication().authenticate_credentials(token)
    except AuthenticationFailed:
        return None
    return user


class TokenAuthMiddleware(BaseMiddleware):
    """Sets `scope["user"]` from a token header; a wrong token is anonymous (refused), never
    a fallback to the cookie."""

    async def __call__(self, scope, receive, send):
        header = dict(scope.get("headers", [])).get(b"authorization", b"")
        keyword, _, token = header.partition(b" ")
        if keyword.lower() == b"token" and token:
            from django.contrib.auth.models import AnonymousUser

            scope = dict(scope, user=await _token_user(token.strip()) or AnonymousUser())
        return await super().__call__(scope, receive, send)

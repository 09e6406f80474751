"""API token authentication: django-rest-knox's, one query per request."""

from django.utils import timezone
from knox.auth import TokenAuthentication as KnoxTokenAuthentication


class TokenAuthentication(KnoxTokenAuthentication):
    """Knox lists all of the user's tokens on every request to delete the expired ones; that
    is a query per request (lists are held to a constant number). Here only the token used
    is checked and deleted once expired; the device list shows live tokens only."""

    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False

"""The ASGI entry point: the Django app for HTTP and the live hall's websockets
(`apps.live`, Django Channels). Served by uvicorn (`Procfile` `live`/`web`) or, in
development, by daphne's `runserver`."""

import os

from django.core.asgi import get_asgi_application

from config.startup import require_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()
require_secret_key()

from channels.auth import AuthMiddlewareStack  # noqa: E402 - after Django is set up
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from apps.live.auth import TokenAuthMiddleware  # noqa: E402
from apps.live.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # The Origin must be one of ALLOWED_HOSTS (no cross-site socket hijacking); the user
        # comes from the session cookie, or from a device token header (which wins).
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(TokenAuthMiddleware(URLRouter(websocket_urlpatterns)))
        ),
    }
)

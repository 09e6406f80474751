import pytest

from config.settings import live_channel_prefix
from tests.wishes.conftest import category, make_wish  # noqa: F401 - shared fixtures


@pytest.fixture
def live_layer(settings, redis_url):
    """The channel layer on the test Redis (the pub/sub layer the app uses with Redis)."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [redis_url], "prefix": live_channel_prefix(redis_url)},
        }
    }
    return redis_url


@pytest.fixture
def asgi_servers(live_layer, settings):
    """`asgi_servers(n)`: n uvicorn processes serving config.asgi on free loopback ports,
    on the test database and the test Redis (the same channel layer as this process).
    Returns their base URLs; they are stopped after the test. `asgi_servers.stop(url)` and
    `asgi_servers.restart(url)` take one down and bring it back on the same port."""
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    from django.db import connection

    root = Path(__file__).resolve().parents[2]
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": live_layer,
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions the tests make must verify there
        "DEBUG": "1",  # static files from the finders, like `make run`
        "LOG_LEVEL": "WARNING",
        "LIVE_CHANNEL_PREFIX": live_channel_prefix(live_layer),
    }
    procs = {}

    def spawn(port: int) -> str:
        cmd = [sys.executable, "-m", "uvicorn", "config.asgi:application"]
        cmd += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
        procs[port] = subprocess.Popen(cmd, cwd=root, env=env)
        return f"http://127.0.0.1:{port}"

    def ready(url: str) -> None:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/login/", timeout=2).read()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def start(n: int) -> list[str]:
        urls = []
        for _ in range(n):
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                urls.append(spawn(s.getsockname()[1]))
        for url in urls:
            ready(url)
        return urls

    def stop(url: str) -> None:
        proc = procs.pop(int(url.rsplit(":", 1)[1]))
        proc.terminate()
        proc.wait(timeout=10)

    def restart(url: str) -> None:
        ready(spawn(int(url.rsplit(":", 1)[1])))

    start.stop, start.restart = stop, restart
    yield start
    for proc in procs.values():
        proc.terminate()
    for proc in procs.values():
        proc.wait(timeout=10)

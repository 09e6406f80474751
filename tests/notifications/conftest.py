"""Fixtures of the notifications tests: a real HTTP gateway on a loopback port (for the SMS
and WeChat transports) and settings with those channels switched on."""

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Gateway:
    """A real HTTP server in a thread that records every request and answers from a script
    of (status, delay_s) pairs per path (the last one repeats)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.script: list[tuple[int, float]] = [(200, 0)]
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                gateway.requests.append(
                    {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
                )
                seen = sum(r["path"] == self.path for r in gateway.requests)
                status, delay = gateway.script[min(seen, len(gateway.script)) - 1]
                time.sleep(delay)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                with contextlib.suppress(OSError):  # the client timed out and left
                    self.wfile.write(b'{"ok": true}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    server = Gateway()
    yield server
    server.close()


@pytest.fixture
def channels(settings, gateway):
    """SMS and WeChat pointed at the test gateway; short timeout and backoff."""
    conf = dict(settings.TONGXIN)
    conf.update(
        NOTIFY_EMAIL=True,
        NOTIFY_SMS={"URL": gateway.url + "/sms", "KEY": "sms-key", "TEMPLATE_ID": "SMS_1"},
        NOTIFY_WECHAT={"URL": gateway.url + "/wechat", "KEY": "wx-key", "TEMPLATE_ID": "WX_1"},
        NOTIFY_TIMEOUT_S=0.5,
        NOTIFY_MAX_ATTEMPTS=3,
        NOTIFY_BACKOFF_S=10,
    )
    settings.TONGXIN = conf
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return conf


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The world fixture hashes a password per user; these tests never log in by password."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def temporary_event():
    """An event whose title Django's own catalogue translates ("English" / "英语")."""
    from django.utils.translation import gettext_lazy

    from apps.notifications import texts

    events = texts.events()
    events["tests.language"] = {"title": gettext_lazy("English"), "body": "{n}"}
    yield "tests.language"
    events.pop("tests.language")

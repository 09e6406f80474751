"""Channel transports: small classes behind one interface, looked up by kind.

`send(delivery)` returns on success and raises `TransportError`; `permanent=True` means
retrying the same message cannot help (a refused address, a 4xx from the gateway), so the
delivery fails at once instead of being retried into a dead letter.
"""

import logging
import smtplib

import requests
from django.core.mail import send_mail

from apps.core.conf import conf

from .models import Channel, Delivery

log = logging.getLogger(__name__)


class TransportError(Exception):
    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class Transport:
    kind: str = ""

    @classmethod
    def enabled(cls) -> bool:
        return False

    @staticmethod
    def address(user, preference) -> str:
        """Where this channel reaches `user` ("" when it cannot)."""
        raise NotImplementedError

    def send(self, delivery: Delivery) -> None:
        raise NotImplementedError


class Email(Transport):
    kind = Channel.EMAIL

    @classmethod
    def enabled(cls) -> bool:
        return bool(conf("NOTIFY_EMAIL"))

    @staticmethod
    def address(user, preference) -> str:
        return user.email or ""

    def send(self, delivery: Delivery) -> None:
        try:
            send_mail(delivery.title, delivery.body, None, [delivery.address])
        except smtplib.SMTPRecipientsRefused as exc:
            raise TransportError(f"recipient refused: {exc}", permanent=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc


class HttpTransport(Transport):
    """A JSON-over-HTTP gateway configured by settings: URL, KEY, TEMPLATE_ID."""

    setting = ""

    @classmethod
    def config(cls) -> dict:
        return conf(cls.setting)

    @classmethod
    def enabled(cls) -> bool:
        return bool(cls.config()["URL"])

    def payload(self, delivery: Delivery, template_id: str) -> dict:
        raise NotImplementedError

    def send(self, delivery: Delivery) -> None:
        self.post(self.payload(delivery, self.config()["TEMPLATE_ID"]))

    def post(self, payload: dict) -> None:
        config = self.config()
        try:
            response = requests.post(
                config["URL"],
                json=payload,
                headers={"Authorization": f"Bearer {config['KEY']}"},
                timeout=conf("NOTIFY_TIMEOUT_S"),
            )
        except requests.RequestException as exc:  # timeouts, refused connections
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code < 300:
            return
        message = f"HTTP {response.status_code}: {response.text[:200]}"
        # 429 and 5xx are the gateway's trouble and may pass; other 4xx are ours and won't.
        retryable = response.status_code == 429 or response.status_code >= 500
        raise TransportError(message, permanent=not retryable)


class Sms(HttpTransport):
    kind = Channel.SMS
    setting = "NOTIFY_SMS"

    @staticmethod
    def address(user, preference) -> str:
        return user.phone or ""

    def payload(self, delivery: Delivery, template_id: str) -> dict:
        return self.text_payload(delivery.address, delivery.body, template_id)

    @staticmethod
    def text_payload(phone: str, text: str, template_id: str) -> dict:
        return {"phone": phone, "template_id": template_id, "text": text}


# Texts "sent" without a gateway in development and tests (NOTIFY_SMS_DEV): (phone, text).
SMS_DEV_OUTBOX: list[tuple[str, str]] = []


def sms_text_available() -> bool:
    return Sms.enabled() or bool(conf("NOTIFY_SMS_DEV"))


def sms_text_send(phone: str, text: str) -> None:
    """One text straight through the SMS gateway (a login code): no outbox, no inbox, and
    not held for quiet hours, since someone is waiting for it. Raises TransportError."""
    if Sms.enabled():
        Sms().post(Sms.text_payload(phone, text, Sms.config()["TEMPLATE_ID"]))
    elif conf("NOTIFY_SMS_DEV"):
        SMS_DEV_OUTBOX.append((phone, text))
        log.warning("SMS (development, not sent) to %s: %s", phone, text)
    else:
        raise TransportError("no SMS gateway configured (NOTIFY_SMS_URL)", permanent=True)


class WeChat(HttpTransport):
    """WeChat official-account template message (through the gateway's access token)."""

    kind = Channel.WECHAT
    setting = "NOTIFY_WECHAT"

    @staticmethod
    def address(user, preference) -> str:
        return preference.wechat_openid if preference else ""

    def payload(self, delivery: Delivery, template_id: str) -> dict:
        return {
            "touser": delivery.address,
            "template_id": template_id,
            "data": {"title": {"value": delivery.title}, "body": {"value": delivery.body}},
        }


TRANSPORTS: dict[str, type[Transport]] = {t.kind: t for t in (Email, Sms, WeChat)}


def transport(kind: str) -> Transport:
    return TRANSPORTS[kind]()


def enabled_kinds() -> list[str]:
    return [kind for kind, cls in TRANSPORTS.items() if cls.enabled()]

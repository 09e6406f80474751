"""Logging in: one authentication path for the API token and the login page, throttled per
account and per client address.

Failures are counted in the cache (Redis when REDIS_URL is set, so every process shares
the count) in a window that starts at the first failure. Once either count reaches
`conf("LOGIN_FAILURES_PER_MINUTE")`, every attempt for that account or from that address
is refused with 429 until the window ends, even with the right password: otherwise the
throttle would only slow a guesser down.
"""

from django.contrib.auth import authenticate
from django.core.cache import cache
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.conf import conf
from apps.core.errors import InvalidInput, TooManyRequests

from .models import DeviceToken, User

WINDOW_SECONDS = 60


def _limit() -> int:
    return conf("LOGIN_FAILURES_PER_MINUTE")


def _keys(identifier: str, address: str | None) -> list[str]:
    """Cache keys for the account (by user id when it exists, so that username and phone
    share one count) and for the client address."""
    identifier = (identifier or "").strip().lower()
    user_id = (
        User.objects.filter(Q(username__iexact=identifier) | Q(phone=identifier))
        .values_list("pk", flat=True)
        .first()
    )
    account = f"user:{user_id}" if user_id else f"name:{identifier[:150]}"
    keys = [f"login-fail:{account}"]
    if address:
        keys.append(f"login-fail:addr:{address}")
    return keys


def client_address(request) -> str | None:
    if request is None:
        return None
    return request.META.get(conf("CLIENT_IP_HEADER")) or request.META.get("REMOTE_ADDR")


def login_throttle_check(*, identifier: str, address: str | None) -> None:
    keys = _keys(identifier, address)
    counts = cache.get_many(keys)
    if any(count >= _limit() for count in counts.values()):
        raise TooManyRequests(_("登录失败次数过多，请一分钟后再试。"), code="login_throttled")


def login_failure_record(*, identifier: str, address: str | None) -> None:
    for key in _keys(identifier, address):
        cache.add(key, 0, WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, WINDOW_SECONDS)


def user_authenticate(*, request, identifier: str, password: str) -> User:
    """The user for these credentials, or an error that never says which part was wrong."""
    address = client_address(request)
    login_throttle_check(identifier=identifier, address=address)
    user = authenticate(request, username=identifier, password=password)
    if user is None:
        login_failure_record(identifier=identifier, address=address)
        raise InvalidInput(_("用户名/手机号或密码不正确。"), code="invalid_credentials")
    return user


def token_obtain(*, request, identifier: str, password: str, device: str = "") -> str:
    """A new token for this device (the previous ones stay valid until they expire or are
    revoked); returns the token itself, which only its digest is stored for."""
    user = user_authenticate(request=request, identifier=identifier, password=password)
    _instance, token = DeviceToken.objects.create(user, name=(device or "").strip()[:64])
    return token


def token_revoke(*, token: DeviceToken) -> None:
    """End one device's session (logout, or revoking it from the list of devices)."""
    DeviceToken.objects.filter(pk=token.pk).delete()

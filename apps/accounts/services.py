"""Logging in: one authentication path for the API token and the login page, throttled per
account and per client address.

Attempts are counted in the cache (Redis when REDIS_URL is set, so every process shares
the count) in a window that starts at the first attempt; an attempt is counted atomically
before its password is checked, and given back when the login succeeds, so the count is
the failures (and the guesses in flight). Once either count reaches
`conf("LOGIN_FAILURES_PER_MINUTE")`, every attempt for that account or from that address
is refused with 429 until the window ends, even with the right password: otherwise the
throttle would only slow a guesser down. Username, its case variants and the phone number
are one account (one count, by user id).
"""

import logging
import secrets
from collections.abc import Callable
from datetime import timedelta

from django.contrib.auth import authenticate, password_validation
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.conf import conf
from apps.core.errors import (
    AppError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyRequests,
)
from apps.core.validators import invalid, validate_phone

from .models import DeviceToken, PhoneCode, Role, RoleAssignment, User
from .scoping import ROLE_RANK, role_rank_over

WINDOW_SECONDS = 60

log = logging.getLogger(__name__)


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


def _count(key: str, delta: int, window: int = WINDOW_SECONDS) -> int:
    """Add `delta` to a count in the cache atomically (Redis INCR/DECRBY when REDIS_URL is
    set); a count's window starts with its first attempt."""
    cache.add(key, 0, window)
    try:
        return cache.incr(key, delta)
    except ValueError:  # expired between add and incr: a new window
        cache.add(key, max(delta, 0), window)
        return max(delta, 0)


def login_attempt_reserve(*, identifier: str, address: str | None) -> list[str]:
    """Count this attempt before the password is checked, and refuse it if the account or
    the address is over the limit. Reading the counts and counting a failure afterwards let
    parallel guesses all pass the check (30 guesses, 12 checked): an atomic increment first
    means exactly `limit` attempts per window get as far as the password."""
    keys = _keys(identifier, address)
    counts = [_count(key, 1) for key in keys]
    if any(count > _limit() for count in counts):
        raise TooManyRequests(_("登录失败次数过多，请一分钟后再试。"), code="login_throttled")
    return keys


def login_attempt_release(keys: list[str]) -> None:
    """A successful login does not use up an attempt."""
    for key in keys:
        _count(key, -1)


def user_authenticate(*, request, identifier: str, password: str) -> User:
    """The user for these credentials, or an error that never says which part was wrong."""
    keys = login_attempt_reserve(identifier=identifier, address=client_address(request))
    user = authenticate(request, username=identifier, password=password)
    if user is None:
        raise InvalidInput(_("用户名/手机号或密码不正确。"), code="invalid_credentials")
    login_attempt_release(keys)
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


# --- login and 忘记密码 by SMS code ----------------------------------------------------------
#
# Asking for a code answers the same whether or not the phone has an account (and does the
# same work: a row is written either way), but only an account's phone is sent a text.
# Asking is limited per phone and per client address (`SMS_CODE_*_LIMITS`, counted in the
# cache like failed logins); trying a code goes through the login throttle and each code
# allows `SMS_CODE_MAX_ATTEMPTS` tries. Codes live `SMS_CODE_TTL_S` seconds and are used once.
#
# The SMS channel belongs to apps.notifications, which sits above accounts: it registers its
# sender here when it is ready.

_sms = {"send": None, "available": None}


def sms_sender_register(*, send: Callable[[str, str], None], available: Callable[[], bool]) -> None:
    _sms["send"], _sms["available"] = send, available


def sms_login_available() -> bool:
    return _sms["available"] is not None and _sms["available"]()


def _digest(kind: str, value: str) -> str:
    return salted_hmac(f"tongxin.phone-code.{kind}", value, algorithm="sha256").hexdigest()


def _phone_clean(phone: str) -> str:
    phone = (phone or "").strip()
    try:
        validate_phone(phone)
    except ValidationError as exc:
        raise invalid("phone", exc.messages[0], "invalid_phone") from None
    return phone


def _sms_limit(scope: str, value: str, limits) -> None:
    for count, seconds in limits:
        if _count(f"sms-code:{scope}:{seconds}:{value}", 1, seconds) > count:
            raise TooManyRequests(_("获取验证码太频繁，请稍后再试。"), code="sms_code_throttled")


def phone_code_request(*, phone: str, purpose: str, address: str | None) -> None:
    """Make a code for `phone` and queue its text, which is sent only if the phone belongs
    to an active account. Raises only for a malformed phone or a limit, never for an
    unknown phone."""
    if purpose not in PhoneCode.Purpose.values:
        raise invalid("purpose", _("用途无效。"), "invalid_purpose")
    phone = _phone_clean(phone)
    if not sms_login_available():
        raise AppError(_("短信验证码暂未开通，请用密码登录。"), code="sms_unavailable")
    if address:
        _sms_limit("addr", address, conf("SMS_CODE_ADDRESS_LIMITS"))
    phone_digest = _digest("phone", phone)
    _sms_limit("phone", phone_digest, conf("SMS_CODE_PHONE_LIMITS"))
    user = User.objects.filter(phone=phone, is_active=True).first()
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        # A new code replaces the phone's earlier ones for the same purpose.
        PhoneCode.objects.filter(phone_digest=phone_digest, purpose=purpose).delete()
        row = PhoneCode.objects.create(
            phone_digest=phone_digest,
            purpose=purpose,
            code_digest=_digest("code", f"{phone_digest}:{code}"),
            user=user,
            expires_at=timezone.now() + timedelta(seconds=conf("SMS_CODE_TTL_S")),
        )
        # Queued for an unknown phone too (the task sends nothing then): publishing to the
        # broker costs milliseconds that would otherwise tell the phones apart.
        transaction.on_commit(lambda: _phone_code_queue(row.pk, code))


def _phone_code_queue(code_id: int, code: str) -> None:
    from .tasks import phone_code_send

    try:
        phone_code_send.delay(code_id, code)
    except Exception:  # broker down: the user asks again in a minute
        log.exception("accounts: could not queue SMS code %s", code_id)


def phone_code_send(*, code_id: int, code: str) -> bool:
    """Text a code once (a second delivery of the task sends nothing), if its phone is an
    account's."""
    if not PhoneCode.objects.filter(pk=code_id, sent_at__isnull=True).update(
        sent_at=timezone.now()
    ):
        return False
    row = PhoneCode.objects.select_related("user").filter(pk=code_id).first()
    if row is None or row.user is None:  # replaced meanwhile, or no account: send nothing
        return False
    minutes = max(1, conf("SMS_CODE_TTL_S") // 60)
    text = gettext(
        "【同心】验证码 %(code)s，%(minutes)s 分钟内有效，用于%(purpose)s。请勿告诉他人。"
    )
    text %= {"code": code, "minutes": minutes, "purpose": row.get_purpose_display()}
    _sms["send"](row.user.phone, text)
    return True


def phone_codes_cleanup(*, now=None) -> int:
    """Delete codes that ended more than an hour ago (used or not): the rows of unknown
    phones would otherwise pile up. Hourly, from beat."""
    cutoff = (now or timezone.now()) - timedelta(hours=1)
    deleted, _by_model = PhoneCode.objects.filter(expires_at__lt=cutoff).delete()
    return deleted


def _phone_code_check(*, phone: str, code: str, purpose: str) -> tuple[int, User]:
    """The live code row and its account if `code` is right, taking one of its tries; the
    same error for an unknown phone as for a wrong code. Not in a transaction: a wrong
    guess must keep the try it took."""
    phone_digest = _digest("phone", phone)
    row = (
        PhoneCode.objects.filter(
            phone_digest=phone_digest,
            purpose=purpose,
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("user")
        .order_by("-pk")
        .first()
    )
    if row is None:
        raise InvalidInput(_("验证码已失效，请重新获取。"), code="code_expired")
    # Take a try before comparing: parallel guesses each need one of the code's tries.
    took = PhoneCode.objects.filter(
        pk=row.pk, used_at__isnull=True, attempts__lt=conf("SMS_CODE_MAX_ATTEMPTS")
    ).update(attempts=F("attempts") + 1)
    if not took:
        if PhoneCode.objects.filter(pk=row.pk, used_at__isnull=False).exists():
            raise InvalidInput(_("验证码已失效，请重新获取。"), code="code_expired")
        raise InvalidInput(_("验证码错误次数过多，请重新获取。"), code="code_attempts_exceeded")
    given = _digest("code", f"{phone_digest}:{(code or '').strip()}")
    right = constant_time_compare(given, row.code_digest)
    if not right or row.user is None or not row.user.is_active:
        raise InvalidInput(_("验证码不正确。"), code="invalid_code")
    return row.pk, row.user


def _phone_code_consume(code_id: int) -> None:
    """Use the code up. Of two requests with the right code, one sets `used_at` and the
    other finds it set (the conditional UPDATE waits for the first to commit)."""
    if not PhoneCode.objects.filter(pk=code_id, used_at__isnull=True).update(
        used_at=timezone.now()
    ):
        raise InvalidInput(_("验证码已失效，请重新获取。"), code="code_expired")


def phone_code_login(*, request, phone: str, code: str) -> User:
    """The user who holds `phone` and was texted `code` (for the login page and the API).
    Tries count against the login throttle like passwords do."""
    phone = _phone_clean(phone)
    keys = login_attempt_reserve(identifier=phone, address=client_address(request))
    code_id, user = _phone_code_check(phone=phone, code=code, purpose=PhoneCode.Purpose.LOGIN)
    _phone_code_consume(code_id)
    login_attempt_release(keys)
    return user


def phone_code_token_obtain(*, request, phone: str, code: str, device: str = "") -> str:
    user = phone_code_login(request=request, phone=phone, code=code)
    _instance, token = DeviceToken.objects.create(user, name=(device or "").strip()[:64])
    return token


def _password_check(password: str, user: User | None = None) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise invalid("new_password", " ".join(exc.messages), "weak_password") from None


def password_reset_by_code(*, request, phone: str, code: str, new_password: str) -> User:
    """忘记密码: set a new password with a code texted to the account's phone. Every other
    session ends (Django checks the password hash in each session) and every API token of
    the account is revoked."""
    phone = _phone_clean(phone)
    # A weak password is refused before the code is looked at, so it costs no try; the
    # checks against the account's own name only once the code has shown whose it is.
    _password_check(new_password)
    keys = login_attempt_reserve(identifier=phone, address=client_address(request))
    code_id, user = _phone_code_check(phone=phone, code=code, purpose=PhoneCode.Purpose.RESET)
    _password_check(new_password, user)
    with transaction.atomic():
        _phone_code_consume(code_id)
        user.set_password(new_password)
        user.save(update_fields=["password"])
        DeviceToken.objects.filter(user=user).delete()
        PhoneCode.objects.filter(user=user, used_at__isnull=True).delete()
    login_attempt_release(keys)
    return user


# --- role administration -------------------------------------------------------------------
#
# Administrators and secretaries grant and revoke roles within their own subtree: at a node
# at or under one where they hold one of those roles, and only roles of at most that role's
# rank (`scoping.ROLE_RANK`). A node they do not administer is "not found", whoever asks.
# Jurors are seated by the review-session services and group leaders follow the groups, but
# a group leader role may be granted here too (its scope is the groups the user leads).


def _check_role_admin(actor, role: str, *, area, party_org) -> None:
    rank = role_rank_over(actor, area=area, party_org=party_org)
    if rank == 0:
        raise NotFound(_("找不到该节点。"), code="node_not_found")
    if role not in ROLE_RANK:
        raise InvalidInput(
            _("评审角色随评审会的评委设置授予，不能在此授予或撤销。"), code="role_not_grantable"
        )
    if ROLE_RANK[role] > rank:
        raise Forbidden(_("不能授予或撤销高于本人的角色。"), code="role_above_own")


def role_grant(*, actor, user: User, role: str, area=None, party_org=None) -> RoleAssignment:
    """Grant `role` at one node (an area or a Party organisation) to `user`."""
    if role not in Role.values:
        raise invalid("role", _("角色无效。"), "invalid_role")
    if (area is None) == (party_org is None):
        raise InvalidInput(_("请选择一个区域或党组织节点。"), code="node_required")
    _check_role_admin(actor, role, area=area, party_org=party_org)
    held = Conflict(_("该用户已在此节点担任该角色。"), code="role_already_held")
    try:
        with transaction.atomic():
            # The unique constraint does not stop a second (role, area, NULL) row (NULLs are
            # distinct): check under a lock on the user's row.
            User.objects.select_for_update().filter(pk=user.pk).first()
            node = {"area": area, "party_org": party_org}
            if RoleAssignment.objects.filter(user=user, role=role, **node).exists():
                raise held
            return RoleAssignment.objects.create(user=user, role=role, **node)
    except IntegrityError:
        raise held from None


def role_revoke(*, actor, assignment: RoleAssignment) -> None:
    """Revoke one role assignment (the caller found it through `scoped(actor, ...)`)."""
    _check_role_admin(actor, assignment.role, area=assignment.area, party_org=assignment.party_org)
    RoleAssignment.objects.filter(pk=assignment.pk).delete()


# --- the user's own settings ---------------------------------------------------------------


def user_set_elder_mode(*, user: User, on: bool) -> None:
    """长辈模式 on or off for the login (larger type, simpler pages on every device)."""
    User.objects.filter(pk=user.pk).update(elder_mode=on)
    user.elder_mode = on

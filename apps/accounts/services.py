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

from django.contrib.auth import authenticate
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.conf import conf
from apps.core.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyRequests
from apps.core.validators import invalid

from .models import DeviceToken, Role, RoleAssignment, User
from .scoping import ROLE_RANK, role_rank_over

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


def _count(key: str, delta: int) -> int:
    """Add `delta` to a count in the cache atomically (Redis INCR/DECRBY when REDIS_URL is
    set); a count's window starts with its first attempt."""
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        return cache.incr(key, delta)
    except ValueError:  # expired between add and incr: a new window
        cache.add(key, max(delta, 0), WINDOW_SECONDS)
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

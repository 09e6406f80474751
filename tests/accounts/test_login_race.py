"""Finding 9 (issue 13): 30 parallel wrong guesses against one account — by username, its
case variants and the phone number — get exactly `LOGIN_FAILURES_PER_MINUTE` (5) password
checks; the rest are refused before the password is looked at."""

import threading

import pytest
from django.db import connection

from apps.accounts import services as accounts
from apps.core.errors import AppError

pytestmark = pytest.mark.services


def test_thirty_parallel_wrong_guesses_evaluate_exactly_five(
    services, redis_url, world, settings, monkeypatch
):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    from django.core.cache import cache

    cache.clear()
    member = world.user("member")
    member.phone = "13800138000"
    member.save()
    identifiers = ["member", "MEMBER", "Member", " member ", "13800138000"] * 6

    evaluated, lock = [], threading.Lock()
    real = accounts.authenticate

    def counting(*args, **kwargs):
        with lock:
            evaluated.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(accounts, "authenticate", counting)
    barrier = threading.Barrier(len(identifiers))
    outcomes, out_lock = [], threading.Lock()

    def guess(identifier):
        try:
            barrier.wait(timeout=30)
            try:
                accounts.user_authenticate(request=None, identifier=identifier, password="wrong")
                outcome = "ok"
            except AppError as exc:
                outcome = exc.code
            except Exception as exc:  # noqa: BLE001 - show crashes, do not hang
                outcome = f"crash: {exc!r}"
            with out_lock:
                outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(i,)) for i in identifiers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    cache.clear()
    assert len(evaluated) == 5, outcomes
    assert sorted(set(outcomes)) == ["invalid_credentials", "login_throttled"]
    assert outcomes.count("invalid_credentials") == 5

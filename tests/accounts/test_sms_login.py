"""Login and 忘记密码 by SMS code: codes are texted through the SMS channel (its development
outbox here), stored only as digests, expire, are used once, allow five tries, are rate
limited per phone and per address, and the answers never tell whether a phone has an account."""

import re
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts import services as accounts
from apps.accounts.models import DeviceToken, PhoneCode
from apps.core.errors import AppError
from apps.notifications import transports

PHONE = "13900000011"
UNKNOWN = "13900000099"


@pytest.fixture(autouse=True)
def sms_dev(settings):
    settings.TONGXIN = {
        **settings.TONGXIN,
        "NOTIFY_SMS_DEV": True,
        "NOTIFY_SMS": {"URL": "", "KEY": "", "TEMPLATE_ID": ""},
        "LOGIN_FAILURES_PER_MINUTE": 50,
    }
    transports.SMS_DEV_OUTBOX.clear()
    yield transports.SMS_DEV_OUTBOX
    transports.SMS_DEV_OUTBOX.clear()


@pytest.fixture
def resident(world):
    user = world.user("resident")
    user.phone = PHONE
    user.save()
    return user


@pytest.fixture
def ask(api, django_capture_on_commit_callbacks):
    """POST for a code (running the commit hooks, as a real request would) → response."""

    def ask(phone=PHONE, purpose="login", ip="10.0.0.1"):
        with django_capture_on_commit_callbacks(execute=True):
            return api.post(
                "/api/auth/sms-code/", {"phone": phone, "purpose": purpose}, REMOTE_ADDR=ip
            )

    return ask


def last_code(outbox, phone=PHONE) -> str:
    sent_to, text = outbox[-1]
    assert sent_to == phone
    return re.search(r"验证码 (\d{6})", text).group(1)


def sms_login(api, code, phone=PHONE):
    return api.post("/api/auth/sms-login/", {"phone": phone, "code": code, "device": "手机"})


def test_code_is_texted_and_logs_in_once_with_a_token(resident, api, ask, sms_dev):
    response = ask()
    assert response.status_code == 202
    assert response.json()["expires_in"] == 300
    code = last_code(sms_dev)
    first = sms_login(api, code)
    assert first.status_code == 200
    token = first.json()["token"]
    me = api.get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.json()["username"] == "resident"
    again = sms_login(api, code)
    assert (again.status_code, again.json()["code"]) == (400, "code_expired")
    assert DeviceToken.objects.filter(user=resident).count() == 1


def test_code_and_phone_are_stored_only_as_digests(resident, ask, sms_dev):
    ask()
    code = last_code(sms_dev)
    row = PhoneCode.objects.get()
    stored = " ".join(str(v) for v in PhoneCode.objects.values_list().get())
    assert code not in stored and PHONE not in stored
    assert row.user == resident and row.sent_at is not None


def test_expired_code_is_refused(resident, api, ask, sms_dev):
    ask()
    PhoneCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = sms_login(api, last_code(sms_dev))
    assert (response.status_code, response.json()["code"]) == (400, "code_expired")


def test_five_wrong_tries_use_up_the_code_even_for_the_right_one(resident, api, ask, sms_dev):
    ask()
    code = last_code(sms_dev)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    codes = [sms_login(api, wrong).json()["code"] for _ in range(5)]
    assert codes == ["invalid_code"] * 5
    response = sms_login(api, code)
    assert (response.status_code, response.json()["code"]) == (400, "code_attempts_exceeded")
    assert not DeviceToken.objects.filter(user=resident).exists()


def test_wrong_codes_also_count_against_the_login_throttle(resident, api, ask, settings):
    settings.TONGXIN = {**settings.TONGXIN, "LOGIN_FAILURES_PER_MINUTE": 3}
    ask()
    codes = [sms_login(api, "000000").json()["code"] for _ in range(4)]
    assert codes[-1] == "login_throttled"


def test_unknown_phone_gets_the_same_answer_and_work_but_no_text(resident, ask, sms_dev):
    with CaptureQueriesContext(connection) as known_queries:
        known = ask(PHONE, ip="10.0.0.1")
    with CaptureQueriesContext(connection) as unknown_queries:
        unknown = ask(UNKNOWN, ip="10.0.0.2")
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert [phone for phone, _text in sms_dev] == [PHONE]
    # The same statements (literals aside), the queued send included.
    known_sql = [_shape(q["sql"]) for q in known_queries.captured_queries]
    unknown_sql = [_shape(q["sql"]) for q in unknown_queries.captured_queries]
    assert unknown_sql == known_sql
    assert any("sent_at" in q for q in unknown_sql)
    assert PhoneCode.objects.filter(user=None).count() == 1


def _shape(sql: str) -> str:
    return re.sub(r"'[^']*'|\d+|NULL", "?", sql)


def test_unknown_phone_login_fails_like_a_wrong_code(resident, api, ask):
    ask(UNKNOWN)
    response = sms_login(api, "123456", phone=UNKNOWN)
    assert (response.status_code, response.json()["code"]) == (400, "invalid_code")


def test_asking_again_within_a_minute_is_throttled_for_known_and_unknown_phones(resident, ask):
    for phone in (PHONE, UNKNOWN):
        assert ask(phone).status_code == 202
        second = ask(phone, ip="10.9.9.9")
        assert (second.status_code, second.json()["code"]) == (429, "sms_code_throttled")


def test_six_phones_from_one_address_within_a_minute_are_throttled(world, ask):
    statuses = [ask(f"1390000010{i}", ip="10.0.0.7").status_code for i in range(6)]
    assert statuses == [202] * 5 + [429]


def test_hourly_limit_per_phone(resident, ask, settings):
    settings.TONGXIN = {**settings.TONGXIN, "SMS_CODE_PHONE_LIMITS": ((5, 3600),)}
    statuses = [ask(ip=f"10.0.1.{i}").status_code for i in range(6)]
    assert statuses == [202] * 5 + [429]


def test_a_new_code_replaces_the_previous_one(resident, api, ask, sms_dev, settings):
    settings.TONGXIN = {**settings.TONGXIN, "SMS_CODE_PHONE_LIMITS": ((5, 3600),)}
    ask()
    old = last_code(sms_dev)
    ask()
    new = last_code(sms_dev)
    if old != new:
        assert sms_login(api, old).json()["code"] == "invalid_code"
    assert sms_login(api, new).status_code == 200


def test_malformed_phone_and_missing_gateway_have_stable_codes(world, ask, settings):
    response = ask("12345")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_phone")
    settings.TONGXIN = {**settings.TONGXIN, "NOTIFY_SMS_DEV": False}
    response = ask(PHONE)
    assert (response.status_code, response.json()["code"]) == (400, "sms_unavailable")


def test_gateway_gets_the_code_when_configured(resident, ask, settings, monkeypatch):
    settings.TONGXIN = {
        **settings.TONGXIN,
        "NOTIFY_SMS": {"URL": "https://sms.example/send", "KEY": "k", "TEMPLATE_ID": "T1"},
    }
    posted = []

    class Ok:
        status_code = 200
        text = ""

    monkeypatch.setattr(
        transports.requests, "post", lambda url, json, **kw: posted.append(json) or Ok()
    )
    ask()
    assert posted[0]["phone"] == PHONE and posted[0]["template_id"] == "T1"
    assert re.search(r"验证码 \d{6}", posted[0]["text"])


def test_reset_sets_the_password_and_signs_out_everywhere(
    resident, api, ask, sms_dev, client, django_capture_on_commit_callbacks
):
    other = api.__class__()
    other_token = other.post(
        "/api/auth/token/", {"username": "resident", "password": "pass-1234"}
    ).json()["token"]
    client.force_login(resident)
    assert client.get("/").status_code == 200
    ask(purpose="reset")
    code = last_code(sms_dev)
    weak = api.post(
        "/api/auth/password-reset/", {"phone": PHONE, "code": code, "new_password": "123"}
    )
    assert (weak.status_code, weak.json()["code"]) == (400, "weak_password")
    assert PhoneCode.objects.get().attempts == 0  # a weak password costs no try
    login_code = api.post(
        "/api/auth/password-reset/",
        {"phone": PHONE, "code": code, "new_password": "Xin-mima-2026"},
    )
    assert login_code.status_code == 204
    resident.refresh_from_db()
    assert resident.check_password("Xin-mima-2026")
    assert not DeviceToken.objects.filter(user=resident).exists()
    me = other.get("/api/me/", HTTP_AUTHORIZATION=f"Token {other_token}")
    assert me.status_code == 401
    assert client.get("/").status_code == 302  # the old session ended


def test_a_login_code_does_not_reset_the_password(resident, api, ask, sms_dev):
    ask(purpose="login")
    response = api.post(
        "/api/auth/password-reset/",
        {"phone": PHONE, "code": last_code(sms_dev), "new_password": "Xin-mima-2026"},
    )
    assert (response.status_code, response.json()["code"]) == (400, "code_expired")


def test_login_page_by_sms_code(resident, client, sms_dev, django_capture_on_commit_callbacks):
    login_page = client.get("/login/").content.decode()
    assert "短信验证码登录" in login_page and "忘记密码" in login_page
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/login/sms/", {"phone": PHONE, "action": "send"})
    assert "验证码已发出" in sent.content.decode()
    wrong = client.post("/login/sms/", {"phone": PHONE, "code": "x", "action": "login"})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    ok = client.post("/login/sms/", {"phone": PHONE, "code": last_code(sms_dev)})
    assert ok.status_code == 302
    assert client.get("/").status_code == 200


def test_password_reset_page(resident, client, sms_dev, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/password/reset/", {"phone": UNKNOWN, "action": "send"})
        sent = client.post("/password/reset/", {"phone": PHONE, "action": "send"})
    assert sent.status_code == 200 and len(sms_dev) == 1
    code = last_code(sms_dev)
    mismatch = client.post(
        "/password/reset/",
        {"phone": PHONE, "code": code, "new_password": "Xin-mima-2026", "new_password2": "x"},
    )
    assert "两次输入的新密码不一致" in mismatch.content.decode()
    done = client.post(
        "/password/reset/",
        {
            "phone": PHONE,
            "code": code,
            "new_password": "Xin-mima-2026",
            "new_password2": "Xin-mima-2026",
        },
    )
    assert done.status_code == 302
    resident.refresh_from_db()
    assert resident.check_password("Xin-mima-2026")


def race(n: int, attempt, success: str = "ok") -> list[str]:
    """`attempt()` in n threads released at once by a barrier, each on its own database
    connection: the outcome of each, `success` if it returned or the `AppError`'s code."""
    barrier = threading.Barrier(n)
    outcomes, lock = [], threading.Lock()

    def run():
        try:
            barrier.wait(timeout=30)
            try:
                attempt()
                outcome = success
            except AppError as exc:
                outcome = exc.code
            with lock:
                outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


@pytest.mark.services
def test_two_simultaneous_uses_of_one_code_log_in_once(services, resident, sms_dev, settings):
    settings.TONGXIN = {**settings.TONGXIN, "LOGIN_FAILURES_PER_MINUTE": 50}
    accounts.phone_code_request(phone=PHONE, purpose="login", address="10.0.0.1")
    code = last_code(sms_dev)
    outcomes = race(
        4, lambda: accounts.phone_code_token_obtain(request=None, phone=PHONE, code=code), "token"
    )
    assert sorted(outcomes) == ["code_expired"] * 3 + ["token"]
    assert DeviceToken.objects.filter(user=resident).count() == 1


@pytest.mark.services
def test_parallel_guesses_get_at_most_five_comparisons(services, resident, sms_dev):
    accounts.phone_code_request(phone=PHONE, purpose="login", address="10.0.0.1")
    code = last_code(sms_dev)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    outcomes = race(12, lambda: accounts.phone_code_login(request=None, phone=PHONE, code=wrong))
    assert outcomes.count("invalid_code") == 5
    assert outcomes.count("code_attempts_exceeded") == 7
    assert PhoneCode.objects.get().attempts == 5


def test_cleanup_deletes_codes_ended_over_an_hour_ago(resident, ask):
    ask(PHONE)
    ask(UNKNOWN, ip="10.0.0.2")
    assert accounts.phone_codes_cleanup() == 0
    later = timezone.now() + timedelta(minutes=66)
    assert accounts.phone_codes_cleanup(now=later) == 2
    assert not PhoneCode.objects.exists()

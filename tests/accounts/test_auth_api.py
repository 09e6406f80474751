import pytest

from apps.accounts.models import DeviceToken as Token

URL = "/api/auth/token/"


def _login(api, username, password="pass-1234", address="10.0.0.1"):
    return api.post(URL, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_token_by_username_then_authenticates(world, api):
    response = _login(api, "gridworker")
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/me/").json()["username"] == "gridworker"


def test_token_by_phone(world, api):
    user = world.user("member")
    user.phone = "13800138000"
    user.save()
    response = _login(api, "13800138000")
    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get("/api/me/").json()["username"] == user.username


@pytest.mark.parametrize("username,password", [("gridworker", "wrong"), ("ghost", "pass-1234")])
def test_wrong_password_and_unknown_user_look_the_same(world, api, username, password):
    response = _login(api, username, password)
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_credentials",
        "detail": "用户名/手机号或密码不正确。",
    }
    assert not Token.objects.exists()


def test_inactive_user_gets_no_token(world, api):
    user = world.user("member")
    user.is_active = False
    user.save()
    assert _login(api, "member").json()["code"] == "invalid_credentials"


@pytest.mark.parametrize(
    "body,content_type",
    [
        ("{not json", "application/json"),
        ('{"username": ["x"], "password": 5}', "application/json"),
        ('{"username": "member"}', "application/json"),
        ("", "application/json"),
    ],
)
def test_malformed_login_bodies_are_400_with_a_code(world, api, body, content_type):
    response = api.post(URL, body, content_type=content_type)
    assert response.status_code == 400
    assert response.json()["code"] in {"parse_error", "invalid"}


def test_five_failures_for_an_account_throttle_it_even_from_other_addresses(world, api):
    for i in range(5):
        assert _login(api, "gridworker", "bad", address=f"10.0.0.{i}").status_code == 400
    response = _login(api, "gridworker", address="10.9.9.9")  # right password, too late
    assert response.status_code == 429
    assert response.json()["code"] == "login_throttled"
    assert not Token.objects.exists()
    # another account from a fresh address is unaffected
    assert _login(api, "secretary", address="10.9.9.8").status_code == 200


def test_failures_by_phone_and_username_count_for_the_same_account(world, api):
    user = world.user("grid_worker")
    user.phone = "13800138001"
    user.save()
    for i in range(5):
        name = "gridworker" if i % 2 else "13800138001"
        _login(api, name, "bad", address=f"10.0.1.{i}")
    assert _login(api, "gridworker", address="10.0.2.1").status_code == 429


def test_five_failures_from_an_address_throttle_it_for_every_account(world, api):
    for name in ("a", "b", "c", "d", "e"):
        _login(api, name, "bad", address="10.1.1.1")
    assert _login(api, "secretary", address="10.1.1.1").status_code == 429
    assert _login(api, "secretary", address="10.1.1.2").status_code == 200


def test_throttle_window_ends(world, api):
    from django.core.cache import cache

    for _ in range(5):
        _login(api, "gridworker", "bad")
    assert _login(api, "gridworker").status_code == 429
    cache.clear()  # the one-minute window has passed
    assert _login(api, "gridworker").status_code == 200


def test_missing_token_is_401(world, api):
    response = api.get("/api/households/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_bad_token_is_401(world, api):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = api.get("/api/households/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_me_lists_roles_with_nodes(world, api):
    api.as_user(world.user("group_leader"))
    data = api.get("/api/me/").json()
    roles = {(r["role"], r["area"]["name"]) for r in data["roles"]}
    assert roles == {("member", "海城社区"), ("group_leader", "海城第1网格")}
    assert data["member_id"] == world.user("group_leader").member.pk
    assert data["resident_id"] is None


def test_me_for_resident(world, api):
    api.as_user(world.user("resident"))
    data = api.get("/api/me/").json()
    assert data["roles"] == []
    assert data["resident_id"] == world.user("resident").resident.pk


def test_session_auth_works_for_the_api(world, client):
    client.force_login(world.user("secretary"))
    assert client.get("/api/me/").status_code == 200


def test_error_detail_follows_the_request_language(world, api):
    response = api.post(URL, {"username": "ghost", "password": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json() == {
        "code": "invalid_credentials",
        "detail": "Incorrect username/mobile number or password.",
    }


def test_behind_a_proxy_the_configured_header_is_the_address(world, api, settings):
    settings.TONGXIN = {**settings.TONGXIN, "CLIENT_IP_HEADER": "HTTP_X_REAL_IP"}
    for name in ("a", "b", "c", "d", "e"):
        api.post(URL, {"username": name, "password": "x"}, HTTP_X_REAL_IP="1.2.3.4")
    # same proxy address, another client: not throttled
    response = api.post(
        URL, {"username": "secretary", "password": "pass-1234"}, HTTP_X_REAL_IP="5.6.7.8"
    )
    assert response.status_code == 200
    response = api.post(
        URL, {"username": "secretary", "password": "pass-1234"}, HTTP_X_REAL_IP="1.2.3.4"
    )
    assert response.status_code == 429


def test_logout_revokes_the_token_and_only_the_callers(world, api):
    other, _key = Token.objects.create(world.user("secretary"))
    client = api.as_user(world.user("member"))
    assert client.get("/api/me/").status_code == 200
    assert client.post("/api/auth/logout/").status_code == 204
    response = client.get("/api/me/")
    assert response.status_code == 401 and response.json()["code"] == "authentication_failed"
    assert Token.objects.filter(pk=other.pk).exists()


def test_logout_needs_a_login(api, db):
    response = api.post("/api/auth/logout/")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"

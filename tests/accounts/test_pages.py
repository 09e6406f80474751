from django.test import Client


def _login(client, username, password="pass-1234", address="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_login_page_logs_in_by_username(world, client):
    response = _login(client, "resident")
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").status_code == 200


def test_wrong_password_shows_chinese_error_and_does_not_log_in(world, client):
    response = _login(client, "resident", "wrong")
    assert response.status_code == 200
    page = response.content.decode()
    assert "用户名/手机号或密码不正确。" in page
    assert 'data-code="invalid_credentials"' in page
    assert client.get("/").status_code == 302  # still anonymous


def test_login_page_is_throttled_like_the_api(world, client):
    for _ in range(5):
        _login(client, "resident", "wrong")
    response = _login(client, "resident")  # right password, locked for the minute
    page = response.content.decode()
    assert "登录失败次数过多" in page and 'data-code="login_throttled"' in page
    assert client.get("/").status_code == 302


def test_login_form_needs_csrf(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "resident", "password": "pass-1234"})
    assert response.status_code == 403


def test_home_shows_roles_and_tiles_per_role(world, client):
    client.force_login(world.user("grid_worker"))
    page = client.get("/").content.decode()
    assert "网格员 · 海城第1网格" in page
    assert 'href="/grids/households/"' in page and 'href="/grids/residents/"' in page
    client.force_login(world.user("resident"))
    page = client.get("/").content.decode()
    assert 'data-role="resident"' in page
    assert "/grids/households/" not in page


def test_language_switch_to_english(world, client):
    client.force_login(world.user("grid_worker"))
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert 'lang="en"' in page
    assert "Hello, 陈网格" in page
    assert "Households" in page


def test_unknown_page_is_a_chinese_404(world, client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()

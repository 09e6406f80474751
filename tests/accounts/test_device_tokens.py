"""Finding 12 (issue 13): one token per device (named, listable, revocable, expiring);
logging out one device leaves the others signed in."""

import datetime as dt

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db

URL = "/api/auth/token/"


def _token(api, device=""):
    body = {"username": "member", "password": "pass-1234", "device": device}
    response = api.post(URL, body, format="json")
    assert response.status_code == 200, response.json()
    return response.json()["token"]


def _client(api_factory, token):
    client = api_factory()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def new_client():
    from rest_framework.test import APIClient

    return APIClient


def test_each_login_gets_its_own_token_and_logout_ends_only_that_one(world, api, new_client):
    phone, laptop = _token(api, "手机"), _token(api, "电脑")
    assert phone != laptop
    phone_client, laptop_client = _client(new_client, phone), _client(new_client, laptop)
    assert phone_client.post("/api/auth/logout/").status_code == 204
    assert phone_client.get("/api/me/").status_code == 401
    assert laptop_client.get("/api/me/").status_code == 200


def test_tokens_are_listed_by_device_and_revocable(world, api, new_client):
    _token(api, "手机")
    laptop_client = _client(new_client, _token(api, "电脑"))
    listed = laptop_client.get("/api/auth/tokens/").json()["results"]
    assert sorted(t["name"] for t in listed) == ["手机", "电脑"]
    assert [t["current"] for t in listed if t["name"] == "电脑"] == [True]
    phone = next(t for t in listed if t["name"] == "手机")
    assert laptop_client.delete(f"/api/auth/tokens/{phone['id']}/").status_code == 204
    assert [t["name"] for t in laptop_client.get("/api/auth/tokens/").json()["results"]] == ["电脑"]


def test_someone_elses_token_is_a_404(world, api, new_client):
    from apps.accounts.models import DeviceToken

    other, _key = DeviceToken.objects.create(world.user("secretary"))
    client = _client(new_client, _token(api, "手机"))
    assert client.delete(f"/api/auth/tokens/{other.public_id}/").status_code == 404
    assert DeviceToken.objects.filter(pk=other.pk).exists()


def test_an_expired_token_no_longer_authenticates(world, api, new_client):
    from apps.accounts.models import DeviceToken

    token = _token(api)
    DeviceToken.objects.update(expiry=timezone.now() - dt.timedelta(seconds=1))
    assert _client(new_client, token).get("/api/me/").status_code == 401

"""Inbox API, preferences API and the broadcast endpoint."""

import pytest

from apps.notifications import audiences, services
from apps.notifications.models import Notification, OutboxEvent


@pytest.fixture
def inbox(world):
    """Three messages for the member, one for the outsider."""
    member, outsider = world.user("member"), world.user("outsider")
    for _n in range(3):
        services.outbox_relay(
            event_id=services.notify("notifications.test", audience=audiences.users(member.pk)).pk
        )
    services.outbox_relay(
        event_id=services.notify("notifications.test", audience=audiences.users(outsider.pk)).pk
    )
    return Notification.objects.filter(recipient=member)


def test_list_is_paginated_and_only_the_users_own(api, world, inbox):
    response = api.as_user(world.user("member")).get("/api/notifications/?page_size=2")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 3 and len(data["results"]) == 2
    assert {r["id"] for r in data["results"]} <= set(inbox.values_list("pk", flat=True))
    assert data["results"][0]["event"] == "notifications.test"


def test_a_superuser_inbox_is_still_their_own(api, world, inbox):
    admin = world.user("administrator")
    admin.is_superuser = True
    admin.save()
    assert api.as_user(admin).get("/api/notifications/").json()["count"] == 0


def test_unread_count_mark_one_and_mark_all(api, world, inbox):
    client = api.as_user(world.user("member"))
    assert client.get("/api/notifications/unread-count/").json() == {"unread": 3}
    first = inbox.first()
    response = client.post(f"/api/notifications/{first.pk}/read/")
    assert response.status_code == 200 and response.json()["read"] is True
    assert client.get("/api/notifications/unread-count/").json() == {"unread": 2}
    assert client.get("/api/notifications/?unread=1").json()["count"] == 2
    assert client.post("/api/notifications/read-all/").json()["marked"] == 2
    assert client.get("/api/notifications/unread-count/").json() == {"unread": 0}


def test_marking_someone_elses_message_is_a_404(api, world, inbox):
    theirs = Notification.objects.get(recipient=world.user("outsider"))
    response = api.as_user(world.user("member")).post(f"/api/notifications/{theirs.pk}/read/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert api.get("/api/notifications/99999999/").status_code == 404


def test_anonymous_gets_401(api, db):
    api.credentials()
    assert api.get("/api/notifications/").status_code in (401, 403)


def test_preferences_api(api, world):
    client = api.as_user(world.user("member"))
    assert client.get("/api/notifications/preferences/").json()["muted"] == {}
    response = client.put(
        "/api/notifications/preferences/",
        {"language": "en", "muted": {"*": ["sms"]}},
        format="json",
    )
    assert response.status_code == 200 and response.json()["muted"] == {"*": ["sms"]}
    bad = client.put("/api/notifications/preferences/", {"muted": {"*": ["inapp"]}}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_preferences"
    assert client.get("/api/notifications/preferences/").json()["language"] == "en"


def test_send_test_message_to_myself(api, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(world.user("member")).post("/api/notifications/test/")
    assert response.status_code == 202
    assert Notification.objects.filter(recipient=world.user("member")).count() == 1


def test_secretary_broadcasts_to_the_members_of_their_community(
    api, world, django_capture_on_commit_callbacks
):
    payload = {"area": world.community_a.pk, "title": "停水通知", "body": "明天 9 点停水"}
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(world.user("secretary")).post(
            "/api/notifications/broadcast/", payload, format="json"
        )
    assert response.status_code == 202
    recipients = set(Notification.objects.values_list("recipient_id", flat=True))
    assert recipients == {world.user("member").pk, world.user("group_leader").pk}


@pytest.mark.parametrize(
    "who, area, payload, status, code",
    [
        ("member", "community_a", {"title": "x"}, 403, "permission_denied"),
        ("outsider", "community_a", {"title": "x"}, 403, "permission_denied"),
        ("secretary", "community_a", {"title": ""}, 400, "invalid_notice"),
        ("secretary", "community_a", {"title": "  "}, 400, "invalid_notice"),
        ("secretary", None, {"title": "x"}, 400, "invalid_notice"),
        ("secretary", 987654, {"title": "x"}, 404, "not_found"),
    ],
)
def test_bad_broadcasts_are_refused_and_write_nothing(api, world, who, area, payload, status, code):
    if isinstance(area, str):
        area = getattr(world, area).pk
    body = {**payload, **({"area": area} if area is not None else {})}
    response = api.as_user(world.user(who)).post(
        "/api/notifications/broadcast/", body, format="json"
    )
    assert response.status_code == status and response.json()["code"] == code
    assert not OutboxEvent.objects.exists()

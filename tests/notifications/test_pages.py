import pytest
from django.test import Client

from apps.notifications import audiences, services, texts
from apps.notifications.models import Delivery, Notification, Preference


@pytest.fixture
def member_client(world):
    client = Client()
    client.force_login(world.user("member"))
    return client


def deliver(user, n=1):
    for _ in range(n):
        event = services.notify("notifications.test", audience=audiences.users(user.pk))
        services.outbox_relay(event_id=event.pk)


def test_header_badge_shows_the_unread_count_on_every_page(member_client, world):
    deliver(world.user("member"), 2)
    page = member_client.get("/").content.decode()
    assert 'data-unread="2"' in page and "/notifications/" in page


def test_no_badge_number_when_all_read(member_client, world):
    assert "data-unread" not in member_client.get("/").content.decode()


def test_inbox_page_lists_messages_and_marks_read(member_client, world):
    deliver(world.user("member"), 2)
    page = member_client.get("/notifications/")
    assert (
        page.status_code == 200 and page.content.decode().count('class="notification unread"') == 2
    )
    first = Notification.objects.filter(recipient=world.user("member")).first()
    assert member_client.post(f"/notifications/{first.pk}/read/").status_code == 302
    first.refresh_from_db()
    assert first.read_at
    member_client.post("/notifications/read-all/")
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_marking_someone_elses_message_on_the_page_shows_an_error(member_client, world):
    deliver(world.user("outsider"))
    theirs = Notification.objects.get()
    response = member_client.post(f"/notifications/{theirs.pk}/read/", follow=True)
    assert "消息不存在" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_preferences_page_saves_unchecked_channels_as_muted(member_client, world, channels):
    page = member_client.get("/notifications/preferences/")
    assert page.status_code == 200 and "notice.broadcast:sms" in page.content.decode()
    form = {"language": "zh-hans", "wechat_openid": "oid-1", "notice.broadcast:email": "on"}
    for name in set(texts.events()) - {"notice.broadcast"}:  # every other event: all on
        form.update({f"{name}:email": "on", f"{name}:sms": "on", f"{name}:wechat": "on"})
    assert member_client.post("/notifications/preferences/", form).status_code == 302
    preference = Preference.objects.get(user=world.user("member"))
    assert preference.muted == {"notice.broadcast": ["sms", "wechat"]}
    # The page binds no WeChat account: a posted OpenID is ignored (the API's bind sets it).
    assert preference.wechat_openid == ""


def test_pages_need_login(client, db):
    assert client.get("/notifications/").status_code == 302


def test_admin_shows_deliveries_to_superusers_only(client, world):
    admin = world.user("administrator")
    admin.is_staff = True
    admin.save()
    client.force_login(admin)
    assert client.get("/admin/notifications/delivery/").status_code == 403
    admin.is_superuser = True
    admin.save()
    deliver(world.user("member"))
    response = client.get("/admin/notifications/delivery/?status__exact=dead")
    assert response.status_code == 200
    assert client.get("/admin/notifications/outboxevent/").status_code == 200


def test_admin_retry_action_requeues_dead_letters(client, world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    admin = world.user("administrator")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    member = world.user("member")
    member.email = "li@example.cn"
    member.save()
    deliver(member)
    Delivery.objects.update(status="dead", attempts=5)
    client.force_login(admin)
    response = client.post(
        "/admin/notifications/delivery/",
        {
            "action": "retry",
            "_selected_action": list(Delivery.objects.values_list("pk", flat=True)),
        },
    )
    assert response.status_code == 302
    assert Delivery.objects.get().status == "sent"  # eager: retried at once


def test_reading_a_message_follows_only_local_links(member_client, world):
    member = world.user("member")
    for url in ("/notifications/preferences/", "https://evil.example.com/"):
        event = services.notify(
            "notifications.test", audience=audiences.users(member.pk), context={"url": url}
        )
        services.outbox_relay(event_id=event.pk)
    local, external = Notification.objects.order_by("pk")
    assert member_client.post(f"/notifications/{local.pk}/read/").url == local.url
    assert member_client.post(f"/notifications/{external.pk}/read/").url == "/notifications/"

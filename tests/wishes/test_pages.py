import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from apps.register.models import Resident
from apps.wishes.models import Claim, Wish

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_home_shows_wish_tiles_per_role(as_user, world):
    html = as_user(world.user("resident")).get("/").content.decode()
    assert "提交心愿" in html and "我的心愿" in html and "心愿审核" not in html
    html = as_user(world.user("member")).get("/").content.decode()
    assert "心愿墙" in html and "我的认领" in html and "提交心愿" not in html
    html = as_user(world.user("grid_worker")).get("/").content.decode()
    assert "心愿审核" in html and "为居民代录" in html


def test_resident_submits_from_the_phone_form(as_user, world, category):
    client = as_user(world.user("resident"))
    page = client.get(reverse("wishes:submit"))
    assert page.status_code == 200
    assert "您的心愿（一句话）" in page.content.decode()
    response = client.post(
        reverse("wishes:submit"), {"title": "想要一个拐杖", "category": category.pk}
    )
    assert response.status_code == 302
    assert response.url == reverse("wishes:mine")
    assert Wish.objects.get().title == "想要一个拐杖"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"title": ""}, "请填写心愿标题。"),
        ({"wanted_by": "2001-01-01"}, "期望完成日期不能早于今天。"),
        ({"wanted_by": "昨天"}, "请填写正确的日期。"),
        ({"category": "999"}, "请选择有效的心愿类别。"),
    ],
)
def test_submit_form_shows_the_error_in_chinese_and_keeps_the_input(
    as_user, world, category, data, message
):
    client = as_user(world.user("resident"))
    form = {"title": "想要一个拐杖", "description": "保留我", "category": category.pk, **data}
    response = client.post(reverse("wishes:submit"), form)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "保留我" in html
    assert not Wish.objects.exists()


def test_grid_worker_enters_a_wish_for_a_resident(as_user, world, category):
    resident = Resident.objects.get(user=world.user("resident"))
    client = as_user(world.user("grid_worker"))
    page = client.get(reverse("wishes:enter"), {"q": "秀梅"})
    assert "王秀梅" in page.content.decode()
    response = client.post(
        reverse("wishes:enter"),
        {"resident": resident.pk, "title": "代录心愿", "category": category.pk},
    )
    assert response.status_code == 302
    wish = Wish.objects.get()
    assert (wish.resident, wish.entered_by) == (resident, world.user("grid_worker"))


def test_members_cannot_use_the_workstation_page(as_user, world):
    response = as_user(world.user("member")).get(reverse("wishes:enter"))
    assert response.status_code == 302


def test_vetting_queue_publish_and_reject(as_user, world, make_wish):
    first, second = make_wish(title="第一个"), make_wish(title="第二个")
    client = as_user(world.user("grid_worker"))
    html = client.get(reverse("wishes:vetting")).content.decode()
    assert "第一个" in html and "第二个" in html and "王秀梅" in html
    client.post(reverse("wishes:act", args=[first.pk, "publish"]))
    response = client.post(reverse("wishes:act", args=[second.pk, "reject"]), {"reason": ""})
    assert "请填写原因。" in messages_of(response)
    client.post(reverse("wishes:act", args=[second.pk, "reject"]), {"reason": "已有救助"})
    statuses = dict(Wish.objects.values_list("title", "status"))
    assert statuses == {"第一个": "published", "第二个": "rejected"}
    assert "第一个" not in client.get(reverse("wishes:vetting")).content.decode()
    # The resident sees the reason on their page.
    html = as_user(world.user("resident")).get(reverse("wishes:mine")).content.decode()
    assert "已有救助" in html


def test_hall_shows_masked_names_and_claim_shows_the_result(as_user, world, make_wish):
    wish = make_wish("published")
    client = as_user(world.user("member"))
    html = client.get(reverse("wishes:hall")).content.decode()
    assert wish.title in html and "王*梅" in html and "王秀梅" not in html
    response = client.post(
        reverse("wishes:act", args=[wish.pk, "claim"]),
        {"next": reverse("wishes:claims")},
        follow=True,
    )
    assert "认领成功" in response.content.decode()
    assert wish.title in response.content.decode()  # now in "my claims"

    late = as_user(world.user("group_leader"))
    form = {"next": reverse("wishes:claims"), "back": reverse("wishes:hall")}
    response = late.post(reverse("wishes:act", args=[wish.pk, "claim"]), form)
    assert response.url == reverse("wishes:hall")  # a refusal is shown where it was asked
    assert "该心愿已被认领。" in messages_of(response)
    response = late.post(
        reverse("wishes:act", args=[wish.pk, "claim"]), {"back": "https://evil.example/"}
    )
    assert response.url == reverse("wishes:detail", args=[wish.pk])
    assert Claim.objects.count() == 1


def test_hall_filters_by_category_and_area(as_user, world, make_wish, category):
    make_wish("published", title="助老心愿")
    client = as_user(world.user("member"))
    assert (
        "助老心愿" in client.get(reverse("wishes:hall"), {"category": category.pk}).content.decode()
    )
    html = client.get(reverse("wishes:hall"), {"area": world.community_b.pk}).content.decode()
    assert "助老心愿" not in html
    assert client.get(reverse("wishes:hall"), {"area": "x"}).status_code == 200


def test_claims_page_fulfil_and_resident_confirms(as_user, world, make_wish):
    wish = make_wish("claimed")
    member = as_user(world.user("member"))
    assert wish.title in member.get(reverse("wishes:claims")).content.decode()
    member.post(reverse("wishes:act", args=[wish.pk, "fulfil"]), {"note": "已经送到"})
    assert Wish.objects.get().status == "fulfilled"

    resident = as_user(world.user("resident"))
    html = resident.get(reverse("wishes:mine")).content.decode()
    assert "确认完成" in html and "已完成" in html
    response = resident.post(
        reverse("wishes:act", args=[wish.pk, "confirm"]), {"rating": "5", "comment": "谢谢"}
    )
    assert "感谢您的评价！" in messages_of(response)
    wish.refresh_from_db()
    assert (wish.status, wish.rating) == ("closed", 5)


def test_detail_shows_history_and_hides_other_communities(as_user, world, make_wish):
    wish = make_wish("claimed")
    html = as_user(world.user("resident")).get(reverse("wishes:detail", args=[wish.pk]))
    text = html.content.decode()
    for label in ("待审核", "已发布", "已认领"):
        assert label in text
    assert (
        as_user(world.user("outsider")).get(reverse("wishes:detail", args=[wish.pk])).status_code
        == 404
    )
    # Members see the public timeline but not who did what (the resident's name).
    text = as_user(world.user("group_leader")).get(reverse("wishes:detail", args=[wish.pk]))
    assert "王秀梅" not in text.content.decode()


def test_unknown_action_and_get_are_refused(as_user, world, make_wish):
    wish = make_wish("published")
    client = as_user(world.user("member"))
    assert client.post(reverse("wishes:act", args=[wish.pk, "explode"])).status_code == 404
    assert client.get(reverse("wishes:act", args=[wish.pk, "release"])).status_code == 405


def test_pages_need_login(client):
    response = client.get(reverse("wishes:hall"))
    assert response.status_code == 302 and "/login/" in response.url


def test_hall_is_paginated(as_user, world, many_wishes):
    many_wishes(25)
    client = as_user(world.user("member"))
    first = client.get(reverse("wishes:hall")).content.decode()
    assert first.count('class="card wish-card"') == 20 and "下一页" in first
    second = client.get(reverse("wishes:hall"), {"page": 2}).content.decode()
    assert second.count('class="card wish-card"') == 5


def test_organisation_representative_claims_from_the_hall(as_user, world, make_wish):
    from tests import factories as f

    wish = make_wish("published")
    rep = f.UserFactory()
    org = f.OrganisationFactory(area=world.street, name="海城物业")
    org.representatives.add(rep)
    client = as_user(rep)
    html = client.get(reverse("wishes:hall")).content.decode()
    assert "以海城物业名义认领" in html
    client.post(reverse("wishes:act", args=[wish.pk, "claim"]), {"organisation": org.pk})
    assert Claim.objects.get().organisation == org


@pytest.mark.parametrize("page, role", [("wishes:hall", "member"), ("wishes:mine", "resident")])
def test_pages_run_a_constant_number_of_queries(as_user, world, many_wishes, page, role):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(world.user(role))
    many_wishes(2)
    client.get(reverse(page))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse(page))
    many_wishes(15)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse(page))
    assert len(large.captured_queries) == len(small.captured_queries)

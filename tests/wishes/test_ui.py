"""Issue 14, findings 2–6, on the pages: each role is offered only the moves the services
allow it; the hall's cards say what, where and by when; claiming asks once more; the
fulfilment photo reaches the resident; the resident hears of each step; the 代录 picker
searches instead of listing every resident."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from apps.notifications import services as notifications
from apps.notifications.models import Notification, OutboxEvent
from apps.register.models import Resident
from apps.wishes import services
from apps.wishes.models import Claim, Wish
from tests import factories as f


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def relay_all() -> None:
    for event_id in OutboxEvent.objects.filter(relayed_at__isnull=True).values_list(
        "pk", flat=True
    ):
        notifications.outbox_relay(event_id=event_id)


def png(name="done.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), "green").save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def other_resident_wish(world, category, *, title="想要一把轮椅"):
    """A published wish of a resident (without a login) entered by the grid worker."""
    household = f.HouseholdFactory(area=world.building_a, room="202")
    resident = f.ResidentFactory(household=household, name="张桂英", phone="13812345678")
    worker = world.user("grid_worker")
    wish = services.wish_submit(actor=worker, resident=resident, title=title, category=category)
    return services.wish_publish(wish=wish, actor=worker)


# --- finding 2: only the actions the services allow ------------------------------------------


def test_resident_is_not_offered_a_claim_on_their_own_wish(as_user, world, make_wish):
    wish = make_wish("published")
    client = as_user(world.user("resident"))
    for url in (reverse("wishes:hall"), reverse("wishes:detail", args=[wish.pk])):
        html = client.get(url).content.decode()
        assert "我来认领" not in html, url
        assert reverse("wishes:claim", args=[wish.pk]) not in html, url
    assert "撤回" in client.get(reverse("wishes:detail", args=[wish.pk])).content.decode()


def test_a_member_who_is_also_the_resident_cannot_claim_their_own_wish(world, make_wish):
    from apps.accounts.models import Role
    from apps.core.errors import Forbidden

    wish = make_wish("published")
    resident = world.user("resident")
    f.MemberFactory(user=resident, branch=world.branch_a, community=world.community_a)
    f.grant(resident, Role.MEMBER, area=world.community_a)
    assert "claim" not in services.wish_moves(wish=wish, actor=resident)
    with pytest.raises(Forbidden) as exc:
        services.wish_claim(wish=wish, actor=resident)
    assert exc.value.code == "own_wish"


@pytest.mark.parametrize(
    "role, status, offered",
    [
        ("member", "published", {"claim"}),
        ("group_leader", "published", {"claim"}),
        ("grid_worker", "published", set()),  # staff, not a member: the service refuses
        ("administrator", "published", set()),
        ("resident", "published", {"withdraw"}),
        ("grid_worker", "submitted", {"publish", "reject"}),
        ("secretary", "submitted", {"publish", "reject"}),
        ("administrator", "submitted", set()),
        ("member", "claimed", {"release", "fulfil"}),
        ("group_leader", "claimed", set()),
        ("grid_worker", "claimed", {"expire"}),
        ("resident", "fulfilled", {"confirm"}),
        ("member", "fulfilled", set()),
    ],
)
def test_moves_offered_are_the_moves_the_services_accept(world, make_wish, role, status, offered):
    """Each offered move succeeds through its service, and none that is not offered does."""
    user = world.user(role)
    wish = make_wish(status)
    moves = services.wish_moves(wish=Wish.objects.get(pk=wish.pk), actor=user)
    assert moves == offered
    calls = {
        "publish": lambda w: services.wish_publish(wish=w, actor=user),
        "reject": lambda w: services.wish_reject(wish=w, actor=user, reason="不符合"),
        "withdraw": lambda w: services.wish_withdraw(wish=w, actor=user),
        "claim": lambda w: services.wish_claim(wish=w, actor=user),
        "release": lambda w: services.wish_release(wish=w, actor=user),
        "expire": lambda w: services.wish_expire(wish=w, actor=user),
        "fulfil": lambda w: services.wish_fulfil(wish=w, actor=user, note="好了"),
        "confirm": lambda w: services.wish_confirm(wish=w, actor=user, rating=5),
    }
    from apps.core.errors import AppError

    for move in Wish.workflow.moves_from(status):
        fresh = Wish.objects.select_related("resident", "area").get(pk=wish.pk)
        try:
            calls[move](fresh)
        except AppError:
            assert move not in offered, move
        else:
            assert move in offered, move
            break  # the wish moved on


def test_detail_page_shows_only_the_offered_buttons(as_user, world, make_wish):
    wish = make_wish("claimed")
    html = as_user(world.user("group_leader")).get(reverse("wishes:detail", args=[wish.pk]))
    html = html.content.decode()
    assert "我来认领" not in html and "去完成" not in html
    html = as_user(world.user("member")).get(reverse("wishes:detail", args=[wish.pk]))
    assert "去完成" in html.content.decode()


# --- finding 6: hall cards, the confirmation step ---------------------------------------------


def test_hall_cards_show_description_place_and_wanted_by(as_user, world, make_wish):
    from datetime import date, timedelta

    wanted = date.today() + timedelta(days=30)
    wish = make_wish("published", description="家里收音机坏了，想请人修一修", wanted_by=wanted)
    html = as_user(world.user("member")).get(reverse("wishes:hall")).content.decode()
    card = html[html.index(f'id="wish-{wish.pk}"') :]
    card = card[: card.index("</article>")]
    assert f'data-wish="{wish.pk}"' in html
    assert "家里收音机坏了" in card
    assert "海城第1网格 · 1幢" in card  # the grid and the building
    assert f"{wanted.year}年{wanted.month}月{wanted.day}日前" in card
    assert f'href="{reverse("wishes:claim", args=[wish.pk])}"' in card
    assert "data-claim-sheet" in card
    assert 'id="claim-sheet"' in html and "认领后，您承诺" in html


def test_claim_page_is_the_confirmation_step_without_js(as_user, world, make_wish):
    wish = make_wish("published")
    client = as_user(world.user("member"))
    url = reverse("wishes:claim", args=[wish.pk])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "认领后，您承诺" in html and "天内联系居民" in html
    assert not Claim.objects.exists()  # looking is not claiming
    response = client.post(url, {"next": reverse("wishes:claims")})
    assert response.status_code == 302 and response.url == reverse("wishes:claims")
    assert Wish.objects.get(pk=wish.pk).status == "claimed"


def test_claim_page_tells_the_resident_it_is_their_own(as_user, world, make_wish):
    wish = make_wish("published")
    html = as_user(world.user("resident")).get(reverse("wishes:claim", args=[wish.pk]))
    html = html.content.decode()
    assert "这是您自己的心愿" in html and "确认认领</button>" not in html


def test_claim_page_of_an_unseen_wish_is_a_404(as_user, world, make_wish):
    wish = make_wish("submitted")  # members do not see wishes in vetting
    assert (
        as_user(world.user("member")).get(reverse("wishes:claim", args=[wish.pk])).status_code
        == 404
    )
    published = make_wish("published", title="另一个")
    response = as_user(world.user("outsider")).get(reverse("wishes:claim", args=[published.pk]))
    assert response.status_code == 404


# --- findings 3 and 4: the resident hears each step; links; the photo ---------------------------


def test_resident_hears_of_every_step_and_each_message_links_to_the_wish(world, make_wish):
    wish = make_wish("submitted")
    services.wish_publish(wish=wish, actor=world.user("grid_worker"))
    services.wish_claim(wish=wish, actor=world.user("member"))
    services.wish_fulfil(wish=wish, actor=world.user("member"), note="已送到", photo=png())
    rejected = make_wish("rejected", title="另一个心愿")
    relay_all()
    inbox = Notification.objects.filter(recipient=world.user("resident")).select_related("event")
    got = {n.event.name: n.url for n in inbox}
    detail = reverse("wishes:detail", args=[wish.pk])
    assert got == {
        "wish.approved": detail,
        "wish.claimed": detail,
        "wish.fulfilled": detail,
        "wish.rejected": reverse("wishes:detail", args=[rejected.pk]),
    }


def test_fulfilment_photo_is_on_the_wish_page_and_in_the_message(as_user, world, make_wish):
    wish = make_wish("claimed")
    services.wish_fulfil(wish=wish, actor=world.user("member"), note="已送到", photo=png())
    photo_url = Claim.objects.get(wish=wish).fulfil_photo.url
    relay_all()
    client = as_user(world.user("resident"))
    detail = client.get(reverse("wishes:detail", args=[wish.pk])).content.decode()
    assert f'src="{photo_url}"' in detail and "完成照片" in detail
    assert "确认完成" in detail  # and the resident rates it right there
    mine = client.get(reverse("wishes:mine")).content.decode()
    assert f'src="{photo_url}"' in mine and "确认完成" in mine  # beside the rating form too
    inbox = client.get(reverse("notifications:inbox")).content.decode()
    assert (
        f'src="{photo_url}"' in inbox
        and f'data-link="{reverse("wishes:detail", args=[wish.pk])}"' in inbox
    )
    # Someone who may not see the wish sees neither.
    outsider = as_user(world.user("outsider"))
    assert outsider.get(reverse("wishes:detail", args=[wish.pk])).status_code == 404


def test_opening_a_message_marks_it_read_and_goes_to_its_wish(as_user, world, make_wish):
    wish = make_wish("published")
    relay_all()
    note = Notification.objects.get(recipient=world.user("resident"), event__name="wish.approved")
    Notification.objects.filter(pk=note.pk).update(url="")  # a row from before links were stored
    response = as_user(world.user("resident")).post(reverse("notifications:read", args=[note.pk]))
    assert response.status_code == 302
    assert response.url == reverse("wishes:detail", args=[wish.pk])
    note.refresh_from_db()
    assert note.read_at is not None


# --- finding 5: 代录 -------------------------------------------------------------------------


def test_enter_page_lists_no_residents_until_searched(as_user, world, category):
    for n in range(30):
        household = f.HouseholdFactory(area=world.building_a, room=f"5{n:02d}")
        f.ResidentFactory(household=household, name=f"赵{n}号")
    client = as_user(world.user("grid_worker"))
    html = client.get(reverse("wishes:enter")).content.decode()
    assert 'name="resident"' not in html and '<select id="id_resident"' not in html
    assert "为居民代录心愿" in html and "居民的心愿（一句话）" in html and "您的心愿" not in html
    found = client.get(reverse("wishes:enter"), {"q": "秀梅"}).content.decode()
    assert found.count('name="resident"') == 1 and "王秀梅" in found


def test_enter_page_search_by_phone_tail_and_room(as_user, world):
    resident = Resident.objects.get(user=world.user("resident"))
    client = as_user(world.user("grid_worker"))
    by_phone = client.get(reverse("wishes:enter"), {"q": resident.phone[-4:]}).content.decode()
    assert f'value="{resident.pk}"' in by_phone
    by_room = client.get(reverse("wishes:enter"), {"q": "1幢 101"}).content.decode()
    assert f'value="{resident.pk}"' in by_room


def test_enter_keeps_the_chosen_resident_when_the_form_comes_back(as_user, world):
    resident = Resident.objects.get(user=world.user("resident"))
    client = as_user(world.user("grid_worker"))
    response = client.post(reverse("wishes:enter"), {"resident": resident.pk, "title": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'value="{resident.pk}" required checked' in html


def test_enter_refuses_a_resident_out_of_scope(as_user, world, category):
    theirs = f.ResidentFactory(household=f.HouseholdFactory(area=world.building_b, room="1"))
    client = as_user(world.user("grid_worker"))
    found = client.get(reverse("wishes:enter"), {"q": theirs.name}).content.decode()
    assert f'value="{theirs.pk}"' not in found
    body = {"resident": theirs.pk, "title": "越权", "category": category.pk}
    response = client.post(reverse("wishes:enter"), body)
    assert response.status_code == 400 and not Wish.objects.exists()


def test_picker_api_returns_minimal_masked_rows(api, world):
    resident = Resident.objects.get(user=world.user("resident"))
    response = api.as_user(world.user("grid_worker")).get("/api/wish-residents/", {"q": "王"})
    assert response.status_code == 200
    body = response.json()
    assert body["more"] is False
    assert body["results"] == [
        {
            "id": resident.pk,
            "name": "王秀梅",
            "phone": resident.phone[:3] + "****" + resident.phone[-4:],
            "address": str(resident.household),
        }
    ]


def test_picker_api_limits_to_ten_and_says_there_are_more(api, world):
    for n in range(12):
        f.ResidentFactory(
            household=f.HouseholdFactory(area=world.building_a, room=f"6{n:02d}"), name=f"刘{n}号"
        )
    body = api.as_user(world.user("secretary")).get("/api/wish-residents/", {"q": "刘"}).json()
    assert len(body["results"]) == 10 and body["more"] is True


def test_picker_api_empty_query_finds_nobody(api, world):
    body = api.as_user(world.user("grid_worker")).get("/api/wish-residents/").json()
    assert body == {"results": [], "more": False}


def test_picker_api_refuses_non_vetters(api, world):
    for role in ("member", "resident", "administrator", "nobody"):
        response = api.as_user(world.user(role)).get("/api/wish-residents/", {"q": "王"})
        assert response.status_code == 403, role
        assert response.json()["code"] == "not_a_vetter"


def test_picker_api_is_throttled(api, world, settings):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import ScopedRateThrottle

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "resident_search": "3/min"}
    original = ScopedRateThrottle.THROTTLE_RATES
    ScopedRateThrottle.THROTTLE_RATES = rates
    try:
        client = api.as_user(world.user("grid_worker"))
        codes = [client.get("/api/wish-residents/", {"q": "王"}).status_code for _ in range(4)]
    finally:
        ScopedRateThrottle.THROTTLE_RATES = original
    assert codes == [200, 200, 200, 429]


def test_organisation_claims_are_offered_only_where_the_organisation_serves(
    as_user, world, make_wish
):
    wish = make_wish("published")
    rep = f.UserFactory()
    here = f.OrganisationFactory(area=world.community_a, name="海城物业")
    elsewhere = f.OrganisationFactory(area=world.community_b, name="榭南超市")
    here.representatives.add(rep)
    elsewhere.representatives.add(rep)
    client = as_user(rep)
    hall = client.get(reverse("wishes:hall")).content.decode()
    assert "以海城物业名义认领" in hall and "榭南超市" not in hall
    assert "我来认领" not in hall  # not a member: only on the organisation's behalf
    page = client.get(reverse("wishes:claim", args=[wish.pk])).content.decode()
    assert "以海城物业名义确认认领" in page and "榭南超市" not in page
    client.post(reverse("wishes:claim", args=[wish.pk]), {"organisation": here.pk})
    assert Claim.objects.get().organisation == here

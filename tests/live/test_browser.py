"""The live hall in a real browser (Playwright + system Chromium) against a real ASGI server
(uvicorn, PostgreSQL, Redis): two members have the hall open; one claims and the other's
card turns to "已被认领" within a second, without a reload; a newly published wish appears
at the top; a page whose connection was cut catches up when it reconnects."""

import time

import pytest
from django.conf import settings
from django.test import Client

from apps.wishes import services as wishes
from apps.wishes.selectors import wish_for_claim
from tests.conftest import new_page

pytestmark = [pytest.mark.browser, pytest.mark.services]


def _page_as(browser, base: str, user):
    """A page logged in as `user` (a session made here: the server shares the database).
    Without the service worker: Playwright's routes (the cut connection) do not see the
    requests a service worker makes for the page."""
    client = Client()
    client.force_login(user)
    page = new_page(browser, service_workers="block")
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}
    page.context.add_cookies([cookie])
    page.navigations = 0

    def count(frame):
        if frame == page.main_frame:
            page.navigations += 1

    page.on("framenavigated", count)
    return page


def _live(page):
    """Wait until the page's socket is open (live.js marks #live)."""
    from playwright.sync_api import expect

    expect(page.locator("#live")).to_have_attribute("data-state", "live")


def test_a_claim_shows_on_the_other_members_hall_within_a_second(
    services, world, make_wish, asgi_servers, chromium
):
    from playwright.sync_api import expect

    (base,) = asgi_servers(1)
    wish = make_wish("published", title="想请人陪同去医院")
    claimer = _page_as(chromium, base, world.user("member"))
    watcher = _page_as(chromium, base, world.user("group_leader"))
    for page in (claimer, watcher):
        page.goto(base + "/wishes/")
        _live(page)
    card = watcher.locator(f"#wish-{wish.pk}")
    expect(card.locator("a.claim")).to_be_visible()
    loads = watcher.navigations

    claimer.locator(f"#wish-{wish.pk} a.claim").click()
    claimer.locator("[data-sheet-confirm]").click()  # the confirmation sheet
    claimer.wait_for_url(base + "/wishes/claims/")  # the claim has committed
    committed = time.monotonic()
    expect(card.locator(".live-taken")).to_have_text("已被认领", timeout=1000)
    assert time.monotonic() - committed < 1.0
    expect(card.locator("a.claim")).to_be_hidden()
    assert watcher.navigations == loads  # no reload
    watcher.screenshot(path="/tmp/tongxin-live-hall.png")

    # The claimer's "my claims" page follows the wish too: released, it says so.
    claimer.goto(base + "/wishes/claims/")
    _live(claimer)
    wishes.wish_release(wish=wish_for_claim(pk=wish.pk), actor=world.user("member"))
    expect(claimer.locator(f"article[data-wish='{wish.pk}'] .status")).to_have_text("已放弃")
    # ... and on the hall it is open again: the card comes back, claimable.
    expect(card.locator("a.claim")).to_be_visible()
    expect(card.locator(".live-taken")).to_have_count(0)

    # A wish published now appears at the top of the open hall.
    fresh = make_wish("submitted", title="想学用智能手机")
    wishes.wish_publish(wish=fresh, actor=world.user("grid_worker"))
    expect(watcher.locator("article.wish-card").first).to_have_id(f"wish-{fresh.pk}")
    assert watcher.navigations == loads


def test_a_page_whose_connection_was_cut_catches_up(
    services, world, make_wish, asgi_servers, chromium
):
    from playwright.sync_api import expect

    (base,) = asgi_servers(1)
    wish = make_wish("published", title="想请人帮忙买菜")
    page = _page_as(chromium, base, world.user("group_leader"))
    page.goto(base + "/wishes/")
    _live(page)
    card = page.locator(f"#wish-{wish.pk}")
    loads = page.navigations

    asgi_servers.stop(base)  # the connection is cut: no socket, no polling answers
    expect(page.locator("#live")).to_have_attribute("data-state", "polling")
    wishes.wish_claim(wish=wish, actor=world.user("member"))
    page.wait_for_timeout(1500)
    expect(card.locator(".live-taken")).to_have_count(0)  # it really missed the event

    asgi_servers.restart(base)  # back: it reconnects (or polls) and catches up
    expect(card.locator(".live-taken")).to_have_text("已被认领", timeout=15_000)
    expect(card.locator("a.claim")).to_be_hidden()
    assert page.navigations == loads

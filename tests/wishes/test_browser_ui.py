"""Issue 14 in a real browser at 360×740: the claim sheet (one more tap, and the no-JS page
in its place) and the 代录 resident picker (typing, and the plain search without JS). Each
counts the member's or worker's taps; screenshots go to $TONGXIN_SCREENSHOTS when set."""

import os
from pathlib import Path

import pytest

from apps.register.models import Resident
from apps.wishes import services
from apps.wishes.models import Claim, Wish
from tests.conftest import login

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def phone(browser_page):
    """Pages at 360×740 (zh-CN): `phone(js=True)`."""
    browser = browser_page.context.browser
    contexts = []

    def open_page(js: bool = True):
        context = browser.new_context(locale="zh-CN", viewport=PHONE, java_script_enabled=js)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def shot(page, name: str) -> None:
    folder = os.environ.get("TONGXIN_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def no_sideways_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


class Taps:
    """Counts the user's taps (clicks on controls) in a journey."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def __call__(self, selector: str) -> None:
        target = self.page.locator(selector).first
        box = target.bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 44, (selector, box)
        target.click()
        self.count += 1


def published(world, category, title="想请人帮忙修理收音机"):
    resident = world.user("resident")
    wish = services.wish_submit(
        actor=resident, title=title, category=category, description="收音机没有声音了"
    )
    return services.wish_publish(wish=wish, actor=world.user("grid_worker"))


def test_claim_sheet_asks_once_more_and_says_what_the_member_commits_to(
    world, category, phone, live_server
):
    wish = published(world, category)
    page = phone()
    login(page, live_server, "member")
    page.goto(live_server.url + "/wishes/")
    card = page.locator(f"#wish-{wish.pk}")
    assert "收音机没有声音了" in card.inner_text() and "海城第1网格 · 1幢" in card.inner_text()
    assert no_sideways_overflow(page)
    shot(page, "hall-member")
    tap = Taps(page)

    tap(f"#wish-{wish.pk} a.claim")
    sheet = page.locator("#claim-sheet")
    assert sheet.is_visible()
    assert "想请人帮忙修理收音机" in sheet.inner_text() and "天内联系居民" in sheet.inner_text()
    shot(page, "claim-sheet")
    tap("[data-sheet-close]")  # 再想想: nothing happens
    assert not sheet.is_visible() and not Claim.objects.exists()

    tap.count = 0
    tap(f"#wish-{wish.pk} a.claim")
    tap("[data-sheet-confirm]")
    page.wait_for_url(live_server.url + "/wishes/claims/")
    assert "认领成功" in page.locator(".messages").inner_text()
    assert tap.count == 2  # from the hall: 我来认领, 确认认领
    assert Wish.objects.get(pk=wish.pk).status == "claimed"


def test_claim_without_javascript_is_a_separate_confirmation_page(
    world, category, phone, live_server
):
    wish = published(world, category)
    page = phone(js=False)
    login(page, live_server, "member")
    page.goto(live_server.url + "/wishes/")
    tap = Taps(page)
    tap(f"#wish-{wish.pk} a.claim")
    page.wait_for_url(live_server.url + f"/wishes/{wish.pk}/claim/")
    assert not Claim.objects.exists()
    assert "认领后，您承诺" in page.locator("main").inner_text()
    shot(page, "claim-page-nojs")
    tap("button.claim-confirm")
    page.wait_for_url(live_server.url + "/wishes/claims/")
    assert tap.count == 2 and Wish.objects.get(pk=wish.pk).status == "claimed"


def test_resident_sees_no_claim_button_on_their_own_wish(world, category, phone, live_server):
    wish = published(world, category)
    page = phone()
    login(page, live_server, "resident")
    page.goto(live_server.url + f"/wishes/{wish.pk}/")
    assert page.locator("a.claim").count() == 0
    page.goto(live_server.url + "/wishes/")
    assert page.locator("a.claim").count() == 0


def test_picker_finds_the_resident_as_the_worker_types(world, category, phone, live_server):
    resident = Resident.objects.get(user=world.user("resident"))
    page = phone()
    login(page, live_server, "gridworker")
    page.goto(live_server.url + "/wishes/enter/")
    assert page.locator("input[name=resident]").count() == 0
    tap = Taps(page)
    tap("#id_q")
    page.keyboard.type("秀梅", delay=50)
    choice = page.locator(f"input[name=resident][value='{resident.pk}']")
    choice.wait_for()
    assert choice.is_checked()  # the only match is chosen already
    assert "1幢" in page.locator("[data-picker-results]").inner_text()
    assert page.url == live_server.url + "/wishes/enter/"  # no page load: the API answered
    shot(page, "enter-picker")
    # The phone tail finds her too, and the list follows the typing.
    page.fill("#id_q", resident.phone[-4:])
    page.locator(f"input[name=resident][value='{resident.pk}']").wait_for()
    tap("#id_title")
    page.keyboard.type("想请人帮忙买菜")
    tap("form.form button.primary")
    page.wait_for_url(live_server.url + "/wishes/vetting/")
    wish = Wish.objects.get()
    assert (wish.resident, wish.entered_by) == (resident, world.user("grid_worker"))
    assert tap.count == 3 and no_sideways_overflow(page)


def test_picker_without_javascript_searches_with_the_page(world, category, phone, live_server):
    resident = Resident.objects.get(user=world.user("resident"))
    page = phone(js=False)
    login(page, live_server, "gridworker")
    page.goto(live_server.url + "/wishes/enter/")
    page.fill("#id_q", "王秀")
    page.click("#resident-search button[type=submit]")
    page.wait_for_url("**/wishes/enter/?q=*")
    page.check(f"input[name=resident][value='{resident.pk}']")
    page.fill("#id_title", "想请人帮忙买菜")
    page.click("form.form button.primary")
    page.wait_for_url(live_server.url + "/wishes/vetting/")
    assert Wish.objects.get().resident == resident

"""The installable app offline: the leader page read from the phone, visits logged without
signal and synced once, exactly, with their own times (Chromium, Playwright)."""

import datetime as dt
import json
import tempfile
import time

import pytest
from playwright.sync_api import expect

from apps.grids.models import GroupHousehold, Problem, ResponsibilityGroup, Visit
from tests import factories as f
from tests.conftest import CHROMIUM, login

pytestmark = pytest.mark.browser

OUTBOX = "() => TongxinOutbox.all(document.body.dataset.user)"


def _wait_count(page, state, n):
    # Locators, not wait_for_function: the page's Content-Security-Policy forbids the eval
    # that a string predicate needs.
    expect(page.locator(f".outbox-entry[data-state={state}]")).to_have_count(n, timeout=15_000)


KEPT = """async (path) => {
    for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        if (name.startsWith("tongxin-user-") && await cache.match(path, {ignoreVary: true})) {
            return true;
        }
    }
    return false;
}"""


def _wait_kept(page, url, timeout=15):
    deadline = time.monotonic() + timeout
    while not page.evaluate(KEPT, url):
        assert time.monotonic() < deadline, f"{url} not kept for offline use"
        page.wait_for_timeout(100)


def _ready_offline_page(page, live_server):
    """Log in and open the leader page once online: it is kept for offline reading."""
    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/grids/leader/")
    _wait_kept(page, f"{live_server.url}/grids/leader/")


def _log_visit(page, household, notes, problem=None):
    page.click(f"a.visit-link[data-household='{household.pk}']")
    page.fill("#id_notes", notes)
    if problem:
        page.click("#visit-form summary")
        page.select_option("#id_problem_category", "facility")
        page.fill("#id_problem_title", problem)
    page.click("#visit-form button[type=submit]")


def _entries(page, state=None):
    selector = ".outbox-entry" + (f"[data-state={state}]" if state else "")
    return page.locator(selector)


def test_visits_logged_offline_sync_once_with_the_time_they_were_made(
    world, group, households, browser_page, live_server
):
    page = browser_page
    f.ResidentFactory(household=households[0], name="欧阳秀英")
    _ready_offline_page(page, live_server)

    page.context.set_offline(True)
    page.reload()  # read from the phone: households, masked residents, open problems
    assert page.locator("#households li[data-household]").count() == 4
    row = page.locator(f"#households li[data-household='{households[0].pk}']")
    assert row.locator(".residents").inner_text() == "欧**英"

    _log_visit(page, households[0], "入户了解情况")
    _log_visit(page, households[1], "楼道有隐患", problem="楼道照明损坏")
    pending = _entries(page, "pending")
    pending.nth(1).wait_for()
    assert pending.count() == 2
    assert all("待同步" in t for t in pending.all_inner_texts())
    assert Visit.objects.count() == 0
    made = {e["household"]: e["body"]["visited_at"] for e in page.evaluate(OUTBOX)}

    page.context.set_offline(False)
    _wait_count(page, "synced", 2)
    assert all("已同步" in t for t in _entries(page, "synced").all_inner_texts())
    assert Visit.objects.count() == 2 and Problem.objects.count() == 1
    for visit in Visit.objects.all():
        sent = dt.datetime.fromisoformat(made[str(visit.household_id)].replace("Z", "+00:00"))
        assert visit.visited_at == sent  # the time on the phone, to the millisecond
        assert visit.created_at > visit.visited_at
        assert visit.group_id == group.pk
    assert Problem.objects.get().visit.household_id == households[1].pk

    # The phone sends the same requests again (a lost answer, the worker and the page at
    # once): the first answers come back and nothing is written.
    replays = page.evaluate(
        """async () => {
            const out = [];
            const token = document.cookie.split("; ")
                .find(c => c.startsWith("csrftoken=")).slice(10);
            for (const e of await TongxinOutbox.all(document.body.dataset.user)) {
                const r = await fetch("/api/visits/", {method: "POST", credentials: "same-origin",
                    headers: {"Content-Type": "application/json", "X-CSRFToken": token,
                              "Idempotency-Key": e.key},
                    body: JSON.stringify(e.body)});
                const replayed = r.headers.get("Idempotent-Replayed");
                out.push([r.status, replayed, (await r.json()).id, e.visit]);
            }
            return out;
        }"""
    )
    assert [(s, h) for s, h, _id, _v in replays] == [(201, "true"), (201, "true")]
    assert all(got == first for _s, _h, got, first in replays)
    assert Visit.objects.count() == 2 and Problem.objects.count() == 1


def test_a_household_moved_out_of_the_group_meanwhile_is_refused_and_kept(
    world, group, households, browser_page, live_server, make_member
):
    page = browser_page
    _ready_offline_page(page, live_server)
    page.context.set_offline(True)
    _log_visit(page, households[0], "正常走访")
    _log_visit(page, households[1], "已调整的户")
    _entries(page, "pending").nth(1).wait_for()

    # Meanwhile the secretary gives household 1 to another group.
    other = ResponsibilityGroup.objects.create(name="二组", grid=world.grid_a, leader=make_member())
    GroupHousehold.objects.filter(household=households[1]).update(group=other)

    page.context.set_offline(False)
    _wait_count(page, "refused", 1)
    _entries(page, "synced").first.wait_for()
    refused = _entries(page, "refused")
    assert refused.get_attribute("data-household") == str(households[1].pk)
    assert "该住户已不在您的网格组" in refused.locator(".reason").inner_text()
    assert list(Visit.objects.values_list("household_id", flat=True)) == [households[0].pk]

    # Kept on the phone: still there after a reload, until the user discards it.
    page.reload()
    _wait_count(page, "refused", 1)
    page.once("dialog", lambda d: d.accept())
    _entries(page, "refused").locator("button", has_text="放弃").click()
    _wait_count(page, "refused", 0)
    assert Visit.objects.count() == 1


def test_an_expired_login_keeps_the_visit_until_the_next_login(
    world, group, households, browser_page, live_server
):
    page = browser_page
    _ready_offline_page(page, live_server)
    page.context.set_offline(True)
    _log_visit(page, households[2], "登录过期前")
    _entries(page, "pending").first.wait_for()
    page.context.clear_cookies()  # the session is gone

    page.context.set_offline(False)
    page.locator(".outbox-entry[data-state=auth]").first.wait_for()
    assert "登录已过期" in page.locator("#net-status").inner_text()
    assert Visit.objects.count() == 0

    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/grids/leader/")
    page.locator(".outbox-entry[data-state=synced]").first.wait_for()
    assert Visit.objects.get().household_id == households[2].pk


def test_manifest_and_service_worker_pass_the_installability_checks(
    world, browser_page, live_server
):
    page = browser_page
    login(page, live_server, "leader")
    href = page.locator("link[rel=manifest]").get_attribute("href")
    response = page.request.get(live_server.url + href)
    assert response.ok and response.headers["content-type"] == "application/manifest+json"
    manifest = json.loads(response.text())
    assert manifest["name"] == "同心" and manifest["display"] == "standalone"
    assert manifest["start_url"] == "/" and manifest["theme_color"]
    sizes = {i["sizes"] for i in manifest["icons"] if i.get("purpose", "any") == "any"}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        got = page.request.get(live_server.url + icon["src"])
        assert got.ok and got.headers["content-type"] == "image/png"

    sw = page.request.get(live_server.url + "/sw.js")
    assert sw.headers["service-worker-allowed"] == "/"
    assert 'addEventListener("fetch"' in sw.text()
    assert (
        page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)") == live_server.url + "/"
    )
    page.reload()
    assert page.evaluate("!!navigator.serviceWorker.controller")

    # Chromium's own installability check (what its install prompt requires). Playwright's
    # contexts are incognito ("in-incognito" is then the only error): a real profile has none.
    cdp = page.context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [e["errorId"] for e in errors] == ["in-incognito"], errors
    with tempfile.TemporaryDirectory() as profile:
        context = page.context.browser.browser_type.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        try:
            own = context.new_page()
            login(own, live_server, "leader")
            own.evaluate("navigator.serviceWorker.ready.then(r => !!r.active)")
            own.reload()
            errors = context.new_cdp_session(own).send("Page.getInstallabilityErrors")
            assert errors["installabilityErrors"] == [], errors
        finally:
            context.close()


def test_logging_out_clears_the_pages_kept_for_offline_reading(
    world, group, households, browser_page, live_server
):
    page = browser_page
    _ready_offline_page(page, live_server)
    keys = "caches.keys().then(ks => ks.filter(k => k.startsWith('tongxin-user-')))"
    assert page.evaluate(keys) != []
    page.click(".tabbar a[data-tab=me]")
    page.click("#logout-link")  # 退出登录 asks first
    page.click("form.logout button[type=submit]")
    page.wait_for_url(f"{live_server.url}/login/")
    assert page.evaluate(keys) == []
    page.context.set_offline(True)
    page.goto(f"{live_server.url}/grids/leader/")  # nothing of the leader's left
    assert page.locator("#offline-fallback h1").inner_text() == "您当前处于离线状态"
    assert page.locator("#households").count() == 0


def test_the_very_first_page_loaded_is_kept_for_offline_reading(
    world, group, households, browser_page, live_server
):
    """A phone whose first page is the leader page (before the worker controlled it)."""
    page = browser_page
    page.goto(f"{live_server.url}/login/?next=/grids/leader/")
    page.fill("#id_username", "leader")
    page.fill("#id_password", "pass-1234")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/grids/leader/")
    url = f"{live_server.url}/grids/leader/"
    _wait_kept(page, url)
    # A page the worker did not see load asks it to keep a copy (app.js: "keep").
    page.evaluate("TongxinOutbox.clearReadCaches()")
    assert not page.evaluate(KEPT, url)
    page.evaluate(
        "url => navigator.serviceWorker.ready.then(r => r.active.postMessage({type: 'keep', url}))",
        url,
    )
    _wait_kept(page, url)
    page.context.set_offline(True)
    page.reload()
    assert page.locator("#households li[data-household]").count() == 4

"""The journeys of issue 14, each one browser test at 360×740 in zh-CN that counts taps:
submit → publish → claim → fulfil with a photo → confirm and rate; enter a wish for a
resident (代录); log a visit with a problem; import a roster from the downloaded template.

A tap is what a finger does on a phone: a click on a link or a button (a form submit is the
tap on its button), a tap into a text field before typing, two for a native drop-down or
file picker (open it, choose), one for a check box or a radio button. Typing is not a tap.
Each journey starts on the user's home page after login. The counts are written to
`<TONGXIN_ARTIFACTS_DIR or artifacts>/journey-taps.json` (kept by CI) and each must stay at
or under today's (`BOUNDS`); lower is better. The pages are being reworked, so everything is
found by its visible text or label, and optional steps (a confirmation sheet, a search
picker instead of a drop-down) are taken when they are there.
"""

import json
import os
import re
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from apps.grids.models import Problem, Visit
from apps.register.models import Member
from apps.wishes.models import Wish, WishCategory
from tests.conftest import login
from tests.grids.conftest import group, households  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

# Today's counts (issue 14): the upper bound each journey must keep.
BOUNDS = {
    "submit_wish": 6,
    "publish_wish": 2,  # not in the issue: measured here on 2026-11-27
    "claim_from_home": 3,  # 2 before finding 6: the confirmation sheet is the one more tap
    "fulfil_with_photo": 5,  # measured
    "confirm_and_rate": 4,  # measured
    "enter_for_resident": 10,  # 9 + 1
    "visit_with_problem": 9,
    "import_roster": 10,
}
ARTIFACT = Path(os.environ.get("TONGXIN_ARTIFACTS_DIR", "artifacts")) / "journey-taps.json"


def _record(name: str, taps: "Taps") -> None:
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    counts = json.loads(ARTIFACT.read_text()) if ARTIFACT.exists() else {}
    counts[name] = {"taps": taps.count, "bound": BOUNDS[name], "steps": taps.steps}
    ARTIFACT.write_text(json.dumps(counts, ensure_ascii=False, indent=2))
    print(f"journey {name}: {taps.count} taps (today {BOUNDS[name]}): {' · '.join(taps.steps)}")
    assert taps.count <= BOUNDS[name], taps.steps


class Taps:
    """Drives the page and counts the taps it takes."""

    def __init__(self, page):
        self.page = page
        self.count = 0
        self.steps: list[str] = []

    def _add(self, n: int, what: str) -> None:
        self.count += n
        self.steps.append(what)

    def click(self, locator, what: str) -> None:
        locator.click()
        self._add(1, what)

    def type(self, locator, text: str, what: str) -> None:
        focused = locator.evaluate("el => el === document.activeElement")
        locator.fill(text)
        self._add(0 if focused else 1, what)

    def choose(self, locator, what: str, **option) -> None:
        locator.select_option(**option)
        self._add(2, what)

    def pick_file(self, locator, path, what: str) -> None:
        locator.set_input_files(str(path))
        self._add(2, what)

    def tile(self, name: str) -> None:
        """A home tile (or a tab of the tab bar) by its text."""
        link = self.page.get_by_role("link", name=re.compile(name)).first
        self.click(link, name)


def button(page, name: str):
    return page.get_by_role("button", name=re.compile(name)).first


def maybe_confirm(taps: Taps, on_page: str | None = None) -> None:
    """Take a confirmation's button if one opened (issue 14, finding 6): a sheet (a dialog)
    or, when `on_page` names it (e.g. 确认认领), a button on the page that is not the one
    just tapped."""
    page = taps.page
    page.wait_for_load_state()
    sheet = page.get_by_role("dialog").filter(visible=True)
    if sheet.count():
        confirm = sheet.get_by_role("button", name=re.compile("^(确认|确定)"))
        taps.click(confirm.first, "确认")
        page.wait_for_load_state()
        return
    if on_page:
        confirm = page.get_by_role("button", name=re.compile(on_page)).filter(visible=True)
        if confirm.count():
            taps.click(confirm.first, on_page)
            page.wait_for_load_state()


def logout(page) -> None:
    page.context.clear_cookies()


def eventually(check, timeout: float = 15) -> None:
    end = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.1)


@pytest.fixture
def phone_page(browser_page):
    browser_page.set_viewport_size({"width": 360, "height": 740})
    return browser_page


@pytest.fixture
def category(db):
    # get_or_create: transactional tests flush the rows the data migration loaded.
    return WishCategory.objects.get_or_create(name="助老", defaults={"order": 40})[0]


@pytest.fixture
def photo(tmp_path):
    from PIL import Image

    path = tmp_path / "修好了.jpg"
    Image.new("RGB", (64, 48), (200, 30, 40)).save(path, "JPEG")
    return path


def test_wish_journey_submit_publish_claim_fulfil_confirm(
    world, category, phone_page, live_server, photo, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    page = phone_page

    login(page, live_server, "resident")
    taps = Taps(page)
    taps.tile("提交心愿")
    taps.type(page.get_by_label(re.compile("心愿")).first, "想请人帮忙修理收音机", "心愿")
    taps.choose(page.get_by_label("类别"), "类别", label="助老")
    taps.type(page.get_by_label(re.compile("说明")).first, "收音机没有声音了", "说明")
    taps.click(button(page, "提交"), "提交")
    eventually(lambda: Wish.objects.filter(title="想请人帮忙修理收音机").exists())
    _record("submit_wish", taps)
    logout(page)

    login(page, live_server, "gridworker")
    taps = Taps(page)
    taps.tile("心愿审核")
    taps.click(button(page, "发布"), "通过并发布")
    maybe_confirm(taps)
    eventually(lambda: Wish.objects.get().status == "published")
    _record("publish_wish", taps)
    logout(page)

    login(page, live_server, "member")
    taps = Taps(page)
    taps.tile("心愿墙")
    claim = page.get_by_role("link", name=re.compile("我来认领")).or_(button(page, "认领")).first
    taps.click(claim, "我来认领")
    maybe_confirm(taps, on_page="^(确认|确定)认领")
    eventually(lambda: Wish.objects.get().status == "claimed")
    _record("claim_from_home", taps)

    page.goto(live_server.url + "/")
    taps = Taps(page)
    taps.tile("我的认领")
    note = page.get_by_label("完成情况").or_(page.locator("textarea[name=note]"))
    taps.type(note.first, "已修好，送回家中", "完成情况")
    taps.pick_file(page.locator("input[type=file][name=photo]").first, photo, "照片")
    taps.click(button(page, "完成"), "标记已完成")
    maybe_confirm(taps)
    eventually(lambda: Wish.objects.get().status == "fulfilled")
    _record("fulfil_with_photo", taps)
    logout(page)

    login(page, live_server, "resident")
    taps = Taps(page)
    taps.tile("我的心愿")
    taps.click(page.get_by_label(re.compile("4")).first, "4 星")
    taps.type(page.get_by_label(re.compile("说几句")).first, "非常感谢", "评价")
    taps.click(button(page, "确认完成"), "确认完成")
    maybe_confirm(taps)
    eventually(lambda: Wish.objects.get().status == "closed")
    _record("confirm_and_rate", taps)
    wish = Wish.objects.get()
    assert (wish.rating, wish.rating_comment) == (4, "非常感谢")
    assert wish.claims.get().fulfil_photo.name.startswith("claims/")


def test_enter_a_wish_for_a_resident(world, category, phone_page, live_server):
    page = phone_page
    login(page, live_server, "gridworker")
    taps = Taps(page)
    taps.tile("为居民代录")
    picker = page.locator("select#id_resident")
    if picker.count():
        option = picker.locator("option", has_text="王秀梅").first.get_attribute("value")
        taps.choose(picker, "居民", value=option)
    else:  # a search-as-you-type picker
        search = page.get_by_role("combobox").or_(page.get_by_role("searchbox")).first
        taps.type(search, "王秀梅", "搜索居民")
        choice = page.get_by_role("option", name=re.compile("王秀梅"))
        choice = choice.or_(page.get_by_role("radio", name=re.compile("王秀梅"))).first
        choice.wait_for()
        if choice.get_attribute("type") != "radio" or not choice.is_checked():
            taps.click(choice, "选中居民")  # the only match is chosen already
    taps.type(page.get_by_label(re.compile("心愿")).first, "想要一台助听器", "心愿")
    taps.choose(page.get_by_label("类别"), "类别", label="助老")
    taps.type(page.get_by_label(re.compile("说明")).first, "耳朵不好", "说明")
    taps.click(button(page, "提交"), "提交")
    eventually(lambda: Wish.objects.filter(title="想要一台助听器").exists())
    wish = Wish.objects.get(title="想要一台助听器")
    assert wish.resident.name == "王秀梅"
    _record("enter_for_resident", taps)


def test_group_leader_logs_a_visit_with_a_problem(
    world,
    group,  # noqa: F811
    phone_page,
    live_server,
):
    page = phone_page
    login(page, live_server, "leader")
    taps = Taps(page)
    taps.tile("我的责任片")
    visit = page.get_by_role("link", name=re.compile("登记走访")).or_(page.locator("a.visit-link"))
    taps.click(visit.first, "登记走访")
    taps.type(page.get_by_label("走访记录"), "入户了解情况", "走访记录")
    taps.click(page.get_by_text("发现问题").first, "发现问题")
    taps.choose(page.locator("#id_problem_category"), "问题类别", value="facility")
    taps.type(page.get_by_label("问题", exact=True), "楼道照明损坏", "问题")
    taps.type(page.get_by_label("说明", exact=True), "三楼灯不亮", "说明")
    taps.click(button(page, "保存"), "保存走访")
    eventually(lambda: Problem.objects.filter(title="楼道照明损坏").exists())
    assert Visit.objects.count() == 1
    _record("visit_with_problem", taps)


def test_import_a_roster_from_the_downloaded_template(world, phone_page, live_server, tmp_path):
    page = phone_page
    login(page, live_server, "admin")
    taps = Taps(page)
    taps.tile("名册导入导出")
    kind_label = "党员"
    row = page.get_by_role("row", name=re.compile(kind_label)).first
    with page.expect_download() as download:
        taps.click(row.get_by_role("link", name=re.compile("模板")).first, "下载模板")
    template = tmp_path / "党员模板.xlsx"
    download.value.save_as(template)

    # Filled in on the computer (not taps): one member on the first sheet.
    book = load_workbook(template)
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    values = {
        "姓名": "钱新员",
        "性别": "男",
        "手机号": "13712340001",
        "所在支部": "海城社区党支部",
        "报到社区": "大榭街道/海城社区",
        "党员类型": "在职",
        "入党日期": "2020-07-01",
    }
    for column, header in enumerate(headers, 1):
        sheet.cell(row=2, column=column, value=values.get(str(header).rstrip("*")))
    book.save(template)

    kind = page.get_by_label("名册类型")
    members = kind.locator("option", has_text=kind_label).first.get_attribute("value")
    if kind.input_value() != members:
        taps.choose(kind, "名册类型", value=members)
    taps.pick_file(page.locator("input[type=file]").first, template, "选择文件")
    taps.click(button(page, "上传"), "上传并预览")
    taps.click(button(page, "确认导入"), "确认导入")
    maybe_confirm(taps)
    eventually(lambda: Member.objects.filter(phone="13712340001").exists(), timeout=60)
    _record("import_roster", taps)


def test_login_by_sms_code_on_a_phone(world, phone_page, live_server, settings, tmp_path):
    """Login by SMS code (issue 14): from the login page, 短信验证码登录 → phone → 获取验证码
    → the code from the SMS channel's development outbox → 登录; the controls are large."""
    from apps.notifications import transports

    settings.TONGXIN = {**settings.TONGXIN, "NOTIFY_SMS_DEV": True}
    resident = world.user("resident")
    resident.phone = "13900000011"
    resident.save()
    transports.SMS_DEV_OUTBOX.clear()
    page = phone_page
    page.goto(live_server.url + "/login/")
    page.get_by_role("link", name="短信验证码登录").click()
    page.get_by_label("手机号").fill("13900000011")
    page.get_by_role("button", name="获取验证码").click()
    assert "验证码已发出" in page.locator(".messages").inner_text()
    code = re.search(r"\d{6}", transports.SMS_DEV_OUTBOX[-1][1]).group(0)
    for control in (page.get_by_label("短信验证码"), page.get_by_role("button", name="登录")):
        box = control.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
    page.screenshot(path=str(tmp_path / "sms-login.png"), full_page=True)
    page.get_by_label("短信验证码").fill(code)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")
    assert "王秀梅" in page.locator("h1").inner_text()
    transports.SMS_DEV_OUTBOX.clear()

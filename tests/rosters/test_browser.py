"""The administrator's whole flow in a real browser: upload → preview with an error →
upload the fixed file → confirm → live progress bar → done."""

import threading
import time

import pytest
from django.db import connection

from apps.register.models import Member
from apps.rosters import services, tasks
from tests.conftest import login

from .helpers import MEMBER_HEADER, csv_bytes, member_row

pytestmark = pytest.mark.browser


@pytest.fixture
def slow_worker(monkeypatch, settings):
    """The import task runs in a background thread, a moment after it is queued, in small
    batches: as a worker would, so that the page has a running import to watch."""
    settings.TONGXIN = {**settings.TONGXIN, "ROSTERS_BATCH_SIZE": 100}
    threads = []

    def delay(job_id):
        def work():
            time.sleep(1.0)
            try:
                services.import_job_run(job_id=job_id)
            finally:
                connection.close()

        thread = threading.Thread(target=work)
        threads.append(thread)
        thread.start()

    monkeypatch.setattr(tasks.roster_import_task, "delay", delay)
    yield
    for thread in threads:
        thread.join(timeout=30)


def test_upload_preview_fix_confirm_progress_done(
    world, browser_page, live_server, tmp_path, settings, slow_worker
):
    settings.MEDIA_ROOT = tmp_path / "media"
    page = browser_page
    bad = tmp_path / "党员.csv"
    bad.write_bytes(csv_bytes([MEMBER_HEADER, member_row(1), member_row(2, 手机号="1234")]))
    good = tmp_path / "党员-修正.csv"
    good.write_bytes(csv_bytes([MEMBER_HEADER, *[member_row(i) for i in range(1, 1501)]]))

    login(page, live_server, "admin")
    page.click("text=名册导入导出")
    page.select_option("#id_kind", "members")
    page.set_input_files("#id_file", str(bad))
    page.click("#upload-form button[type=submit]")

    errors = page.locator("#errors")
    errors.wait_for()
    assert "1 个错误，没有写入任何数据" in errors.inner_text()
    first = errors.locator("tbody tr").first.inner_text()
    assert "3" in first and "手机号" in first and "以1开头的11位数字" in first
    assert page.locator("#confirm").count() == 0

    page.click("text=上传修改后的文件")
    assert page.locator("#id_kind").input_value() == "members"
    page.set_input_files("#id_file", str(good))
    page.click("#upload-form button[type=submit]")
    assert "1500 条新增，0 条更新，0 条未变" in page.locator("#counts").inner_text()
    assert "党员1" in page.locator("#changes").inner_text()
    assert not Member.objects.filter(phone__startswith="137").exists()

    page.click("#confirm")
    page.locator("#progress-bar").wait_for()  # the live progress bar while it runs
    # The stage and real counts from the first moment (issue 14, finding 13): never 0 / 0.
    seen, deadline = set(), time.monotonic() + 60
    while not page.locator("#job-status[data-status=done]").count():
        assert time.monotonic() < deadline, seen
        # (no waiting: the progress block is replaced while it runs)
        seen.update(page.locator("#progress-stage").all_inner_texts())
        page.wait_for_timeout(100)
    assert seen and not any("0 / 0" in text for text in seen), seen
    assert any("1500 行" in text for text in seen), seen
    assert page.locator(".step.step-done").count() == 4
    assert "1500 条新增" in page.locator("#job-detail").inner_text()
    assert Member.objects.filter(phone__startswith="137").count() == 1500

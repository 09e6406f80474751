"""The page flow and the Celery task path (eager): upload → preview → confirm → import."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from apps.core.errors import AppError
from apps.register.models import Member
from apps.rosters import services
from apps.rosters.models import ImportJob
from apps.rosters.tasks import roster_import_task, roster_preview_task

from .helpers import MEMBER_HEADER, csv_bytes, member_row, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.user("administrator"))
    return client


def upload(client, rows, *, name="members.xlsx", kind="members", capture):
    data = (
        xlsx_bytes([MEMBER_HEADER, *rows])
        if name.endswith("xlsx")
        else csv_bytes([MEMBER_HEADER, *rows])
    )
    with capture(execute=True):
        response = client.post(
            reverse("rosters:upload"), {"kind": kind, "file": SimpleUploadedFile(name, data)}
        )
    assert response.status_code == 302, response.content.decode()[:500]
    return ImportJob.objects.latest("pk"), response


def test_preview_with_errors_then_fixed_file_then_import(
    admin_client, world, django_capture_on_commit_callbacks
):
    bad = [member_row(1), member_row(2, 手机号="12345")]
    job, response = upload(admin_client, bad, capture=django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.INVALID
    page = admin_client.get(response["Location"]).content.decode()
    assert "1 个错误，没有写入任何数据" in page and "手机号应为以1开头的11位数字" in page

    # The file back with an error column on the bad row.
    download = admin_client.get(reverse("rosters:error-file", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(download.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == "错误信息" and rows[1][-1] in ("", None)
    assert rows[2][-1] == "手机号：手机号应为以1开头的11位数字。"

    good = [member_row(1), member_row(2)]
    job, response = upload(admin_client, good, capture=django_capture_on_commit_callbacks)
    assert (job.status, job.new, job.rows_total) == ("previewed", 2, 2)
    page = admin_client.get(response["Location"]).content.decode()
    assert "2 条新增，0 条更新，0 条未变" in page and "确认导入" in page and "党员1" in page
    assert not Member.objects.filter(phone__startswith="137").exists()

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("rosters:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.new, job.rows_done, job.finished_at is not None) == ("done", 2, 2, True)
    assert Member.objects.filter(phone__startswith="137").count() == 2
    progress = admin_client.get(reverse("rosters:progress", args=[job.pk])).json()
    assert progress["status"] == "done" and progress["percent"] == 100 and not progress["active"]

    # Confirming again is refused; the same file again reports everything unchanged.
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("rosters:confirm", args=[job.pk]))
    assert Member.objects.filter(phone__startswith="137").count() == 2
    job, _ = upload(admin_client, good, capture=django_capture_on_commit_callbacks)
    assert (job.new, job.updated, job.unchanged) == (0, 0, 2)


def test_tasks_are_safe_to_run_twice(world, django_capture_on_commit_callbacks):
    data = csv_bytes([MEMBER_HEADER, member_row(1)])
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_create(
            user=world.user("administrator"),
            kind="members",
            upload=SimpleUploadedFile("m.csv", data),
        )
    roster_preview_task.delay(job.pk)  # a second delivery: nothing to do
    job.refresh_from_db()
    assert job.status == "previewed"
    with django_capture_on_commit_callbacks(execute=True):
        services.import_job_confirm(job=job, user=world.user("administrator"))
    roster_import_task.delay(job.pk)
    job.refresh_from_db()
    assert (job.status, job.new) == ("done", 1)
    assert Member.objects.filter(phone="13700000001").count() == 1
    # One history row per move made, none for the second deliveries.
    moves = list(job.events.values_list("move", "to_status"))
    assert moves == [
        ("upload", "previewing"),
        ("pass_preview", "previewed"),
        ("confirm", "queued"),
        ("start", "running"),
        ("finish", "done"),
    ]
    assert job.events.get(move="confirm").actor == world.user("administrator")


def test_data_changed_between_preview_and_import_fails_without_writing(
    world, django_capture_on_commit_callbacks, other_street
):
    data = csv_bytes([MEMBER_HEADER, member_row(1), member_row(2)])
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_create(
            user=world.user("administrator"),
            kind="members",
            upload=SimpleUploadedFile("m.csv", data),
        )
    # After the preview, row 2's phone appears on a member of another street.
    Member.objects.create(
        name="x",
        phone="13700000002",
        branch=other_street["branch"],
        community=other_street["community"],
        kind="employed",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.import_job_confirm(job=job, user=world.user("administrator"))
    job.refresh_from_db()
    assert job.status == "failed" and "管辖范围之外" in job.errors[0]["message"]
    assert not Member.objects.filter(phone="13700000001").exists()


def test_pages_are_for_those_who_may_import(client, world):
    client.force_login(world.user("member"))
    assert client.get(reverse("rosters:upload")).status_code == 403
    client.force_login(world.user("administrator"))
    page = client.get(reverse("rosters:upload")).content.decode()
    assert "党员名册" in page and "下载模板" in page


def test_a_job_is_visible_only_to_its_uploader(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_create(
            user=world.user("administrator"),
            kind="members",
            upload=SimpleUploadedFile("m.csv", csv_bytes([MEMBER_HEADER, member_row(1)])),
        )
    client.force_login(world.user("secretary"))
    assert client.get(reverse("rosters:job", args=[job.pk])).status_code == 404
    assert client.get(reverse("rosters:progress", args=[job.pk])).status_code == 404
    assert client.post(reverse("rosters:confirm", args=[job.pk])).status_code == 404


def test_bad_upload_is_a_message_not_a_500(admin_client):
    response = admin_client.post(
        reverse("rosters:upload"), {"kind": "members", "file": SimpleUploadedFile("a.pdf", b"x")}
    )
    assert (
        response.status_code == 200
        and "只支持 .xlsx、.xls、.ods 和 .csv 文件" in response.content.decode()
    )
    response = admin_client.post(reverse("rosters:upload"), {"kind": "members"})
    assert "请选择要上传的文件" in response.content.decode()


def test_unreadable_file_preview_shows_the_reason(admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("rosters:upload"),
            {
                "kind": "members",
                "file": SimpleUploadedFile("m.csv", csv_bytes([["姓名"], ["张三"]])),
            },
        )
    job = ImportJob.objects.latest("pk")
    assert job.status == "invalid" and "缺少必需的列" in job.detail
    assert (
        "缺少必需的列" in admin_client.get(reverse("rosters:job", args=[job.pk])).content.decode()
    )


@pytest.mark.parametrize(
    "kind", ["members", "households", "residents", "party_orgs", "organisations"]
)
def test_templates_have_headers_lists_and_the_example_on_its_own_sheet(admin_client, kind):
    """Finding 10 of issue 14: the sheet that is imported has no example row to delete."""
    from apps.rosters.columns import CHOICE, ROSTERS

    response = admin_client.get(reverse("rosters:template", args=[kind]))
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    roster = ROSTERS[kind]
    assert [c.value for c in sheet[1]] == [c.zh for c in roster.columns]
    assert all(c.value is None for c in sheet[2])
    lists = {v.formula1 for v in sheet.data_validations.dataValidation}
    for column in roster.columns:
        if column.type == CHOICE:
            assert '"' + ",".join(column.labels()) + '"' in lists
    assert [s.title for s in book.worksheets[1:]] == ["填写说明", "示例"]
    example = book.worksheets[2]
    assert [c.value for c in example[2]] == [c.example for c in roster.columns]
    help_text = " ".join(str(c.value) for row in book.worksheets[1].iter_rows() for c in row)
    assert "系统中已有的名称" in help_text and "不会导入" in help_text


def test_the_members_template_imports_its_example_once_copied(world, admin_client):
    """The example names the demo's branch (海城第1网格党支部) and places; copied into the
    first sheet it imports."""
    from apps.register.models import PartyOrg
    from tests import factories as f

    f.party_org("海城第1网格党支部", PartyOrg.Kind.BRANCH, world.branch_a, area=world.grid_a)
    response = admin_client.get(reverse("rosters:template", args=["members"]))
    with pytest.raises(AppError) as as_is:  # nothing to delete before filling in
        services.roster_import(kind="members", data=response.content, filename="t.xlsx")
    assert as_is.value.code == "no_rows"
    book = load_workbook(io.BytesIO(response.content))
    book.worksheets[0].append([c.value for c in book.worksheets[2][2]])
    out = io.BytesIO()
    book.save(out)
    result = services.roster_import(
        kind="members", data=out.getvalue(), filename="t.xlsx", dry_run=True
    )
    assert result.ok and result.new == 1, result.errors
    # Where the example's branch is missing, the error says what to write instead.
    PartyOrg.objects.filter(name="海城第1网格党支部").delete()
    missing = services.roster_import(
        kind="members", data=out.getvalue(), filename="t.xlsx", dry_run=True
    )
    assert "请填写系统中已有的名称" in missing.errors[0]["message"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_downloads(admin_client, fmt):
    response = admin_client.get(reverse("rosters:export", args=["members", fmt]))
    assert response.status_code == 200 and response.content
    assert "attachment" in response["Content-Disposition"]


def test_a_preview_that_crashes_still_ends(world, monkeypatch, django_capture_on_commit_callbacks):
    def boom(**kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(services, "roster_import", boom)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_create(
            user=world.user("administrator"),
            kind="members",
            upload=SimpleUploadedFile("m.csv", csv_bytes([MEMBER_HEADER, member_row(1)])),
        )
    job.refresh_from_db()
    assert job.status == "invalid" and "无法预览" in job.detail
    assert not services.import_job_progress(job=job)["active"]  # the page stops polling


def _steps(progress) -> list[tuple[str, str, str]]:
    return [(s["label"], s["state"], s["count"]) for s in progress["steps"]]


def test_embedded_import_shows_every_stage_with_real_counts(
    admin_client, world, django_capture_on_commit_callbacks
):
    """Finding 13 of issue 14: with tasks in-process the import ends inside the request; the
    page still shows 上传 → 检查 → 写入 → 完成, each with its count."""
    job, response = upload(
        admin_client,
        [member_row(i) for i in range(1, 4)],
        capture=django_capture_on_commit_callbacks,
    )
    previewed = admin_client.get(response["Location"]).content.decode()
    assert "3 行" in previewed and 'class="step step-current"' not in previewed
    progress = services.import_job_progress(job=job)
    assert _steps(progress) == [
        ("上传", "done", ""),
        ("检查", "done", "3 行"),
        ("写入", "todo", ""),
        ("完成", "todo", ""),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("rosters:confirm", args=[job.pk]))
    page = admin_client.get(reverse("rosters:job", args=[job.pk])).content.decode()
    assert page.count("step step-done") == 4
    job.refresh_from_db()
    assert _steps(services.import_job_progress(job=job))[2:] == [
        ("写入", "done", "3 行"),
        ("完成", "done", "新增 3，更新 0"),
    ]


def test_a_queued_or_running_import_never_shows_zero_of_zero(
    admin_client, world, django_capture_on_commit_callbacks
):
    """With a worker: between 确认导入 and the task reading the file, the total is the
    preview's; while it writes, the live counts."""
    job, _response = upload(
        admin_client,
        [member_row(i) for i in range(1, 6)],
        capture=django_capture_on_commit_callbacks,
    )
    admin_client.post(reverse("rosters:confirm", args=[job.pk]))  # the task is not run
    job.refresh_from_db()
    queued = services.import_job_progress(job=job)
    assert (queued["status"], queued["total"]) == ("queued", 5)
    assert queued["stage_label"] == "排队等待写入：共 5 行"
    assert _steps(queued)[2][1] == "current"
    services._reporter(job)("reading", 0, 0)
    ImportJob.objects.filter(pk=job.pk).update(status="running")
    job.refresh_from_db()
    assert services.import_job_progress(job=job)["total"] == 5
    services._reporter(job)("writing", 2, 5)
    running = services.import_job_progress(job=job)
    assert (running["stage_label"], running["percent"]) == ("正在写入：2 / 5 行", 40)
    page = admin_client.get(reverse("rosters:job", args=[job.pk])).content.decode()
    assert "正在写入：2 / 5 行" in page and "import-progress.js" in page


def test_the_preview_lists_each_change_as_a_readable_item(
    admin_client, world, django_capture_on_commit_callbacks
):
    """Finding 10: no three-column table that squeezes the record to a character a line."""
    job, response = upload(
        admin_client, [member_row(1)], capture=django_capture_on_commit_callbacks
    )
    page = admin_client.get(response["Location"]).content.decode()
    changes = page[page.index('id="changes"') :]
    assert '<ul class="changes">' in changes and "<table" not in changes.split("</section>")[0]
    assert "第 2 行" in changes and "党员1" in changes

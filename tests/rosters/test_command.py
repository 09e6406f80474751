from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.register.models import Member

from .helpers import MEMBER_HEADER, csv_bytes, member_row, xlsx_bytes

pytestmark = pytest.mark.django_db


def call(*args) -> str:
    out = StringIO()
    call_command("import_roster", *args, stdout=out)
    return out.getvalue()


def test_import_prints_progress_summary_and_is_idempotent(world, tmp_path):
    path = tmp_path / "members.xlsx"
    path.write_bytes(xlsx_bytes([MEMBER_HEADER, *[member_row(i) for i in range(1, 4)]]))
    out = call("members", str(path))
    assert "校验 [" in out and "写入 [" in out and "3/3" in out
    assert "3 行：3 条新增，0 条更新，0 条未变" in out and "导入完成" in out
    assert Member.objects.filter(phone__startswith="137").count() == 3
    assert "0 条新增，0 条更新，3 条未变" in call("members", str(path))


def test_dry_run_writes_nothing(world, tmp_path):
    path = tmp_path / "members.csv"
    path.write_bytes(csv_bytes([MEMBER_HEADER, member_row(1)]))
    out = call("members", str(path), "--dry-run")
    assert "1 条新增" in out and "试运行" in out
    assert not Member.objects.filter(phone__startswith="137").exists()


def test_errors_are_listed_with_row_and_column_and_the_command_fails(world, tmp_path):
    path = tmp_path / "members.csv"
    path.write_bytes(csv_bytes([MEMBER_HEADER, member_row(1), member_row(2, 性别="?")]))
    out = StringIO()
    with pytest.raises(CommandError, match="导入未完成"):
        call_command("import_roster", "members", str(path), stdout=out)
    assert "1 个错误，没有写入任何数据" in out.getvalue()
    assert "第 3 行 [性别]：“?”不是有效的选项" in out.getvalue()
    assert not Member.objects.filter(phone__startswith="137").exists()


def test_an_unreadable_file_is_a_clear_command_error(world, tmp_path):
    path = tmp_path / "members.csv"
    path.write_bytes(csv_bytes([["姓名"], ["张三"]]))
    with pytest.raises(CommandError, match="缺少必需的列"):
        call("members", str(path))
    with pytest.raises(CommandError, match="文件不存在"):
        call("members", str(tmp_path / "missing.csv"))

"""Finding 8 (issue 13): an xlsx whose members unpack to far more than the upload (a zip
bomb, e.g. 2.9 MB of shared strings unpacking to 1 GB) is refused from the zip's directory,
before any member is decompressed."""

import io
import os
import zipfile

import openpyxl
import pytest
from django.conf import settings as django_settings

from apps.core.errors import InvalidInput
from apps.rosters.parsing import read_table


def _workbook_with(extra_name: str, extra: bytes) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["姓名", "手机号"])
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == extra_name:
                data = extra
            dst.writestr(item.filename, data)
        if extra_name not in src.namelist():
            dst.writestr(extra_name, extra)
    return out.getvalue()


def test_shared_strings_that_unpack_hundreds_of_times_larger_are_refused():
    bomb = b"<sst>" + b"<si><t>aaaaaaaa</t></si>" * 400_000 + b"</sst>"  # ~9.6 MB, ~1000x
    data = _workbook_with("xl/sharedStrings.xml", bomb)
    assert len(data) < 200_000
    with pytest.raises(InvalidInput) as exc:
        read_table(data, "bomb.xlsx")
    assert exc.value.code == "zip_bomb"


def test_members_that_unpack_past_the_limit_are_refused(settings):
    settings.TONGXIN = {**django_settings.TONGXIN, "ROSTERS_MAX_UNPACKED_MB": 1}
    data = _workbook_with("xl/media/noise.bin", os.urandom(2 * 1024 * 1024))
    with pytest.raises(InvalidInput) as exc:
        read_table(data, "big.xlsx")
    assert exc.value.code == "unpacked_too_large"


def test_an_ordinary_workbook_still_reads():
    data = _workbook_with("docProps/custom.xml", b"<x/>")
    assert read_table(data, "ok.xlsx")


def test_celery_workers_are_replaced_past_a_memory_limit():
    from config.celery import app

    limit = app.conf.worker_max_memory_per_child
    assert limit == django_settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD
    assert 0 < limit <= 1_000_000  # KiB

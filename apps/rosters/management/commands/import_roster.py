"""python manage.py import_roster KIND FILE [--dry-run]: import a roster as an operator
(no scope limit), all or nothing, with a progress bar, the summary and every error."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.core.errors import AppError
from apps.rosters.columns import ROSTERS
from apps.rosters.services import roster_import

STAGES = {"validating": "校验", "writing": "写入"}


class Command(BaseCommand):
    help = "导入名册（CSV 或 xlsx）：全部成功才写入；--dry-run 只校验并统计。"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(ROSTERS))
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument("--max-errors", type=int, default=200, help="最多打印多少条错误")

    def handle(self, *args, kind, file, dry_run, max_errors, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        started = time.monotonic()
        self._last, self._stage = 0.0, ""
        try:
            result = roster_import(
                kind=kind,
                data=path.read_bytes(),
                filename=path.name,
                dry_run=dry_run,
                progress=self._progress,
            )
        except AppError as exc:
            raise CommandError(exc.detail) from exc
        self.stdout.write("")
        elapsed = time.monotonic() - started
        for notice in result.notices:
            self.stdout.write(f"提示：{notice}")
        self.stdout.write(f"{result.total} 行：{result.summary()}（{elapsed:.1f} 秒）")
        if result.errors:
            self.stdout.write(self.style.ERROR(f"{len(result.errors)} 个错误，没有写入任何数据："))
            for error in result.errors[:max_errors]:
                column = f" [{error['column']}]" if error["column"] else ""
                self.stdout.write(f"  第 {error['row']} 行{column}：{error['message']}")
            if len(result.errors) > max_errors:
                self.stdout.write(f"  …… 另有 {len(result.errors) - max_errors} 个错误")
            raise CommandError("导入未完成：请修正以上错误后重试。")
        if dry_run:
            self.stdout.write(self.style.WARNING("试运行（--dry-run）：没有写入任何数据。"))
        else:
            self.stdout.write(self.style.SUCCESS("导入完成。"))

    def _progress(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage == self._stage and done < total and now - self._last < 0.2:
            return
        if self._stage and stage != self._stage:
            self.stdout.write("")  # keep the finished stage's bar on its own line
        self._stage = stage
        self._last = now
        width = 30
        filled = int(width * done / total) if total else width
        bar = "█" * filled + "·" * (width - filled)
        label = STAGES.get(stage, stage)
        self.stdout.write(f"\r{label} [{bar}] {done}/{total}", ending="")
        self.stdout.flush()

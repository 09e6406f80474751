import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings_production",
        SECRET_KEY="a-long-random-production-key-for-the-test-0f9e8d7c6b5a4f3e2d1c0b9a8",
        ALLOWED_HOSTS="tongxin.example.cn",
    )
    assert result.returncode == 0, result.stderr + result.stdout


def _python(code, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_no_secret_key_without_debug_refuses_to_serve():
    result = _python("import config.wsgi", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_no_secret_key_without_debug_refuses_to_run_the_worker():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "celery"), "-A", "config", "worker", "--pool=solo"],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k != "DEBUG"}, "SECRET_KEY": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_no_secret_key_without_debug_fails_the_deploy_check():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY="")
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout


def test_commands_that_sign_nothing_run_without_a_secret_key():
    result = _manage("makemigrations", "--check", "--dry-run", SECRET_KEY="")
    assert result.returncode == 0, result.stderr + result.stdout


def test_database_connections_are_reused():
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0

"""Production settings pass `manage.py check --deploy` with no warning at all."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _check(**extra: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ctip.settings.production",
        "CTIP_SECRET_KEY": secrets.token_urlsafe(60),
        "CTIP_ALLOWED_HOSTS": "ctip.example.org",
        "DATABASE_URL": "postgres://ctip_app@db.example.org:5432/ctip",
        **extra,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    result = _check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_turning_off_one_time_codes_fails_the_deploy_check():
    result = _check(CTIP_REQUIRE_OTP="0", CTIP_LOCKOUT_ENABLED="0")
    assert result.returncode != 0
    assert "ctip.W001" in result.stderr and "ctip.W002" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _check(CTIP_SECRET_KEY="")
    assert result.returncode != 0 and "CTIP_SECRET_KEY" in result.stderr

"""Production mode: `manage.py check --deploy` is clean and logs are one JSON object per line."""

import json
import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def _production(*args: str) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "ADV_ENV": "production",
        "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-0123456789",
        "ALLOWED_HOSTS": "adv.example.com",
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    }
    environment.pop("DEBUG", None)
    environment.pop("LOG_JSON", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_in_production_mode():
    result = _production("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_logs_are_json_lines_with_the_request_id():
    result = _production("shell", "-c", "import logging; logging.getLogger('adv.probe').warning('disk almost full')")
    [line] = [line for line in result.stderr.splitlines() if "disk almost full" in line]
    record = json.loads(line)
    assert record["levelname"] == "WARNING" and record["name"] == "adv.probe"
    assert record["message"] == "disk almost full"
    assert "request_id" in record and "tenant_id" in record

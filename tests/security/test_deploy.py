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
    # set in this process by the browser tests (Playwright's event loop), never in production
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
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


def test_the_image_build_step_collects_static_files_with_the_dockerfiles_own_settings(tmp_path):
    # given the environment the Dockerfile gives its collectstatic step (ENV lines + RUN prefix)
    dockerfile = (ROOT / "Dockerfile").read_text()
    step = dockerfile.split("RUN DATABASE_URL=", 1)[1].split("python manage.py collectstatic", 1)[0]
    build_env = dict(pair.split("=", 1) for pair in ("DATABASE_URL=" + step).replace("\\\n", " ").split())
    assert "ENV" in dockerfile and "ADV_ENV=production" in dockerfile and "STATIC_ROOT=/app/staticfiles" in dockerfile
    environment = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "ADV_ENV": "production",
                   "ADV_VAR_DIR": str(tmp_path / "var"), "STATIC_ROOT": str(tmp_path / "static"), **build_env}
    # when the build runs it, then it succeeds and writes the manifest the production storage needs
    result = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput"], cwd=ROOT, env=environment,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "static" / "staticfiles.json").exists()


def test_compose_runs_the_whole_stack_with_probes_and_the_app_after_migrations():
    import yaml

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}
    assert "migrate" in services["web"]["command"] and "/healthz" in str(services["web"]["healthcheck"])
    for name in ("worker", "beat"):
        assert services[name]["depends_on"] == {"web": {"condition": "service_healthy"}}
    # every application service comes back after a crash, and the worker's health is probed
    for name in ("web", "worker", "beat"):
        assert services[name]["restart"] == "unless-stopped"
    assert "inspect ping" in str(services["worker"]["healthcheck"])
    # the ASGI server never rewrites the client's address from X-Forwarded-For (adv/network.py does)
    assert "--no-proxy-headers" in services["web"]["command"] and "forwarded-allow-ips" not in services["web"]["command"]

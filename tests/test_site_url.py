"""Links in emails and notifications carry the address the product runs on (SITE_URL), which
`make run` derives from PORT and HOST when it is not set."""

import os
import subprocess
import sys

from django.conf import settings

from adv import embedded


def _settings_site_url(**env) -> str:
    environ = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PORT", "HOST")}
    environ.update(env, DJANGO_SETTINGS_MODULE="adv.settings")
    code = "from django.conf import settings; print(settings.SITE_URL)"
    result = subprocess.run(
        [sys.executable, "-c", code], env=environ, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_a_process_started_on_another_port_links_to_that_port():
    # given the product run on port 8101 (PORT=8101 make run), SITE_URL unset
    # then every process of it (web, worker, beat) links to that port
    assert _settings_site_url(PORT="8101") == "http://127.0.0.1:8101"
    # and a SITE_URL set by the operator wins
    assert _settings_site_url(PORT="8101", SITE_URL="https://adv.example.com/") == "https://adv.example.com"


def test_make_run_sets_the_site_url_from_port_and_host_for_its_children(monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.setenv("PORT", "8101")
    monkeypatch.setenv("HOST", "0.0.0.0")
    assert embedded.configure_site_url() == "http://127.0.0.1:8101"
    assert os.environ["SITE_URL"] == "http://127.0.0.1:8101"
    monkeypatch.setenv("HOST", "adv.lan")
    monkeypatch.setenv("SITE_URL", "https://adv.example.com")
    assert embedded.configure_site_url() == "https://adv.example.com"
    monkeypatch.delenv("SITE_URL")
    assert embedded.configure_site_url() == "http://adv.lan:8101"

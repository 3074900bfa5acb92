"""The Content-Security-Policy: on every page, strict (no inline code, no eval), framing as
X-Frame-Options says, violations reported to a log; and no template left that needs more."""

import json
import logging
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates", *Path(settings.BASE_DIR).glob("*/*/templates"),
                 *Path(settings.BASE_DIR).glob("*/templates")]
# Not pages: rendered by WeasyPrint into PDFs, or sent as emails (which need inline styles).
NOT_PAGES = re.compile(r"/(pdf|email)/")

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)
STYLE_TAG = re.compile(r"<style\b([^>]*)>", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)
EVENT_HANDLER = re.compile(r"""\s(on[a-z]+|hx-on[:\-][\w:\-]*)\s*=\s*["']""", re.I)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:|hx-(vals|vars|headers)\s*=\s*["']\s*js:""", re.I)
COMMENT = re.compile(r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}|<!--.*?-->", re.S)
NONCE = re.compile(r"""\snonce\s*=\s*["']\{\{\s*(request\.csp_nonce|CSP_NONCE)\s*\}\}["']""")


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def _page_templates():
    for directory in TEMPLATE_DIRS:
        for path in sorted(directory.rglob("*.html")):
            if not NOT_PAGES.search(path.as_posix()):
                yield path


def inline_code(text: str) -> list[str]:
    """What in a template's text would need 'unsafe-inline' (or 'unsafe-eval') under our policy."""
    text = COMMENT.sub("", text)
    found = []
    for match in SCRIPT_TAG.finditer(text):
        attributes = match.group(1)
        executable = not re.search(r"""type\s*=\s*["']application/(ld\+)?json["']""", attributes)
        if executable and "src=" not in attributes and not NONCE.search(attributes):
            found.append(match.group(0))
    found += [m.group(0) for m in STYLE_TAG.finditer(text) if not NONCE.search(m.group(1))]
    found += [m.group(0).strip() for m in STYLE_ATTRIBUTE.finditer(text)]
    found += [m.group(0).strip() for m in EVENT_HANDLER.finditer(text)]
    found += [m.group(0) for m in JAVASCRIPT_URL.finditer(text)]
    return found


# --- The templates ------------------------------------------------------------------------------

def test_the_scan_finds_what_the_policy_would_block():
    # given each kind of inline code the policy refuses, then the scan names it
    assert inline_code("<script>alert(1)</script>") == ["<script>"]
    assert inline_code('<style>p { color: red }</style>') == ["<style>"]
    assert inline_code('<p style="color: red">') == ["style="]
    assert inline_code("""<form onsubmit="return confirm('?')">""") == ["onsubmit=\""]
    assert inline_code("""<input onchange='this.form.submit()'>""") == ["onchange='"]
    assert inline_code("""<button hx-on:click="go()">""") == ['hx-on:click="']
    assert inline_code('<a href="javascript:void(0)">') == ['href="javascript:']
    # and lets through what it allows
    assert inline_code('<script src="/static/js/adv.js"></script>') == []
    assert inline_code('<script type="application/json" id="data">{}</script>') == []
    assert inline_code('<script nonce="{{ request.csp_nonce }}">x()</script>') == []
    assert inline_code('<style nonce="{{ CSP_NONCE }}">p {}</style>') == []
    assert inline_code('<div data-on-change="x" class="online" data-style="x">') == []
    assert inline_code("{# not an inline <style> #}{% comment %}<script>{% endcomment %}<!-- style=x -->") == []


def test_no_page_template_has_inline_script_style_or_handler():
    # when every template that renders a page is read, then none needs 'unsafe-inline'
    offenders = {
        str(path.relative_to(settings.BASE_DIR)): found
        for path in _page_templates()
        if (found := inline_code(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_no_form_widget_sets_a_style_attribute():
    # a widget's attrs={"style": …} renders a style attribute, which the policy refuses
    offenders = []
    for app in ("adv", "clients", "documents", "deals", "timesheets", "billing", "notifications"):
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            if re.search(r"""["']style["']\s*:""", path.read_text(encoding="utf-8")):
                offenders.append(str(path.relative_to(settings.BASE_DIR)))
    assert offenders == []


# --- The header ---------------------------------------------------------------------------------

def assert_strict(response):
    directives = policy(response)
    header = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in header and "'unsafe-eval'" not in header
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"][0] == "'self'" and directives["style-src"][0] == "'self'"
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"] and directives["form-action"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]  # X_FRAME_OPTIONS = "DENY"
    assert directives["report-uri"] == ["/csp-report/"]
    return directives


@pytest.mark.parametrize("path", ["", "clients/", "deals/", "billing/", "notifications/", "settings/"])
def test_an_admins_pages_carry_the_strict_policy(alice, path):
    response = alice.client().get(alice.url(path))
    assert response.status_code == 200, path
    assert_strict(response)
    assert response["X-Frame-Options"] == "DENY"


def test_a_consultants_timesheet_carries_the_strict_policy(bob):
    response = bob.client().get(bob.url("timesheets/me/2026/5/"))
    assert response.status_code == 200
    assert_strict(response)


@pytest.mark.parametrize("path", ["/accounts/login/", "/api/v1/docs/", "/api/v1/redoc/"])
def test_public_pages_carry_the_strict_policy(db, path):
    response = Client().get(path)
    assert response.status_code == 200, path
    assert_strict(response)


def test_error_pages_carry_the_strict_policy(alice):
    assert_strict(Client().get("/no-such-page/"))
    assert_strict(alice.client().get(alice.url("clients/00000000-0000-0000-0000-000000000000/")))


def test_the_nonce_is_new_on_every_response_and_matches_the_page(db):
    # given a page with an inline style that carries the nonce (the API reference)
    first, second = Client().get("/api/v1/redoc/"), Client().get("/api/v1/redoc/")
    nonces = []
    for response in (first, second):
        sources = policy(response)["style-src"]
        nonce = next(source for source in sources if source.startswith("'nonce-"))[len("'nonce-"):-1]
        # then the header's nonce is the one in the page
        assert f'nonce="{nonce}"' in response.content.decode()
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_the_swagger_ui_start_up_script_is_a_file_not_inline(db):
    page = Client().get("/api/v1/docs/").content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    assert '<script src="/api/v1/docs/?script="></script>' in page
    script = Client().get("/api/v1/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")


def test_a_preview_framed_by_our_pages_allows_only_our_origin(alice):
    # given a view decorated @xframe_options_sameorigin with no CSP of its own
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.views.decorators.clickjacking import xframe_options_exempt, xframe_options_sameorigin

    from adv.ui.csp import FrameAwareCSPMiddleware

    framed = FrameAwareCSPMiddleware(xframe_options_sameorigin(lambda request: HttpResponse("ok")))
    response = framed(RequestFactory().get("/"))
    # then frame-ancestors says what X-Frame-Options says
    assert policy(response)["frame-ancestors"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    exempt = FrameAwareCSPMiddleware(xframe_options_exempt(lambda request: HttpResponse("ok")))
    assert "frame-ancestors" not in policy(exempt(RequestFactory().get("/")))


# --- Violation reports --------------------------------------------------------------------------

REPORT = {
    "csp-report": {
        "document-uri": "https://adv.example.com/approve/secret-token/?x=1",
        "referrer": "",
        "violated-directive": "style-src-attr",
        "effective-directive": "style-src-attr",
        "original-policy": "default-src 'self'",
        "blocked-uri": "inline",
        "line-number": 12,
        "source-file": "https://adv.example.com/static/js/adv.js?v=2",
        "status-code": 200,
    }
}


@pytest.fixture
def reports(db):
    cache.clear()
    yield Client(enforce_csrf_checks=True)
    cache.clear()


def test_a_violation_report_is_logged_and_answered_204(reports, caplog):
    with caplog.at_level(logging.WARNING, logger="adv.ui.csp"):
        response = reports.post("/csp-report/", json.dumps(REPORT), content_type="application/csp-report")
    assert response.status_code == 204
    [record] = [r for r in caplog.records if r.name == "adv.ui.csp"]
    assert record.csp["directive"] == "style-src-attr"
    assert record.csp["blocked_uri"] == "inline" and record.csp["line"] == 12
    # URLs are logged without their query string
    assert record.csp["source_file"] == "https://adv.example.com/static/js/adv.js"
    assert "?x=1" not in record.getMessage()


def test_a_reporting_api_batch_is_logged(reports, caplog):
    batch = [{"type": "csp-violation", "url": "https://adv.example.com/", "body": {
        "documentURL": "https://adv.example.com/", "blockedURL": "inline", "effectiveDirective": "script-src-elem"}}]
    with caplog.at_level(logging.WARNING, logger="adv.ui.csp"):
        response = reports.post("/csp-report/", json.dumps(batch), content_type="application/reports+json")
    assert response.status_code == 204
    assert [r.csp["directive"] for r in caplog.records if r.name == "adv.ui.csp"] == ["script-src-elem"]


def test_the_report_endpoint_refuses_get_oversize_and_garbage(reports, caplog):
    with caplog.at_level(logging.WARNING, logger="adv.ui.csp"):
        assert reports.get("/csp-report/").status_code == 405
        big = {"csp-report": {**REPORT["csp-report"], "script-sample": "x" * settings.CSP_VIOLATION_REPORT_MAX_BYTES}}
        assert reports.post("/csp-report/", json.dumps(big), content_type="application/csp-report").status_code == 413
        assert reports.post("/csp-report/", "not json", content_type="application/csp-report").status_code == 400
        assert reports.post("/csp-report/", "{}", content_type="application/csp-report").status_code == 400
        assert reports.post("/csp-report/", json.dumps(REPORT), content_type="text/plain").status_code == 415
    assert [r for r in caplog.records if r.name == "adv.ui.csp"] == []


def test_a_flood_of_reports_is_answered_but_not_all_logged(reports, caplog):
    from adv.ui.csp import REPORTS_PER_MINUTE

    with caplog.at_level(logging.WARNING, logger="adv.ui.csp"):
        for _ in range(REPORTS_PER_MINUTE + 5):
            assert reports.post("/csp-report/", json.dumps(REPORT), content_type="application/csp-report").status_code == 204
    assert len([r for r in caplog.records if r.name == "adv.ui.csp"]) == REPORTS_PER_MINUTE

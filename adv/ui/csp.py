"""Content-Security-Policy: the header's one exception (framing), and the violation reports.

The policy itself is `CONTENT_SECURITY_POLICY` in the settings (django-csp).
"""

import json
import logging
from urllib.parse import urlsplit

from csp.constants import SELF
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from adv.network import client_ip

logger = logging.getLogger(__name__)

# What a browser may send to report-uri (CSP 2) or report-to (Reporting API).
REPORT_CONTENT_TYPES = {"application/csp-report", "application/reports+json", "application/json"}
# Reports logged per client address and minute; beyond that they are read and dropped, so that a
# page stuck in a loop (or someone posting reports) cannot flood the log.
REPORTS_PER_MINUTE = 30
# The fields of a report worth a line in the log, each cut short (URLs lose their query string).
FIELDS = {
    "document-uri": "document_uri",
    "documentURL": "document_uri",
    "blocked-uri": "blocked_uri",
    "blockedURL": "blocked_uri",
    "violated-directive": "directive",
    "effective-directive": "directive",
    "effectiveDirective": "directive",
    "source-file": "source_file",
    "sourceFile": "source_file",
    "line-number": "line",
    "lineNumber": "line",
    "disposition": "disposition",
}
URL_FIELDS = {"document_uri", "blocked_uri", "source_file"}
MAX_FIELD_LENGTH = 300


class FrameAwareCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with `frame-ancestors` following the view's X-Frame-Options: a view
    decorated `@xframe_options_sameorigin` (a preview shown in our own page's frame) gets
    `frame-ancestors 'self'`, one decorated `@xframe_options_exempt` none at all. Browsers obey
    frame-ancestors over X-Frame-Options, so the two must say the same."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if getattr(response, "xframe_options_exempt", False):
            parts.replace = {**(parts.replace or {}), "frame-ancestors": None}
        elif response.get("X-Frame-Options", "").upper() == "SAMEORIGIN":
            parts.replace = {**(parts.replace or {}), "frame-ancestors": [SELF]}
        return parts


def _clean(name: str, value) -> str | int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value)
    if name in URL_FIELDS and "://" in text:
        parts = urlsplit(text)
        text = f"{parts.scheme}://{parts.netloc}{parts.path}"  # no query: it may carry a token
    return text[:MAX_FIELD_LENGTH]


def _violations(payload) -> list[dict]:
    """The violation bodies of either format: {"csp-report": {...}} or [{"type": "csp-violation", "body": {...}}]."""
    if isinstance(payload, dict) and isinstance(payload.get("csp-report"), dict):
        return [payload["csp-report"]]
    if isinstance(payload, list):
        return [
            item["body"] for item in payload[:10]
            if isinstance(item, dict) and item.get("type") == "csp-violation" and isinstance(item.get("body"), dict)
        ]
    return []


def _allowed(request) -> bool:
    key = f"csp-report:{client_ip(request) or 'unknown'}"
    cache.add(key, 0, timeout=60)
    try:
        return cache.incr(key) <= REPORTS_PER_MINUTE
    except ValueError:  # expired between add and incr
        return True


@csrf_exempt  # browsers post reports without our token (and without cookies, often)
@require_POST
def report(request):
    """Where browsers report what the policy blocked: one log line per violation, nothing stored.
    Answers 204 to any well-formed report, 413 when too large, 400 when not a report."""
    content_type = request.content_type or ""
    if content_type not in REPORT_CONTENT_TYPES:
        return HttpResponse(status=415)
    length = request.META.get("CONTENT_LENGTH") or "0"
    limit = settings.CSP_VIOLATION_REPORT_MAX_BYTES
    if not length.isdigit() or int(length) > limit:
        return HttpResponse(status=413)
    body = request.read(limit + 1)
    if len(body) > limit:
        return HttpResponse(status=413)
    try:
        violations = _violations(json.loads(body))
    except (ValueError, UnicodeDecodeError):
        return HttpResponse(status=400)
    if not violations:
        return HttpResponse(status=400)
    if _allowed(request):
        for violation in violations:
            fields = {FIELDS[key]: _clean(FIELDS[key], value) for key, value in violation.items() if key in FIELDS}
            logger.warning(
                "csp violation: %s blocked %s on %s",
                fields.get("directive"), fields.get("blocked_uri"), fields.get("document_uri"),
                extra={"csp": fields},
            )
    return HttpResponse(status=204)

"""Request ids for logs and error reports (kept free of model imports: logging loads it early)."""

import contextvars
import logging
import re
import uuid

from .context import current_tenant_id

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("adv_request_id", default="-")


class RequestIdMiddleware:
    """Give each request an id (or keep the proxy's X-Request-ID) for logs and error reports."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if re.fullmatch(r"[A-Za-z0-9._-]{8,64}", incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        tenant_id = current_tenant_id()
        record.tenant_id = str(tenant_id) if tenant_id else "-"
        return True

"""A requests transport that answers from a WSGI application in this process (the emulator in
tests), and can lose an answer after the platform processed the request (`lose_next_answer`), the
"timeout in the middle" of a submission."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict


class WSGITransport(BaseAdapter):
    def __init__(self, app):
        super().__init__()
        self.app = app
        self.lose_next_answer = 0
        self.refuse_next = 0

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        if self.refuse_next:
            self.refuse_next -= 1
            raise requests.ConnectTimeout("emulated: connection timed out", request=request)
        url = urlsplit(request.url)
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        environ = {
            "REQUEST_METHOD": request.method,
            "PATH_INFO": url.path,
            "QUERY_STRING": url.query,
            "SERVER_NAME": url.hostname or "emulator",
            "SERVER_PORT": str(url.port or 80),
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": url.scheme,
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": request.headers.get("Content-Type", ""),
        }
        for name, value in request.headers.items():
            key = "HTTP_" + name.upper().replace("-", "_")
            if key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                environ[key] = value
        captured = {}

        def start_response(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers

        content = b"".join(self.app(environ, start_response))
        if self.lose_next_answer:
            self.lose_next_answer -= 1
            raise requests.ReadTimeout("emulated: the answer was lost", request=request)
        response = requests.Response()
        response.status_code = int(captured["status"].split()[0])
        response.headers = CaseInsensitiveDict(captured["headers"])
        response._content = content
        response.url = request.url
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self):
        pass

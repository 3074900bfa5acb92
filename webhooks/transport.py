"""One HTTP POST to a checked target (`targets.Target`), bounded in time, redirects not followed.

The connection goes to the address checked by `targets.resolve` (no second DNS lookup that could
answer an internal address); for https the certificate is checked against the name (SNI). The
whole exchange, connection, request and the response read, stops at `timeout` seconds: a hanging
or slowly dripping endpoint holds a worker no longer than that. The response body is read up to
`MAX_BODY_BYTES` and kept as an excerpt.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import urllib3
from urllib3.util import Timeout

from .targets import Target

MAX_BODY_BYTES = 64 * 1024
EXCERPT_CHARS = 2000


@dataclass(frozen=True)
class Response:
    status: int
    body: str
    duration_ms: int


class DeliveryTimeout(Exception):
    pass


def _pool(target: Target, address: str, timeout: float):
    options = {
        "host": address,
        "port": target.port,
        "timeout": Timeout(connect=timeout, read=timeout, total=timeout),
        "retries": False,
        "maxsize": 1,
    }
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            **options, server_hostname=target.host, assert_hostname=target.host, cert_reqs="CERT_REQUIRED"
        )
    return urllib3.HTTPConnectionPool(**options)


def post(target: Target, body: bytes, headers: dict[str, str], *, timeout: float) -> Response:
    started = time.monotonic()
    deadline = started + timeout
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
    if ":" in target.host and not host_header.startswith("["):  # an IPv6 literal
        host_header = f"[{target.host}]" if target.port == default_port else f"[{target.host}]:{target.port}"
    pool = _pool(target, target.addresses[0], timeout)
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": host_header},
            redirect=False,
            retries=False,
            assert_same_host=False,
            preload_content=False,
        )
        try:
            chunks, size = [], 0
            while size < MAX_BODY_BYTES:
                if time.monotonic() > deadline:
                    raise DeliveryTimeout(f"response not read within {timeout:g} s")
                chunk = response.read1(min(8192, MAX_BODY_BYTES - size))  # what arrived, not a full buffer
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        finally:
            response.release_conn()
    finally:
        pool.close()
    text = b"".join(chunks).decode("utf-8", errors="replace")[:EXCERPT_CHARS]
    return Response(status=response.status, body=text, duration_ms=int((time.monotonic() - started) * 1000))

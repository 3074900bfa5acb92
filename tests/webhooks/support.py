"""Helpers of the webhooks tests that other tests use too (the API's query counts)."""

from __future__ import annotations

import socket
from unittest import mock


def resolving(mapping: dict[str, str]):
    """Patch the resolver: each name of `mapping` resolves to its address; others as usual."""
    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        if host in mapping:
            family = socket.AF_INET6 if ":" in mapping[host] else socket.AF_INET
            return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (mapping[host], port))]
        return real(host, port, *args, **kwargs)

    return mock.patch("webhooks.targets.socket.getaddrinfo", side_effect=fake)

"""The portal's database scope: inside the tenant's transaction, `app.portal_client_ids` names
the clients the signed-in contact may see (portal/rls.py's restrictive policy reads it)."""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from adv.tenancy.context import db_settings

from .rls import GUC_PORTAL_CLIENTS

_portal_clients: contextvars.ContextVar[tuple[str, ...] | None] = contextvars.ContextVar("adv_portal_clients", default=None)


def current_portal_clients() -> tuple[str, ...] | None:
    return _portal_clients.get()


@contextmanager
def portal_scope(client_ids: Iterable) -> Iterator[None]:
    """Run the block as a portal contact who sees these clients only (inside tenant_context)."""
    ids = tuple(sorted(str(pk) for pk in client_ids))
    if not ids:
        raise ValueError("A portal scope names at least one client.")
    token = _portal_clients.set(ids)
    try:
        with db_settings(**{GUC_PORTAL_CLIENTS.replace(".", "__"): ",".join(ids)}):
            yield
    finally:
        _portal_clients.reset(token)

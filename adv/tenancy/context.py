"""The active tenant, in Python (a context variable) and in PostgreSQL (a transaction setting).

`tenant_context(tenant)` is the only way in: it opens a transaction (or a savepoint), sets
`app.tenant_id` with `set_config(..., true)` so that row-level security applies to that
transaction alone (a session-level SET would leak across pooled connections), and restores
the previous value on the way out. Code that reads tenant data outside it fails: the scoped
managers raise, and the database returns no row.
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

from .errors import TenantContextMissing

_current_tenant_id: contextvars.ContextVar[uuid.UUID | None] = contextvars.ContextVar(
    "adv_current_tenant_id", default=None
)

# PostgreSQL settings read by the row-level security policies (see tenancy.rls).
GUC_TENANT = "app.tenant_id"
GUC_USER = "app.user_id"
GUC_LOOKUP_KEY = "app.lookup_key"


def _as_uuid(value) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    pk = getattr(value, "pk", None)
    if pk is not None:
        return pk if isinstance(pk, uuid.UUID) else uuid.UUID(str(pk))
    return uuid.UUID(str(value))


def current_tenant_id() -> uuid.UUID | None:
    return _current_tenant_id.get()


def require_tenant_id() -> uuid.UUID:
    tenant_id = _current_tenant_id.get()
    if tenant_id is None:
        raise TenantContextMissing(
            "No active tenant: wrap this code in adv.tenancy.context.tenant_context(tenant)."
        )
    return tenant_id


def _set_guc(name: str, value: str) -> str:
    """Set a transaction-local setting; return the previous value ('' when unset)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(current_setting(%s, true), ''), set_config(%s, %s, true)",
            [name, name, value],
        )
        return cursor.fetchone()[0]


@contextmanager
def db_settings(**settings: str) -> Iterator[None]:
    """Set transaction-local PostgreSQL settings (names given with '__' for '.')."""
    with transaction.atomic():
        previous = {name: _set_guc(name.replace("__", "."), value) for name, value in settings.items()}
        yield
        for name, value in previous.items():
            _set_guc(name.replace("__", "."), value)


@contextmanager
def tenant_context(tenant) -> Iterator[uuid.UUID]:
    """Run the block as the given tenant (a Tenant, its id, or its id as text)."""
    tenant_id = _as_uuid(tenant)
    token = _current_tenant_id.set(tenant_id)
    try:
        with db_settings(app__tenant_id=str(tenant_id)):
            yield tenant_id
    finally:
        _current_tenant_id.reset(token)


@contextmanager
def user_scope(user) -> Iterator[None]:
    """Let the database show this user's own memberships in every tenant (tenant switcher)."""
    with db_settings(app__user_id=str(_as_uuid(user))):
        yield


@contextmanager
def lookup_by_key(key_hash: str) -> Iterator[None]:
    """Let the database show the one row whose secret hash is `key_hash` (API token,
    invitation), before its tenant is known. Knowing the hash means holding the secret."""
    with db_settings(app__lookup_key=key_hash):
        yield

"""`Idempotency-Key` on API writes: a retried call returns the first result instead of acting twice.

Decorate a viewset handler (create, an action) with `@idempotent`. When the request carries an
`Idempotency-Key` header (1 to 200 printable ASCII characters):

- scope: the method and the path (without the `/t/<slug>` prefix, so that the session API and the
  bearer API share the keys of a tenant); the request hash: SHA-256 of the canonical JSON body;
- a transaction-level advisory lock on (tenant, scope, key) is tried first, without waiting: if
  another request holds it (same key, still running, its record not committed yet) the answer is
  409 `idempotency_in_progress` at once. The request's transaction (TenantMiddleware wraps the view
  in one) holds the lock until it commits or rolls back, so the committed record is visible to
  whoever gets the lock next;
- a committed record with the same hash: its status and body are replayed, with the header
  `Idempotent-Replayed: true`; with another hash: 422 `idempotency_key_reused`;
- otherwise the record is inserted (`in_progress`) in a savepoint, the handler runs, and a success
  (2xx/3xx) stores the status and the rendered JSON body (`done`) in the same transaction as the
  work itself. A failure (4xx, 5xx or an exception) rolls the savepoint back: nothing is stored
  and the same key may be retried.

The unique constraint (tenant, key, scope) backs the lock up: an insert that still collides
answers 409 `idempotency_in_progress` too.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from adv.tenancy.errors import Conflict, DomainError

from .models import IdempotencyRecord, IdempotencyState

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,200}$")
_TENANT_PREFIX = re.compile(r"^/t/[^/]+(?=/api/)")


class IdempotencyInProgress(Conflict):
    code = "idempotency_in_progress"

    def __init__(self):
        super().__init__(
            _("Une requête avec la même clé d'idempotence est en cours : réessayez quand elle sera terminée.")
        )


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    status = 422

    def __init__(self):
        super().__init__(_("Cette clé d'idempotence a déjà servi pour une requête différente."))


class InvalidIdempotencyKey(DomainError):
    code = "invalid_idempotency_key"

    def __init__(self):
        super().__init__(
            _("La clé d'idempotence doit compter de 1 à 200 caractères ASCII imprimables, sans espace."),
            field=HEADER,
        )


def request_scope(request) -> str:
    path = _TENANT_PREFIX.sub("", request.path_info)
    return f"{request.method} {path}"[:200]


def request_hash(request) -> str:
    data = request.data
    if hasattr(data, "lists"):  # QueryDict (form or multipart): every value of every key
        data = {key: values for key, values in data.lists()}
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _try_lock(tenant_id, scope: str, key: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))", [f"idempotency:{tenant_id}:{scope}:{key}"]
        )
        return bool(cursor.fetchone()[0])


def _rendered(response: Response):
    """The body as the client receives it (JSON types only), for the record."""
    if response.data is None:
        return None
    return json.loads(JSONRenderer().render(response.data))


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(record.response_body, status=record.response_status)
    response[REPLAYED_HEADER] = "true"
    return response


def idempotent(handler):
    """Decorate a viewset handler `def create(self, request, *args, **kwargs)`."""

    @functools.wraps(handler)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return handler(self, request, *args, **kwargs)
        if not KEY_PATTERN.match(key):
            raise InvalidIdempotencyKey()
        scope, digest = request_scope(request), request_hash(request)
        tenant_id = request.tenant.id
        with transaction.atomic():
            if not _try_lock(tenant_id, scope, key):
                raise IdempotencyInProgress()
            record = IdempotencyRecord.objects.filter(key=key, scope=scope).first()
            if record is not None:
                if record.request_hash != digest:
                    raise IdempotencyKeyReused()
                if record.state != IdempotencyState.DONE:
                    raise IdempotencyInProgress()
                return _replay(record)
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(key=key, scope=scope, request_hash=digest)
            except IntegrityError as exc:
                raise IdempotencyInProgress() from exc
            with transaction.atomic():
                response = handler(self, request, *args, **kwargs)
                if response.status_code >= 400:
                    # Not stored, and nothing the handler did survives: the key may be used again.
                    transaction.set_rollback(True)
                else:
                    record.state = IdempotencyState.DONE
                    record.response_status = response.status_code
                    record.response_body = _rendered(response)
                    record.save(update_fields=["state", "response_status", "response_body", "updated_at"])
            if response.status_code >= 400:
                IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return response

    wrapper.idempotent = True
    return wrapper

"""Liveness and readiness probes for the load balancer and the orchestrator."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """The process is alive and answers; touches nothing else."""
    return JsonResponse({"status": "ok"})


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return None
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return str(exc).strip().splitlines()[0]


def _check_redis() -> str | None:
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
        return None
    except Exception as exc:  # noqa: BLE001
        return str(exc)


def _check_worker() -> str | None:
    from adv.celery import app

    try:
        replies = app.control.ping(timeout=1.0)
    except Exception as exc:  # noqa: BLE001
        return str(exc)
    return None if replies else "no Celery worker answered within 1 s"


@never_cache
def readyz(request):
    """Ready to serve: the database, Redis and at least one Celery worker answer."""
    checks = {"database": _check_database(), "redis": _check_redis()}
    checks["worker"] = _check_worker() if checks["redis"] is None else "redis unreachable"
    ok = all(error is None for error in checks.values())
    body = {"status": "ok" if ok else "unavailable", "checks": {k: v or "ok" for k, v in checks.items()}}
    return JsonResponse(body, status=200 if ok else 503)


class ProbeMiddleware:
    """Answers /healthz and /readyz first, before host validation and the HTTPS redirect.

    Probes come from the orchestrator or the container itself, addressed to an IP
    (`127.0.0.1:8000`, the pod's address) that ALLOWED_HOSTS rightly does not list, and over
    plain HTTP: through the full stack they would get 400 or a redirect, and a healthy
    container would be reported dead. They read nothing from the request.
    """

    PROBES = {"/healthz": healthz, "/readyz": readyz}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = self.PROBES.get(request.path_info)
        if probe is not None and request.method in ("GET", "HEAD"):
            return probe(request)
        return self.get_response(request)

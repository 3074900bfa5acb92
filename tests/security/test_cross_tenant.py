"""Carol (admin of tenant B) tries every page and every API route on tenant A's objects.

The routes are discovered from the URL configuration and tenant A's objects from the database
(the demo firm, which every feature fills through its `demo.py`), so a new feature is covered
without editing this file. Expected: 404 (405 where the method does not exist), and tenant A's
rows unchanged.

One test per group of routes (pages or API, by the app of the view: `pages-billing`, `api-deals`),
so that the parallel runner spreads them; the groups come from the same discovery, so a new app's
routes form a new group by themselves.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from adv.api.services import api_token_create
from adv.tenancy.context import tenant_context
from adv.tenancy.models import Tenant, TenantModel

_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")
ALLOWED = {404, 405}
METHODS = ("get", "post", "patch", "delete")


@dataclass(frozen=True)
class Route:
    template: str  # "/t/{tenant_slug}/members/{pk}/"
    params: tuple[str, ...]
    group: str = ""  # "pages-billing", "api-deals": pages or API, and the app of the view


def _group(template: str, callback) -> str:
    view = getattr(callback, "cls", None) or getattr(callback, "view_class", None) or callback
    config = apps.get_containing_app_config(view.__module__)
    kind = "api" if "/api/" in template else "pages"
    return f"{kind}-{config.label if config else view.__module__.split('.')[0]}"


def _part(pattern) -> str | None:
    if isinstance(pattern, RoutePattern):
        return _ROUTE_PARAM.sub(lambda m: "{" + m["name"] + "}", str(pattern._route))
    if isinstance(pattern, RegexPattern):
        regex = pattern._regex
        if "(?P<format>" in regex:
            return None  # DRF format-suffix duplicates of the same view
        text = regex.lstrip("^").rstrip("$")
        text = _REGEX_GROUP.sub(lambda m: "{" + m["name"] + "}", text)
        text = text.replace("\\.", ".").replace("/?", "/")
        if re.search(r"[()\[\]*+?|\\^$]", text):
            return None
        return text
    return None


def discover_routes() -> list[Route]:
    routes: list[Route] = []

    def walk(patterns, prefix: str) -> None:
        for entry in patterns:
            part = _part(entry.pattern)
            if part is None:
                continue
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + part)
            elif isinstance(entry, URLPattern):
                template = "/" + prefix + part
                params = tuple(re.findall(r"{(\w+)}", template))
                routes.append(Route(template, params, _group(template, entry.callback)))

    walk(get_resolver().url_patterns, "")
    return sorted(set(routes), key=lambda r: r.template)


def tenant_a_object_ids(tenant: Tenant) -> dict[str, str]:
    """One id per tenant model that has rows in tenant A (label -> id)."""
    ids = {}
    with tenant_context(tenant):
        for model in apps.get_models():
            if issubclass(model, TenantModel):
                pk = model.objects.values_list("pk", flat=True).first()
                if pk is not None:
                    ids[model._meta.label] = str(pk)
    return ids


def snapshot(tenant: Tenant) -> dict[str, list]:
    """Every tenant-A row (id and updated_at) of every table with a tenant_id column."""
    state = {}
    with tenant_context(tenant), connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND column_name = 'tenant_id'"
        )
        for (table,) in cursor.fetchall():
            cursor.execute(f'SELECT md5(t::text) FROM "{table}" t ORDER BY 1')
            state[table] = [row[0] for row in cursor.fetchall()]
    return state


def is_tried(route: Route) -> bool:
    """Whether carol tries the route: every page under a tenant prefix, every API route on an id."""
    object_params = [p for p in route.params if p != "tenant_slug"]
    return route.template.startswith("/t/{tenant_slug}/") or (route.template.startswith("/api/v1/") and bool(object_params))


ROUTE_GROUPS = sorted({route.group for route in discover_routes() if is_tried(route)})


def _fill(route: Route, values: dict[str, str]) -> str | None:
    try:
        return route.template.format(**values)
    except KeyError:
        return None


def _request(client: Client, method: str, url: str, **extra):
    if method == "get":
        return client.get(url, **extra)
    return getattr(client, method)(url, data={}, content_type="application/json", **extra)


def test_route_discovery_finds_pages_and_api_routes():
    templates = {r.template for r in discover_routes()}
    assert any(t.startswith("/t/{tenant_slug}/") for t in templates)
    assert any(t.startswith("/api/v1/") for t in templates)
    # the test below runs once per group of the routes carol tries
    assert {"pages-billing", "api-billing", "pages-deals", "api-deals"} <= set(ROUTE_GROUPS)


@pytest.mark.parametrize("group", ROUTE_GROUPS)
def test_carol_reaches_nothing_of_tenant_a(demo_tenant, carol, group):
    # given tenant A (the demo firm, with data of every feature) and carol, admin of tenant B
    ids = tenant_a_object_ids(demo_tenant)
    assert ids, "the demo firm must have data"
    with tenant_context(carol.tenant):
        _token, raw_token = api_token_create(actor=carol.membership, name="carol")
    session = carol.client()
    bearer = Client(HTTP_AUTHORIZATION=f"Bearer {raw_token}")
    before = snapshot(demo_tenant)
    failures = []

    routes = [route for route in discover_routes() if route.group == group]
    assert routes
    for route in routes:
        object_params = [p for p in route.params if p != "tenant_slug"]
        if route.template.startswith("/t/{tenant_slug}/"):
            # when carol opens tenant A's pages under tenant A's prefix, whatever the ids
            values = {p: next(iter(ids.values())) for p in object_params}
            url = _fill(route, {"tenant_slug": demo_tenant.slug, **values})
            for method in METHODS:
                status = _request(session, method, url).status_code
                if status != 404:
                    failures.append(f"{method.upper()} {url} as carol (A prefix): {status}")
            # and under her own prefix, with tenant A's object ids
            if object_params:
                for label, object_id in ids.items():
                    url = _fill(route, {"tenant_slug": carol.tenant.slug, **{p: object_id for p in object_params}})
                    for method in METHODS:
                        status = _request(session, method, url).status_code
                        if status not in ALLOWED:
                            failures.append(f"{method.upper()} {url} ({label} of A) as carol: {status}")
        elif route.template.startswith("/api/v1/") and object_params:
            # when carol's API token is used on tenant A's object ids
            for label, object_id in ids.items():
                url = _fill(route, {p: object_id for p in object_params})
                for method in METHODS:
                    status = _request(bearer, method, url).status_code
                    if status not in ALLOWED:
                        failures.append(f"{method.upper()} {url} ({label} of A) with carol's token: {status}")

    # then nothing answered anything but 404/405, and tenant A's data is unchanged
    assert not failures, "\n".join(failures)
    assert snapshot(demo_tenant) == before


@pytest.mark.django_db
def test_unknown_tenant_prefix_is_404(alice):
    response = alice.client().get(f"/t/no-such-firm-{uuid.uuid4().hex[:6]}/")
    assert response.status_code == 404

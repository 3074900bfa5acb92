"""Portal sessions, apart from the staff's: their own cookie (`adv_portal`, path `/p/<firm>/`,
so a firm's portal session never reaches another firm's pages), their own store entry, and no
Django user. A staff session (the `sessionid` cookie) is never read here, and a portal session
never logs anyone in on the staff side.

`portal_page` wraps every signed-in page: the firm from the URL (404 when unknown), the
contact from the portal session (sent to the sign-in page otherwise), revoked contacts and
disabled portals refused, then the view runs in the firm's tenant context AND the contact's
portal scope (row-level security keyed by the client), in the portal's language.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import import_module

import pghistory
from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation

from adv.network import client_ip
from adv.tenancy.context import tenant_context
from adv.tenancy.models import Tenant

from .context import portal_scope
from .models import PortalContact, PortalContactStatus

COOKIE = "adv_portal"
LANGUAGE_COOKIE = "adv_portal_language"
SESSION_KEY = "portal"
SESSION_AGE = 8 * 3600


def _store(key: str | None = None):
    engine = import_module(settings.SESSION_ENGINE)
    return engine.SessionStore(session_key=key)


def cookie_path(tenant: Tenant) -> str:
    return f"/p/{tenant.slug}/"


def load(request, tenant: Tenant):
    """This firm's portal session of the request (an empty one when there is none)."""
    return _store(request.COOKIES.get(COOKIE))


def save(response, session, tenant: Tenant) -> None:
    if session.modified or not session.session_key:
        session.set_expiry(SESSION_AGE)
        session.save()
    response.set_cookie(
        COOKIE, session.session_key, max_age=SESSION_AGE, path=cookie_path(tenant),
        secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax",
    )


def sign_in(request, response, tenant: Tenant, contact: PortalContact) -> None:
    """A new portal session (a new key: no fixation) for the contact."""
    old = load(request, tenant)
    if old.session_key:
        old.delete()
    session = _store()
    session[SESSION_KEY] = {"tenant": str(tenant.pk), "contact": str(contact.pk), "epoch": contact.session_epoch}
    save(response, session, tenant)


def sign_out(request, response, tenant: Tenant) -> None:
    session = load(request, tenant)
    if session.session_key:
        session.delete()
    response.delete_cookie(COOKIE, path=cookie_path(tenant))


def firm(slug: str) -> Tenant:
    tenant = Tenant.objects.filter(slug=slug, is_active=True).first()
    if tenant is None:
        raise Http404
    return tenant


def language_of(request) -> str:
    chosen = request.COOKIES.get(LANGUAGE_COOKIE, "")
    return chosen if chosen in dict(settings.LANGUAGES) else "fr"  # French first


@dataclass
class Portal:
    """What a portal view knows about its caller."""

    tenant: Tenant
    contact: PortalContact
    client_ids: tuple[str, ...]
    ip: str | None


def visible_clients(contact: PortalContact) -> list[str]:
    """The contact's client, and its subsidiaries (every level) when they see the group."""
    ids = [str(contact.client_id)]
    if contact.sees_group:
        from clients.models import Client

        frontier = ids
        for _depth in range(5):
            frontier = [str(pk) for pk in Client.objects.filter(parent_id__in=frontier, archived_at__isnull=True).values_list("pk", flat=True)]
            frontier = [pk for pk in frontier if pk not in ids]
            if not frontier:
                break
            ids += frontier
    return ids


def portal_page(view):
    """Decorator of the signed-in portal pages (see the module's docstring)."""

    @functools.wraps(view)
    def wrapped(request, tenant_slug: str, *args, **kwargs):
        from . import auth

        tenant = firm(tenant_slug)
        session = load(request, tenant)
        data = session.get(SESSION_KEY) or {}
        translation.activate(language_of(request))
        request.LANGUAGE_CODE = translation.get_language()
        login_url = reverse("portal:login", kwargs={"tenant_slug": tenant.slug})
        if data.get("tenant") != str(tenant.pk) or not data.get("contact"):
            return redirect(f"{login_url}?next={request.path}")
        timezone.activate(tenant.time_zone)
        try:
            with tenant_context(tenant):
                contact = PortalContact.objects.select_related("contact", "client").filter(pk=data["contact"]).first()
                if (
                    contact is None
                    or contact.session_epoch != data.get("epoch")
                    or contact.status == PortalContactStatus.REVOKED
                    or not auth.may_sign_in(contact)
                ):
                    response = redirect(login_url)
                    sign_out(request, response, tenant)
                    return response
                request.portal = Portal(tenant, contact, tuple(visible_clients(contact)), client_ip(request))
                with portal_scope(request.portal.client_ids), pghistory.context(
                    tenant=str(tenant.pk), portal_contact=str(contact.pk), url=request.path
                ):
                    response = view(request, *args, **kwargs)
                    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                        response.render()
                    return response
        finally:
            timezone.deactivate()

    return wrapped

"""The staff side of the portal, on a client: /t/<firm>/portal/clients/<pk>/ (linked from the
client record's contacts): the portal switch and the reception-number limit (ADV), the client's
contacts with their portal access and last sign-in, invite / resend / revoke (ADV, sales), and
the portal's recent action log for that client."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from adv.tenancy import errors as domain
from adv.ui.pages import raise_http
from adv.ui.permissions import require_role
from clients.models import Client, Contact

from . import access, selectors, services
from .models import ClientPortal, PortalActivity, PortalContact

viewers = require_role(*sorted(access.VIEW_ROLES))


def _client(pk) -> Client:
    client = Client.objects.filter(pk=pk).first()
    if client is None:
        raise Http404(_("Ce client n'existe pas."))
    return client


def _back(tenant_slug, client):
    return redirect("portal_staff:client", tenant_slug=tenant_slug, pk=client.pk)


@viewers
@require_GET
def client_portal(request, tenant_slug, pk):
    client = _client(pk)
    settings_row = ClientPortal.objects.filter(client=client).first()
    context = {
        "client": client, "portal_settings": settings_row, "rows": selectors.staff_contacts(client),
        "activity": PortalActivity.objects.filter(client=client).select_related("contact")[:50],
        "can_invite": access.can_invite(request.membership), "can_configure": access.can_configure(request.membership),
        "max_length": services.RECEPTION_MAX_LENGTH,
    }
    return render(request, "portal/staff/client.html", context)


def _run(request, tenant_slug, client, action, success: str):
    try:
        action()
    except domain.DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return _back(tenant_slug, client)


@viewers
@require_POST
def configure(request, tenant_slug, pk):
    client = _client(pk)
    raw = (request.POST.get("reception_number_max_length") or "").strip()
    if raw and not raw.isdigit():
        messages.error(request, _("Saisissez un nombre de caractères."))
        return _back(tenant_slug, client)
    return _run(
        request, tenant_slug, client,
        lambda: services.portal_configure(
            actor=request.membership, client=client, enabled=request.POST.get("enabled") == "on",
            reception_number_max_length=int(raw) if raw else None,
        ),
        _("Réglages du portail enregistrés."),
    )


@viewers
@require_POST
def invite(request, tenant_slug, pk):
    client = _client(pk)
    contact = Contact.objects.filter(client=client, pk=request.POST.get("contact") or None).first() if _is_uuid(request.POST.get("contact")) else None
    if contact is None:
        raise Http404
    return _run(
        request, tenant_slug, client,
        lambda: services.contact_invite(actor=request.membership, contact=contact, sees_group=request.POST.get("sees_group") == "on"),
        _("Invitation envoyée."),
    )


def _access(client, access_pk) -> PortalContact:
    found = PortalContact.objects.filter(client=client, pk=access_pk).first()
    if found is None:
        raise Http404
    return found


@viewers
@require_POST
def resend(request, tenant_slug, pk, access_pk):
    client = _client(pk)
    found = _access(client, access_pk)
    return _run(request, tenant_slug, client, lambda: services.contact_resend(actor=request.membership, portal_contact=found),
                _("Invitation renvoyée."))


@viewers
@require_POST
def revoke(request, tenant_slug, pk, access_pk):
    client = _client(pk)
    found = _access(client, access_pk)
    return _run(request, tenant_slug, client, lambda: services.contact_revoke(actor=request.membership, portal_contact=found),
                _("Accès au portail révoqué."))


def _is_uuid(value) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True

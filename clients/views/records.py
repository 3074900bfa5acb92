"""Pages of client records: the list, the client page (identity, contacts, billing profile,
history; documents and expected documents are panels of their own), and the forms that call
the services. Views parse, call one selector or service, and render.

Roles (clients/access.py): consultants get 403 on every client page; the accountant, the
project manager and the manager read; admin, ADV and sales edit identity and contacts; admin and
ADV edit the billing profile and may reveal the e-invoicing platform password. Another
tenant's client answers 404, like a missing one.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

import nh3
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from adv.tenancy import errors as domain
from adv.tenancy.models import Role
from adv.ui.pages import is_partial, raise_http
from adv.ui.permissions import require_role

from .. import access, selectors, services
from ..forms import (
    BillingProfileForm,
    ClientFilterForm,
    ClientForm,
    ContactForm,
    RenameForm,
    billing_process_to_html,
)
from ..models import BillingProfile, Client, Contact

logger = logging.getLogger(__name__)

CLIENTS_PER_PAGE = 25
HISTORY_PER_PAGE = 30

viewers = require_role(*sorted(access.VIEW_CLIENT_ROLES))


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Votre rôle ne permet pas de modifier les fiches clients."))


def _client_or_404(request, pk) -> Client:
    try:
        return selectors.client_get(actor=request.membership, pk=pk)
    except Client.DoesNotExist:
        raise Http404(_("Ce client n'existe pas."))


def _client_copy_or_404(request, pk) -> Client:
    try:
        return selectors.client_for_update(actor=request.membership, pk=pk)
    except Client.DoesNotExist:
        raise Http404(_("Ce client n'existe pas."))


def _detail_url(tenant_slug: str, client: Client, tab: str = "") -> str:
    url = reverse("clients:detail", kwargs={"tenant_slug": tenant_slug, "pk": client.pk})
    return f"{url}#{tab}" if tab else url


def _differs(instance, fields: dict) -> bool:
    """Whether saving `fields` would change `instance` (an unchanged form writes nothing, so the
    history shows no empty change)."""
    return any(getattr(instance, name) != value for name, value in fields.items())


def _permissions(membership) -> dict:
    return {
        "can_edit": access.can_edit_clients(membership),
        "can_edit_billing": access.can_edit_billing_profile(membership),
        "can_reveal_password": access.can_read_platform_password(membership),
    }


# --- List --------------------------------------------------------------------------------------------


@viewers
@require_GET
def client_list(request, tenant_slug):
    membership = request.membership
    filter_form = ClientFilterForm(request.GET or None)
    filters = (filter_form if request.GET else ClientFilterForm({})).filters(me=membership)
    queryset = selectors.client_list(actor=membership, filters=filters)
    page = Paginator(queryset, CLIENTS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    # What other apps show on each row (documents: what each client still owes, two queries).
    for annotate in selectors.CLIENT_LIST_EXTRAS:
        annotate(page.object_list, membership)
    context = {
        "filter_form": filter_form,
        "filters": filters,
        "page": page,
        "filtered": filters.active,
        **_permissions(membership),
    }
    template = "clients/_list_results.html" if is_partial(request) else "clients/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- Create, edit, rename ---------------------------------------------------------------------------


@viewers
@require_http_methods(["GET", "POST"])
def client_create_view(request, tenant_slug):
    _require(access.can_edit_clients(request.membership))
    membership = request.membership
    initial = {
        "owner": membership.pk if membership.role == Role.SALES else None,
        "adv_owner": membership.pk if membership.role == Role.ADV else None,
    }
    parent_id = request.GET.get("parent")
    if parent_id:  # "Ajouter une filiale" from a group's page
        try:
            initial["parent"] = selectors.client_for_update(actor=membership, pk=parent_id).pk
        except (Client.DoesNotExist, ValueError, ValidationError):
            pass
    form = ClientForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            client = services.client_create(actor=request.membership, **form.service_fields())
        except domain.DomainError as error:
            raise_http(error)
            form.add_domain_error(error)
        else:
            messages.success(request, _("Le client « %(name)s » est créé.") % {"name": client.display_name})
            return redirect(_detail_url(tenant_slug, client))
    status = 400 if request.method == "POST" else 200
    return render(request, "clients/form.html", {"form": form, "client": None}, status=status)


@viewers
@require_http_methods(["GET", "POST"])
def client_edit(request, tenant_slug, pk):
    client = _client_copy_or_404(request, pk)
    _require(access.can_edit_clients(request.membership))
    form = ClientForm(request.POST or None, instance=client, editing=True)
    if request.method == "POST" and form.is_valid() and not _differs(client, form.service_fields()):
        messages.info(request, _("Aucune modification à enregistrer."))
        return redirect(_detail_url(tenant_slug, client))
    if request.method == "POST" and form.is_valid():
        try:
            client = services.client_update(actor=request.membership, client=client, **form.service_fields())
        except domain.DomainError as error:
            raise_http(error)
            form.add_domain_error(error)
        else:
            messages.success(request, _("La fiche de « %(name)s » est enregistrée.") % {"name": client.display_name})
            return redirect(_detail_url(tenant_slug, client))
    status = 400 if request.method == "POST" else 200
    shown = _client_copy_or_404(request, pk)
    return render(request, "clients/form.html", {"form": form, "client": shown}, status=status)


@viewers
@require_http_methods(["GET", "POST"])
def client_rename_view(request, tenant_slug, pk):
    client = _client_or_404(request, pk)
    _require(access.can_edit_clients(request.membership))
    form = RenameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client = services.client_rename(actor=request.membership, client=client, **form.cleaned_data)
        except domain.DomainError as error:
            raise_http(error)
            form.add_domain_error(error)
        else:
            messages.success(
                request,
                _("Nouvelle dénomination enregistrée : « %(name)s ». Les documents antérieurs gardent l'ancien nom.")
                % {"name": client.display_name},
            )
            return redirect(_detail_url(tenant_slug, client, "identity"))
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "client": client, "names": _name_periods(list(client.names.all()))}
    return render(request, "clients/rename.html", context, status=status)


# --- Archive, delete -----------------------------------------------------------------------------------


@viewers
@require_POST
def client_archive_view(request, tenant_slug, pk):
    client = _client_copy_or_404(request, pk)
    _require(access.can_edit_clients(request.membership))
    try:
        services.client_archive(actor=request.membership, client=client)
    except domain.DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("« %(name)s » est archivé : il n'apparaît plus dans la liste, son historique est conservé.")
            % {"name": client.display_name},
        )
    return redirect(_detail_url(tenant_slug, client))


@viewers
@require_POST
def client_unarchive_view(request, tenant_slug, pk):
    client = _client_copy_or_404(request, pk)
    _require(access.can_edit_clients(request.membership))
    try:
        services.client_unarchive(actor=request.membership, client=client)
    except domain.DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
    else:
        messages.success(request, _("« %(name)s » est de nouveau actif.") % {"name": client.display_name})
    return redirect(_detail_url(tenant_slug, client))


@viewers
@require_POST
def client_delete_view(request, tenant_slug, pk):
    client = _client_copy_or_404(request, pk)
    _require(access.can_edit_clients(request.membership))
    name = client.display_name
    try:
        services.client_delete(actor=request.membership, client=client)
    except domain.DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
        return redirect(_detail_url(tenant_slug, client, "identity"))
    messages.success(request, _("Le client « %(name)s » est supprimé.") % {"name": name})
    return redirect("clients:list", tenant_slug=tenant_slug)


# --- Client page -----------------------------------------------------------------------------------------

TABS = ("identity", "contacts", "deals", "billing", "documents", "checklist", "history")


@viewers
@require_GET
def client_detail(request, tenant_slug, pk):
    client = _client_or_404(request, pk)
    profile: BillingProfile | None = getattr(client, "billing_profile", None)
    process_html = ""
    if profile is not None and profile.billing_process:
        # Sanitised when saved (services.billing_profile_update); again here, whatever wrote it.
        # (Text typed without markup, e.g. through the API, is laid out like the form does.)
        laid_out = billing_process_to_html(profile.billing_process)
        process_html = mark_safe(nh3.clean(laid_out, tags=services.RICH_TEXT_TAGS))  # noqa: S308
    contacts = list(client.contacts.all())
    tab = request.GET.get("tab", "")
    context = {
        "client": client,
        "profile": profile,
        "process_html": process_html,
        "names": _name_periods(list(client.names.all())),
        "contacts": contacts,
        "active_contacts": sum(1 for c in contacts if c.is_active),
        "recipients": selectors.invoice_recipients(client),
        "subsidiaries": list(client.subsidiaries.all()),
        "tab": tab if tab in TABS else "identity",
        **_permissions(request.membership),
    }
    return render(request, "clients/detail.html", context)


@dataclass(frozen=True)
class NamePeriod:
    name: object  # ClientName
    since: datetime.date | None  # None: the first known name (borne before the next one)
    until: datetime.date | None  # None: the current name


def _name_periods(names: list) -> list[NamePeriod]:
    """Names newest first, each with its period (the first known one has no known start)."""
    periods = []
    for index, name in enumerate(names):
        until = names[index - 1].valid_from - datetime.timedelta(days=1) if index else None
        since = name.valid_from if index < len(names) - 1 or len(names) == 1 else None
        periods.append(NamePeriod(name, since, until))
    return periods


@viewers
@require_GET
def client_history(request, tenant_slug, pk):
    client = _client_or_404(request, pk)
    events = selectors.client_history_events(actor=request.membership, client=client)
    page = Paginator(events, HISTORY_PER_PAGE).get_page(request.GET.get("page"))
    rows = selectors.client_history_rows(page.object_list)
    context = {"client": client, "page": page, "rows": rows}
    template = "clients/_history.html" if is_partial(request) else "clients/history.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- Contacts -----------------------------------------------------------------------------------------------


def _contact_or_404(request, client: Client, contact_pk) -> Contact:
    try:
        return selectors.contact_get(actor=request.membership, client=client, pk=contact_pk)
    except Contact.DoesNotExist:
        raise Http404(_("Ce contact n'existe pas."))


@viewers
@require_http_methods(["GET", "POST"])
def contact_create_view(request, tenant_slug, pk):
    client = _client_copy_or_404(request, pk)
    _require(access.can_edit_clients(request.membership))
    form = ContactForm(request.POST or None, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.contact_create(actor=request.membership, client=client, **form.service_fields())
        except domain.DomainError as error:
            raise_http(error)
            form.add_domain_error(error)
        else:
            messages.success(request, _("Contact « %(name)s » ajouté.") % {"name": contact})
            return redirect(_detail_url(tenant_slug, client, "contacts"))
    status = 400 if request.method == "POST" else 200
    return render(request, "clients/contact_form.html", {"form": form, "client": client, "contact": None}, status=status)


@viewers
@require_http_methods(["GET", "POST"])
def contact_edit_view(request, tenant_slug, pk, contact_pk):
    client = _client_copy_or_404(request, pk)
    contact = _contact_or_404(request, client, contact_pk)
    _require(access.can_edit_clients(request.membership))
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid() and not _differs(contact, form.service_fields()):
        messages.info(request, _("Aucune modification à enregistrer."))
        return redirect(_detail_url(tenant_slug, client, "contacts"))
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.contact_update(actor=request.membership, contact=contact, **form.service_fields())
        except domain.DomainError as error:
            raise_http(error)
            form.add_domain_error(error)
        else:
            messages.success(request, _("Contact « %(name)s » enregistré.") % {"name": contact})
            return redirect(_detail_url(tenant_slug, client, "contacts"))
    status = 400 if request.method == "POST" else 200
    shown = _contact_or_404(request, client, contact_pk)
    return render(request, "clients/contact_form.html", {"form": form, "client": client, "contact": shown}, status=status)


@viewers
@require_POST
def contact_delete_view(request, tenant_slug, pk, contact_pk):
    client = _client_copy_or_404(request, pk)
    contact = _contact_or_404(request, client, contact_pk)
    _require(access.can_edit_clients(request.membership))
    name = str(contact)
    try:
        services.contact_delete(actor=request.membership, contact=contact)
    except domain.DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
    else:
        messages.success(request, _("Contact « %(name)s » supprimé.") % {"name": name})
    return redirect(_detail_url(tenant_slug, client, "contacts"))


# --- Billing profile -----------------------------------------------------------------------------------------


@viewers
@require_http_methods(["GET", "POST"])
def billing_profile_edit(request, tenant_slug, pk):
    client = _client_copy_or_404(request, pk)
    if not access.can_edit_billing_profile(request.membership):
        raise PermissionDenied(_("Seuls l'ADV et les administrateurs modifient le profil de facturation."))
    profile = BillingProfile.objects.get(tenant_id=client.tenant_id, client=client)
    form = BillingProfileForm(
        request.POST or None, instance=profile, client=client, has_password=profile.has_platform_password
    )
    unchanged = (
        request.method == "POST" and form.is_valid()
        and form.password_change() is None and not _differs(profile, form.service_fields())
    )
    if unchanged:
        messages.info(request, _("Aucune modification à enregistrer."))
        return redirect(_detail_url(tenant_slug, client, "billing"))
    if request.method == "POST" and form.is_valid():
        try:
            services.billing_profile_update(
                actor=request.membership, client=client, platform_password=form.password_change(),
                **form.service_fields(),
            )
        except domain.DomainError as error:
            raise_http(error)
            form.add_domain_error(error)
        else:
            messages.success(request, _("Le profil de facturation de « %(name)s » est enregistré.") % {"name": client.display_name})
            return redirect(_detail_url(tenant_slug, client, "billing"))
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "client": client, "profile": profile}
    return render(request, "clients/billing_form.html", context, status=status)


@viewers
@require_POST
def platform_password_reveal(request, tenant_slug, pk):
    """Show the e-invoicing platform password (adv and admin only); every reveal is logged."""
    client = _client_copy_or_404(request, pk)
    membership = request.membership
    if not access.can_read_platform_password(membership):
        raise PermissionDenied(_("Seuls l'ADV et les administrateurs peuvent voir ce mot de passe."))
    profile = BillingProfile.objects.get(tenant_id=client.tenant_id, client=client)
    try:
        password = services.billing_profile_platform_password(actor=membership, profile=profile)
    except domain.DomainError as error:
        raise_http(error)
        raise
    logger.info(
        "e-invoicing platform password revealed",
        extra={
            "event": "platform_password_revealed",
            "tenant_id": str(client.tenant_id),
            "client_id": str(client.pk),
            "actor_membership_id": str(membership.pk),
            "actor_user_id": str(membership.user_id),
        },
    )
    context = {"client": client, "profile": profile, "password": password}
    template = "clients/_password_revealed.html" if is_partial(request) else "clients/password_revealed.html"
    response = render(request, template, context)
    add_never_cache_headers(response)
    return response

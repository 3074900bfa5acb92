"""Collections on other apps' pages, through includes of dunning's own templates: the invoice
page's "Relances" block, the overdue list's two columns (one query for the page), the client's
dunning settings. The billing and client templates only `{% include %}` a dunning template."""

from __future__ import annotations

from django import template
from django.utils import timezone

from clients.models import Contact

from .. import access, selectors

register = template.Library()


@register.inclusion_tag("dunning/_invoice_block_body.html", takes_context=True)
def dunning_invoice_block(context, invoice):
    request = context["request"]
    today = timezone.localdate()
    return {
        "request": request,
        "tenant": request.tenant,
        "invoice": invoice,
        "state": selectors.invoice_dunning(invoice, today),
        "can_act": access.can_act(request.membership),
        "today": today,
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def dunning_annotate_overdue(invoices, today):
    """Sets `invoice.dunning` on each row of the page (one query); returns ""."""
    columns = selectors.overdue_columns([invoice.pk for invoice in invoices], today)
    for invoice in invoices:
        invoice.dunning = columns.get(str(invoice.pk), {})
    return ""


@register.inclusion_tag("dunning/_client_block_body.html", takes_context=True)
def dunning_client_block(context, client):
    request = context["request"]
    settings = selectors.client_settings(client)
    chosen = set(selectors.client_contact_ids(client)) if settings.pk else set()
    contacts = list(Contact.objects.filter(client=client, is_active=True).exclude(email="").order_by("last_name", "first_name"))
    return {
        "request": request,
        "tenant": request.tenant,
        "client": client,
        "settings": settings,
        "contacts": [(contact, str(contact.pk) in chosen) for contact in contacts],
        "can_act": access.can_act(request.membership),
        "can_read": access.can_read(request.membership),
        "csrf_token": context.get("csrf_token"),
    }

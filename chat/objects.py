"""The business objects a thread may be about: whether one exists in the active firm, its title
and its page, and the object references (#AFF-2026-0015, invoice numbers) a message may contain.

Titles are what the conversation list shows; a reader who may not see the object never gets the
conversation in the first place (`access`), and a link to it in another thread stays plain text.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from adv.months import Month
from adv.tenancy.context import require_tenant_id
from adv.tenancy.models import Tenant
from billing.models import Invoice, InvoiceStatus
from clients.models import Client
from deals.models import Deal, Milestone
from documents.models import Document
from timesheets.models import Timesheet

from .models import ObjectType


@dataclass(frozen=True)
class BusinessObject:
    object_type: str
    id: object
    title: str
    url: str


def _slug() -> str:
    return Tenant.objects.filter(pk=require_tenant_id()).values_list("slug", flat=True).get()


def _invoice_title(invoice: Invoice) -> str:
    if invoice.number:
        return _("Facture %(number)s") % {"number": invoice.number}
    return _("Préfacture %(client)s, %(month)s") % {"client": invoice.client.display_name, "month": Month.of(invoice.month).label()}


def resolve(object_type: str, object_id, *, slug: str | None = None) -> BusinessObject | None:
    """The object of the active firm, or None (unknown type, unknown id, another firm's)."""
    slug = slug or _slug()
    try:
        if object_type == ObjectType.CLIENT:
            client = Client.objects.only("trade_name", "legal_name").get(pk=object_id)
            return BusinessObject(object_type, client.pk, client.display_name, reverse("clients:detail", args=[slug, client.pk]))
        if object_type == ObjectType.DEAL:
            deal = Deal.objects.only("reference", "title").get(pk=object_id)
            return BusinessObject(object_type, deal.pk, f"{deal.reference} · {deal.title}", reverse("deals:detail", args=[slug, deal.pk]))
        if object_type == ObjectType.MILESTONE:
            milestone = Milestone.objects.select_related("deal").only("label", "deal__reference").get(pk=object_id)
            return BusinessObject(
                object_type, milestone.pk, f"{milestone.deal.reference} · {milestone.label}",
                reverse("deals:detail", args=[slug, milestone.deal_id]) + "?tab=milestones",
            )
        if object_type == ObjectType.INVOICE:
            invoice = Invoice.objects.select_related("client").get(pk=object_id)
            name = "billing:pre_invoice" if invoice.status == InvoiceStatus.DRAFT else "billing:invoice"
            return BusinessObject(object_type, invoice.pk, _invoice_title(invoice), reverse(name, args=[slug, invoice.pk]))
        if object_type == ObjectType.TIMESHEET:
            timesheet = Timesheet.objects.select_related("consultant__user").get(pk=object_id)
            title = _("CRA %(name)s, %(month)s") % {
                "name": timesheet.consultant.user.get_full_name() or timesheet.consultant.user.email,
                "month": Month.of(timesheet.month).label(),
            }
            url = reverse(
                "timesheets:member_month",
                args=[slug, timesheet.consultant_id, timesheet.month.year, timesheet.month.month],
            )
            return BusinessObject(object_type, timesheet.pk, title, url)
        if object_type == ObjectType.DOCUMENT:
            document = Document.objects.only("title", "client_id").get(pk=object_id)
            return BusinessObject(
                object_type, document.pk, document.title, reverse("clients:document_detail", args=[slug, document.client_id, document.pk])
            )
    except (Client.DoesNotExist, Deal.DoesNotExist, Milestone.DoesNotExist, Invoice.DoesNotExist, Timesheet.DoesNotExist,
            Document.DoesNotExist, ValueError):
        return None
    return None


def references(refs: list[str], *, slug: str | None = None) -> list[dict]:
    """The deals and invoices named by `refs` (two queries): [{"ref", "type", "id", "title", "url"}]."""
    if not refs:
        return []
    slug = slug or _slug()
    found: dict[str, dict] = {}
    for deal in Deal.objects.filter(reference__in=refs).values("id", "reference", "title"):
        found[deal["reference"]] = {
            "ref": deal["reference"], "type": ObjectType.DEAL.value, "id": str(deal["id"]),
            "title": deal["title"], "url": reverse("deals:detail", args=[slug, deal["id"]]),
        }
    for invoice in Invoice.objects.filter(number__in=refs).values("id", "number", "client__trade_name", "client__legal_name"):
        found.setdefault(invoice["number"], {
            "ref": invoice["number"], "type": ObjectType.INVOICE.value, "id": str(invoice["id"]),
            "title": invoice["client__trade_name"] or invoice["client__legal_name"],
            "url": reverse("billing:invoice", args=[slug, invoice["id"]]),
        })
    return [found[ref] for ref in refs if ref in found]

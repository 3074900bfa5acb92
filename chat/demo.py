"""Demo data of the chat: two team channels, and conversations where month-end blocks — the
unsigned deal, a blocked milestone, a blocked pre-invoice — with a few messages and one unread
mention for the ADV login (adv@demo.adv.test). Runs after the other apps' demos (INSTALLED_APPS
order), through the services; idempotent (nothing is written when the #facturation channel exists).
The deals' demo chases also post in their threads (chat/receivers.py)."""

from __future__ import annotations

from adv.tenancy.models import Membership, Tenant
from billing.models import Invoice, InvoiceStatus, Readiness
from deals.models import Deal, DealStatus, Milestone, MilestoneStatus

from . import services
from .models import Conversation, ConversationKind

ADV, SALES, PM, ADMIN = "adv@demo.adv.test", "sales@demo.adv.test", "pm@demo.adv.test", "admin@demo.adv.test"


def _member(email: str) -> Membership | None:
    return Membership.objects.select_related("user").filter(user__email=email, is_active=True).first()


def _say(actor, conversation, body):
    return services.message_post(actor=actor, conversation_id=conversation.pk, body=body)


def seed(tenant: Tenant) -> None:
    if Conversation.objects.filter(kind=ConversationKind.CHANNEL, title="facturation").exists():
        return
    adv, sales, pm, admin = _member(ADV), _member(SALES), _member(PM), _member(ADMIN)
    if not all((adv, sales, pm, admin)):
        return
    everyone = [m.pk for m in Membership.objects.filter(is_active=True)]
    team = services.channel_create(actor=adv, name="adv", members=[admin.pk])
    _say(adv, team, "Clôture du mois : **objectif J+3**. Je commence par les préfactures prêtes.")
    billing = services.channel_create(actor=admin, name="facturation", members=everyone)
    _say(admin, billing, "Rappel : les CRA sont à valider avant le 2 du mois.\n- consultants : soumettez\n- managers : validez")

    unsigned = Deal.objects.filter(status=DealStatus.PROVISIONAL, sales_owner=sales).order_by("provisional_since").first() or \
        Deal.objects.filter(status=DealStatus.PROVISIONAL).order_by("provisional_since").first()
    if unsigned is not None:
        thread = services.thread_for_object(actor=adv, object_type="deal", object_id=unsigned.pk)
        _say(adv, thread, f"@{sales.user.email.split('@')[0]} toujours pas de bon de commande sur #{unsigned.reference} : tu as des nouvelles du client ?")
        _say(sales, thread, "@adv le client signe vendredi, le BDC suit dans la foulée.")  # the ADV's unread mention

    milestone = Milestone.objects.filter(status=MilestoneStatus.BLOCKED).select_related("deal").order_by("due_date").first()
    if milestone is not None:
        thread = services.thread_for_object(actor=adv, object_type="milestone", object_id=milestone.pk)
        _say(adv, thread, "Échéance échue mais bloquée : il manque le document demandé. Qui l'a ?")
        _say(pm, thread, "Feuille de présence signée par le client attendue lundi, je la dépose dès réception.")

    pre_invoice = Invoice.objects.filter(status=InvoiceStatus.DRAFT, readiness=Readiness.BLOCKED).select_related("deal").order_by(
        "client__legal_name"
    ).first()
    if pre_invoice is not None:
        thread = services.thread_for_object(actor=adv, object_type="invoice", object_id=pre_invoice.pk)
        _say(adv, thread, "Bloquée : le numéro de bon de commande manque. Je relance le commercial sur l'affaire.")
        if pre_invoice.deal_id:
            deal_thread = services.thread_for_object(actor=adv, object_type="deal", object_id=pre_invoice.deal_id)
            _say(adv, deal_thread, f"@{sales.user.email.split('@')[0]} la préfacture du mois est bloquée : il manque le n° de bon de commande.")
            _say(sales, deal_thread, "Je le demande au client aujourd'hui.")

"""Pre-invoices, invoices, credit notes, payments and the month-end billing run.

A pre-invoice is an `Invoice` in status `draft`: it has no number. Issuing gives it a number from
the tenant's gapless series for the year and freezes it: the service refuses any change and a
database trigger (migration 0003) refuses it too. Corrections are credit notes (`kind=credit_note`),
numbered in their own series, referencing the invoice's number and date.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pghistory
import pgtrigger
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from adv.tenancy.models import Membership, TenantModel
from clients.models import Client
from deals.models import Assignment, Deal, Milestone, PurchaseOrder, Subscription
from documents.models import Document
from timesheets.models import Timesheet, TimesheetLine

ZERO = Decimal("0")
CENT = Decimal("0.01")


class VatRegime(models.TextChoices):
    STANDARD = "standard", _("TVA française")
    REVERSE_CHARGE = "reverse_charge", _("Autoliquidation (client UE hors France)")
    EXPORT = "export", _("Exonération (client hors UE)")
    EXEMPT = "exempt", _("Exonération (mention configurée)")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class BillingPolicy(TenantModel):
    """The firm's invoicing settings (one row per tenant)."""

    invoice_number_format = models.CharField(
        _("format des numéros de facture"),
        max_length=40,
        default="F{year}-{seq:05d}",
        help_text=_(
            "Variables : {year}, {yy}, {seq} (ex. {seq:05d}). Au plus 20 caractères parmi A-Z a-z 0-9 - + _ /."
        ),
    )
    credit_note_number_format = models.CharField(
        _("format des numéros d'avoir"),
        max_length=40,
        default="AV{year}-{seq:05d}",
        help_text=_(
            "Variables : {year}, {yy}, {seq} (ex. {seq:05d}). Au plus 20 caractères parmi A-Z a-z 0-9 - + _ /."
        ),
    )
    default_vat_rate = models.DecimalField(
        _("taux de TVA par défaut (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("20.00"),
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
    )
    late_penalty_text = models.CharField(
        _("pénalités de retard"),
        max_length=300,
        default="Pénalités de retard : trois fois le taux d'intérêt légal, exigibles dès le lendemain de l'échéance.",
    )
    recovery_indemnity_text = models.CharField(
        _("indemnité forfaitaire de recouvrement"),
        max_length=300,
        default="Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 €.",
    )
    discount_text = models.CharField(_("escompte"), max_length=300, default="Pas d'escompte pour paiement anticipé.")
    vat_exemption_text = models.CharField(
        _("mention d'exonération de TVA"),
        max_length=300,
        blank=True,
        help_text=_("Par exemple « TVA non applicable, art. 293 B du CGI ». Vide : la TVA s'applique."),
    )
    easy_first = models.BooleanField(_("trier les préfactures faciles en premier"), default=True)
    vat_on_debits = models.BooleanField(
        _("option pour le paiement de la TVA d'après les débits"),
        default=False,
        help_text=_(
            "Cochez si le cabinet a opté pour les débits (art. 269-2-c du CGI) : la mention figure sur "
            "les factures et la TVA est exigible à la date de facture (BT-8)."
        ),
    )

    class Meta:
        verbose_name = _("paramètres de facturation")
        constraints = [models.UniqueConstraint(fields=["tenant"], name="billingpolicy_one_per_tenant")]

    def __str__(self) -> str:
        return str(_("paramètres de facturation"))


class Series(models.TextChoices):
    INVOICE = "invoice", _("Factures")
    CREDIT_NOTE = "credit_note", _("Avoirs")


class NumberCounter(TenantModel):
    """The last number given in a (series, year): locked by the issuing transaction, so numbers are
    chronological, without gap or duplicate (a rollback gives the number back)."""

    series = models.CharField(max_length=20, choices=Series.choices)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["series", "year"]
        constraints = [models.UniqueConstraint(fields=["tenant", "series", "year"], name="numbercounter_unique")]


class RunStatus(models.TextChoices):
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminé")
    FAILED = "failed", _("En échec")


class BillingRun(TenantModel):
    """One launch of the month's pre-invoice build; its chunks are shared by the workers."""

    month = models.DateField(_("mois"), help_text="first day of the month")
    status = models.CharField(_("statut"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    chunk_count = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(_("préfactures créées"), default=0)
    updated_count = models.PositiveIntegerField(_("préfactures mises à jour"), default=0)
    removed_count = models.PositiveIntegerField(_("préfactures supprimées"), default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lancement de facturation")
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="billingrun_month_is_first_day"),
            models.UniqueConstraint(
                fields=["tenant", "month"], condition=Q(status="running"), name="billingrun_one_running_per_month"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "month"], name="billingrun_tenant_month")]

    @property
    def progress(self) -> int:
        if not self.chunk_count:
            return 100 if self.status == RunStatus.DONE else 0
        return int(self.chunks_done * 100 / self.chunk_count)


class ChunkStatus(models.TextChoices):
    PENDING = "pending", _("À faire")
    DONE = "done", _("Fait")
    FAILED = "failed", _("En échec")


class BillingRunChunk(TenantModel):
    """A slice of the run's deals. A chunk is built in one transaction and marked done in it, so a
    killed worker leaves it pending and a resume builds it again (drafts are upserted by key)."""

    run = models.ForeignKey(BillingRun, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    deal_ids = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=ChunkStatus.choices, default=ChunkStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["run_id", "index"]
        constraints = [models.UniqueConstraint(fields=["tenant", "run", "index"], name="billingrunchunk_unique")]


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Facture")
    CREDIT_NOTE = "credit_note", _("Avoir")


# UNTDID 1001 document type codes of the Factur-X XML (BT-3).
TYPE_CODES = {InvoiceKind.INVOICE: "380", InvoiceKind.CREDIT_NOTE: "381"}


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Préfacture")
    ISSUED = "issued", _("Émise")
    SENT = "sent", _("Envoyée")
    PARTIALLY_PAID = "partially_paid", _("Payée en partie")
    PAID = "paid", _("Payée")
    # Fully covered by credit notes with nothing paid: settled, but not "paid".
    CREDITED = "credited", _("Annulée par avoir")


ISSUED_STATUSES = frozenset(
    {InvoiceStatus.ISSUED, InvoiceStatus.SENT, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.PAID, InvoiceStatus.CREDITED}
)
OPEN_STATUSES = frozenset({InvoiceStatus.ISSUED, InvoiceStatus.SENT, InvoiceStatus.PARTIALLY_PAID})


class Readiness(models.TextChoices):
    READY = "ready", _("Prête")
    ACTION = "action", _("Action requise")
    BLOCKED = "blocked", _("Bloquée")


class RenderStatus(models.TextChoices):
    NONE = "none", _("—")
    PENDING = "pending", _("PDF en cours")
    DONE = "done", _("PDF prêt")
    FAILED = "failed", _("PDF en échec")


# What an issued invoice says: frozen by the service layer and by a database trigger. Its life after
# issuance (status, sending, deposit, payments, rendering) stays writable; the rendered files are
# written once.
FROZEN_COLUMNS = (
    "tenant_id",
    "kind",
    "month",
    "group_key",
    "client_id",
    "deal_id",
    "purchase_order_id",
    "consultant_id",
    "credited_invoice_id",
    "credit_reason",
    "number",
    "issue_date",
    "due_date",
    "period_start",
    "period_end",
    "currency",
    "language",
    "po_number",
    "engagement_number",
    "buyer_reference",
    "service_code",
    "notes",
    "seller",
    "buyer",
    "payment_terms",
    "legal_mentions",
    "vat_regime",
    "total_net",
    "total_vat",
    "total_gross",
    "issued_by_id",
)
_FROZEN_CHANGED = " OR ".join(f'OLD."{column}" IS DISTINCT FROM NEW."{column}"' for column in FROZEN_COLUMNS)
_FILE_REWRITTEN = " OR ".join(
    f'(OLD."{column}" <> \'\' AND OLD."{column}" IS DISTINCT FROM NEW."{column}")'
    for column in ("pdf_file", "pdf_sha256", "xml_file", "xml_sha256")
)
ISSUED_INVOICE_IMMUTABLE = "issued invoice is immutable"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Invoice(TenantModel):
    kind = models.CharField(_("type"), max_length=12, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    status = models.CharField(_("statut"), max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT)
    month = models.DateField(_("mois facturé"), help_text="first day of the month")
    # The pre-invoice's identity in its month, so that a rerun updates it instead of adding one:
    # "deal:<id>", "po:<id>" or "consultant:<deal id>:<membership id>", with a source suffix.
    group_key = models.CharField(max_length=200, blank=True)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("client"))
    deal = models.ForeignKey(
        Deal, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices", verbose_name=_("affaire")
    )
    purchase_order = models.ForeignKey(
        PurchaseOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
        verbose_name=_("bon de commande"),
    )
    consultant = models.ForeignKey(Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    credited_invoice = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("facture d'origine"),
    )
    credit_reason = models.CharField(_("motif de l'avoir"), max_length=300, blank=True)

    number = models.CharField(_("numéro"), max_length=20, null=True, blank=True)  # noqa: DJ001 (NULL until issued)
    issue_date = models.DateField(_("date d'émission"), null=True, blank=True)
    due_date = models.DateField(_("date d'échéance"), null=True, blank=True)
    period_start = models.DateField(_("période du"), null=True, blank=True)
    period_end = models.DateField(_("au"), null=True, blank=True)
    currency = models.CharField(_("devise"), max_length=3, default="EUR")
    language = models.CharField(_("langue"), max_length=8, default="fr")

    # References the client asks for.
    po_number = models.CharField(_("n° de bon de commande"), max_length=100, blank=True)
    po_number_edited = models.BooleanField(default=False, help_text="typed on the pre-invoice: a rebuild keeps it")
    engagement_number = models.CharField(
        _("n° d'engagement (Chorus Pro)"),
        max_length=100,
        blank=True,
        help_text=_("Numéro d'engagement juridique du client public (BT-13 des factures déposées sur Chorus Pro)."),
    )
    engagement_number_edited = models.BooleanField(
        default=False, help_text="typed on the pre-invoice: a rebuild keeps it"
    )
    buyer_reference = models.CharField(_("référence acheteur"), max_length=100, blank=True)
    service_code = models.CharField(_("code service"), max_length=100, blank=True)
    notes = models.TextField(_("mentions libres sur la facture"), blank=True)

    # Frozen identities at issuance (what the PDF and XML show).
    seller = models.JSONField(default=dict, blank=True)
    buyer = models.JSONField(default=dict, blank=True)
    payment_terms = models.CharField(_("conditions de paiement"), max_length=300, blank=True)
    legal_mentions = models.JSONField(default=list, blank=True)
    vat_regime = models.CharField(
        _("régime de TVA"), max_length=20, choices=VatRegime.choices, default=VatRegime.STANDARD
    )

    total_net = models.DecimalField(_("total HT"), max_digits=14, decimal_places=2, default=ZERO)
    total_vat = models.DecimalField(_("TVA"), max_digits=14, decimal_places=2, default=ZERO)
    total_gross = models.DecimalField(_("total TTC"), max_digits=14, decimal_places=2, default=ZERO)
    amount_paid = models.DecimalField(_("payé"), max_digits=14, decimal_places=2, default=ZERO)
    amount_credited = models.DecimalField(_("avoirs"), max_digits=14, decimal_places=2, default=ZERO)

    # The cockpit: checks computed when the pre-invoice is built or refreshed.
    readiness = models.CharField(_("état"), max_length=10, choices=Readiness.choices, default=Readiness.READY)
    checks = models.JSONField(default=list, blank=True)
    ease = models.PositiveSmallIntegerField(default=0, help_text="0 = easiest: sorted first in the cockpit")

    render_status = models.CharField(max_length=10, choices=RenderStatus.choices, default=RenderStatus.NONE)
    render_attempts = models.PositiveSmallIntegerField(default=0)
    render_error = models.TextField(blank=True)
    pdf_file = models.FileField(upload_to="invoices/", max_length=300, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    xml_file = models.FileField(upload_to="invoices/", max_length=300, blank=True)
    xml_sha256 = models.CharField(max_length=64, blank=True)

    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    deposited_at = models.DateTimeField(_("déposée le"), null=True, blank=True)
    deposit_reference = models.CharField(_("référence de dépôt"), max_length=100, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    run = models.ForeignKey(BillingRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-month", "number", "created_at", "id"]
        verbose_name = _("facture")
        verbose_name_plural = _("factures")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "number"], condition=Q(number__isnull=False), name="invoice_unique_number"
            ),
            models.UniqueConstraint(
                fields=["tenant", "month", "group_key"],
                condition=Q(status="draft", kind="invoice") & ~Q(group_key=""),
                name="invoice_one_draft_per_group",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="invoice_month_is_first_day"),
            models.CheckConstraint(
                condition=Q(status="draft", number__isnull=True)
                | (~Q(status="draft") & Q(number__isnull=False, issue_date__isnull=False)),
                name="invoice_number_iff_issued",
            ),
            models.CheckConstraint(
                condition=Q(kind="invoice") | Q(credited_invoice__isnull=False), name="invoice_credit_note_has_origin"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "month", "status"], name="invoice_tenant_month_status"),
            models.Index(fields=["tenant", "client"], name="invoice_tenant_client"),
            models.Index(fields=["tenant", "status", "due_date"], name="invoice_tenant_due"),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="issued_invoice_frozen",
                operation=pgtrigger.Update,
                when=pgtrigger.Before,
                condition=pgtrigger.Condition(f"OLD.number IS NOT NULL AND ({_FROZEN_CHANGED} OR {_FILE_REWRITTEN})"),
                func=f"RAISE EXCEPTION '{ISSUED_INVOICE_IMMUTABLE}: %', OLD.number USING ERRCODE = 'integrity_constraint_violation';",
            ),
            pgtrigger.Trigger(
                name="issued_invoice_undeletable",
                operation=pgtrigger.Delete,
                when=pgtrigger.Before,
                condition=pgtrigger.Condition("OLD.number IS NOT NULL"),
                func=f"RAISE EXCEPTION '{ISSUED_INVOICE_IMMUTABLE}: %', OLD.number USING ERRCODE = 'integrity_constraint_violation';",
            ),
        ]

    def __str__(self) -> str:
        return self.number or str(_("Préfacture %(client)s") % {"client": self.client})

    @property
    def is_draft(self) -> bool:
        return self.status == InvoiceStatus.DRAFT

    @property
    def is_issued(self) -> bool:
        return self.number is not None

    @property
    def is_credit_note(self) -> bool:
        return self.kind == InvoiceKind.CREDIT_NOTE

    @property
    def balance(self) -> Decimal:
        return self.total_gross - self.amount_paid - self.amount_credited

    def is_overdue(self, today: datetime.date) -> bool:
        return (
            self.kind == InvoiceKind.INVOICE
            and self.status in OPEN_STATUSES
            and self.due_date is not None
            and self.due_date < today
            and self.balance > 0
        )

    @property
    def type_code(self) -> str:
        return TYPE_CODES[self.kind]


class LineKind(models.TextChoices):
    TIME = "time", _("Temps passé")
    MILESTONE = "milestone", _("Échéance")
    SUBSCRIPTION = "subscription", _("Abonnement")
    MANUAL = "manual", _("Ligne libre")
    DISCOUNT = "discount", _("Remise")


class Unit(models.TextChoices):
    # UN/ECE Recommendation 20 codes used in the XML (BT-130).
    DAY = "DAY", _("jour")
    HOUR = "HUR", _("heure")
    UNIT = "C62", _("unité")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class InvoiceLine(TenantModel):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=12, choices=LineKind.choices, default=LineKind.MANUAL)
    label = models.CharField(_("libellé"), max_length=300)
    detail = models.CharField(_("détail"), max_length=500, blank=True)
    quantity = models.DecimalField(_("quantité"), max_digits=9, decimal_places=2)
    unit = models.CharField(_("unité"), max_length=3, choices=Unit.choices, default=Unit.DAY)
    unit_price = models.DecimalField(
        _("prix unitaire HT"), max_digits=14, decimal_places=4, validators=[MinValueValidator(ZERO)]
    )
    vat_rate = models.DecimalField(
        _("TVA (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
    )
    net_amount = models.DecimalField(_("montant HT"), max_digits=14, decimal_places=2, default=ZERO)
    reception_number = models.CharField(
        _("n° de réception"), max_length=100, blank=True, help_text="the client's reception number of the billed month"
    )
    is_edited = models.BooleanField(default=False, help_text="reworded by a person: a rerun keeps the wording")
    is_extra = models.BooleanField(default=False, help_text="extra time (on-call, overtime), billed on its own line")
    # Where the line comes from (a rerun of the billing run rebuilds these; manual ones are kept).
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    timesheet = models.ForeignKey(
        Timesheet, on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_lines"
    )
    timesheet_line = models.ForeignKey(
        TimesheetLine, on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_lines"
    )
    milestone = models.ForeignKey(
        Milestone, on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_lines"
    )
    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_lines"
    )
    subscription_period_start = models.DateField(null=True, blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["invoice_id", "position", "id"]
        verbose_name = _("ligne de facture")
        constraints = [
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="invoiceline_price_not_negative"),
        ]
        indexes = [
            models.Index(fields=["tenant", "timesheet_line"], name="invoiceline_tsline"),
            models.Index(fields=["tenant", "milestone"], name="invoiceline_milestone"),
        ]
        triggers = [
            # The lines of an issued invoice are part of it: no insert, update or delete.
            pgtrigger.Trigger(
                name="issued_invoice_lines_frozen",
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                when=pgtrigger.Before,
                func=(
                    "IF EXISTS (SELECT 1 FROM billing_invoice WHERE number IS NOT NULL AND id IN "
                    "(NEW.invoice_id, OLD.invoice_id)) THEN "
                    f"RAISE EXCEPTION '{ISSUED_INVOICE_IMMUTABLE}' USING ERRCODE = 'integrity_constraint_violation'; "
                    "END IF; IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW;"
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_generated(self) -> bool:
        return self.kind in (LineKind.TIME, LineKind.MILESTONE, LineKind.SUBSCRIPTION)


class InvoiceAttachment(TenantModel):
    """A document sent with the invoice (client-signed timesheet, acceptance report...)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["invoice_id", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "invoice", "document"], name="invoiceattachment_unique")
        ]


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", _("Virement")
    DIRECT_DEBIT = "direct_debit", _("Prélèvement")
    CHEQUE = "cheque", _("Chèque")
    CARD = "card", _("Carte")
    OTHER = "other", _("Autre")


@pghistory.track(pghistory.InsertEvent(), pghistory.DeleteEvent())
class Payment(TenantModel):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments", verbose_name=_("facture"))
    paid_on = models.DateField(_("date du paiement"))
    amount = models.DecimalField(_("montant"), max_digits=14, decimal_places=2, validators=[MinValueValidator(CENT)])
    method = models.CharField(_("mode"), max_length=15, choices=PaymentMethod.choices, default=PaymentMethod.TRANSFER)
    reference = models.CharField(_("référence"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # A bank statement row imported twice must not pay twice: its fingerprint is unique.
    bank_fingerprint = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001

    class Meta:
        ordering = ["-paid_on", "-created_at"]
        verbose_name = _("paiement")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.UniqueConstraint(
                fields=["tenant", "bank_fingerprint"],
                condition=Q(bank_fingerprint__isnull=False),
                name="payment_unique_bank_row",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.paid_on}"


class BillingChase(TenantModel):
    """A one-click chase from the cockpit: who was asked what, about which pre-invoice."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="chases")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    check_code = models.CharField(max_length=40)
    sent_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]


class CockpitPreference(TenantModel):
    """The cockpit columns a user chose, remembered per firm."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    columns = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "membership"], name="cockpitpreference_unique")]


class MonthExpected(TenantModel):
    """What the month is expected to bill (approved time, due milestones, subscriptions due), stored
    so that the cockpit and the month summary do not recompute it on every view (it walks the
    month's timesheet entries). Refreshed by a task when deals or timesheets announce a change and
    when a run finishes (billing/figures.py); recomputed once by the next view when `fingerprint`
    (the month's issued invoices, credit notes and timesheets) no longer matches."""

    month = models.DateField(_("mois"), help_text="first day of the month")
    expected_time = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
    expected_milestones = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
    expected_subscriptions = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
    fingerprint = models.CharField(max_length=200, blank=True)
    stale = models.BooleanField(default=False)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "month"], name="monthexpected_one_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="monthexpected_month_is_first_day"),
        ]


class JobKind(models.TextChoices):
    ISSUE = "issue", _("Émission")
    SEND = "send", _("Envoi")


class JobStatus(models.TextChoices):
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminé")
    FAILED = "failed", _("En échec")


class BillingJob(TenantModel):
    """A long billing action run by the workers in batches (billing/jobs.py): issuing or sending many
    invoices. `invoice_ids` is the work in its final order; `position` says how much of it is done and
    moves in the same transaction as each batch, so a retried task resumes after the last committed
    batch and never issues or sends an invoice twice."""

    kind = models.CharField(_("type"), max_length=10, choices=JobKind.choices)
    status = models.CharField(_("statut"), max_length=10, choices=JobStatus.choices, default=JobStatus.RUNNING)
    created_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    month = models.DateField(_("mois"), null=True, blank=True, help_text="the cockpit's month, when started there")
    issue_date = models.DateField(_("date de facture"), null=True, blank=True)
    invoice_ids = models.JSONField(default=list)
    position = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    done_count = models.PositiveIntegerField(_("réussies"), default=0)
    failed_count = models.PositiveIntegerField(_("refusées"), default=0)
    succeeded = models.JSONField(default=list, help_text="ids issued or sent, in order")
    errors = models.JSONField(default=dict, help_text="invoice id -> reasons")
    waits = models.PositiveIntegerField(default=0, help_text="passes spent waiting for PDFs (send)")
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("traitement de facturation")
        indexes = [models.Index(fields=["tenant", "created_by", "created_at"], name="billingjob_tenant_creator")]

    @property
    def progress(self) -> int:
        if not self.total:
            return 100 if self.status != JobStatus.RUNNING else 0
        return int((self.done_count + self.failed_count) * 100 / self.total)

"""Monthly timesheets (CRA): one per consultant and month, a line per assignment or absence type,
an entry per day; manager approval, client approval, and the month's closing calendar.

Situation 4 of the brief: collect every CRA, validated, at month end, with reminders and an
objective record of who is late (submission timestamps).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pghistory
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from adv.tenancy.models import Membership, TenantModel
from clients.models import Contact
from deals.models import Assignment, Deal
from documents.models import Document


class TimeUnit(models.TextChoices):
    DAYS = "days", _("Jours (0, 0,5 ou 1)")
    HOURS = "hours", _("Heures")


class TimesheetPolicy(TenantModel):
    """The firm's timesheet rules (one row per tenant)."""

    unit = models.CharField(_("unité de saisie"), max_length=5, choices=TimeUnit.choices, default=TimeUnit.DAYS)
    hours_per_day = models.DecimalField(
        _("heures par jour"), max_digits=4, decimal_places=2, default=Decimal("7.00"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("12"))],
    )
    allow_extra_time = models.BooleanField(
        _("autoriser le temps supplémentaire (astreintes, heures sup.)"), default=False,
        help_text=_("Saisi à part et signalé, au-delà d'une journée."),
    )
    holiday_country = models.CharField(_("pays des jours fériés"), max_length=2, default="FR")
    # Closing calendar rule: deadlines counted in working days before / after the month's end.
    submission_working_days_before_end = models.PositiveSmallIntegerField(
        _("soumission des CRA : jours ouvrés avant le dernier jour ouvré du mois"), default=2
    )
    approval_working_days_after_end = models.PositiveSmallIntegerField(
        _("validation manager : jours ouvrés après la fin du mois"), default=1
    )
    client_approval_working_days_after_end = models.PositiveSmallIntegerField(
        _("validation client : jours ouvrés après la fin du mois"), default=2
    )
    billing_close_working_days_after_end = models.PositiveSmallIntegerField(
        _("clôture de facturation : jours ouvrés après la fin du mois"), default=3
    )
    announce_days_ahead = models.PositiveSmallIntegerField(_("annoncer le calendrier (jours avant)"), default=5)
    # Reminders, relative to the deadline, in working days: e.g. "-2,0" then every working day.
    reminder_offsets = models.CharField(
        _("relances (jours ouvrés relatifs à l'échéance)"), max_length=50, default="-2,0",
        help_text=_("Par exemple -2,0 : deux jours ouvrés avant, le jour même ; puis chaque jour ouvré."),
    )
    escalate_after_working_days = models.PositiveSmallIntegerField(
        _("escalade au manager après (jours ouvrés de retard)"), default=2
    )
    habitually_late_count = models.PositiveSmallIntegerField(_("retardataire habituel : retards"), default=3)
    habitually_late_window_months = models.PositiveSmallIntegerField(_("… sur les derniers (mois)"), default=6)

    class Meta:
        ordering = ["tenant_id"]
        constraints = [models.UniqueConstraint(fields=["tenant"], name="timesheetpolicy_one_per_tenant")]


class AbsenceType(TenantModel):
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("nom"), max_length=100)
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("type d'absence")
        verbose_name_plural = _("types d'absence")
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="absencetype_unique_code")]

    def __str__(self) -> str:
        return self.name


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ClosingCalendar(TenantModel):
    """The month's deadlines, proposed by the policy's rule, editable, announced ahead."""

    month = models.DateField(_("mois"), help_text="first day of the month")
    submission_deadline = models.DateField(_("soumission des CRA"))
    approval_deadline = models.DateField(_("validation manager"))
    client_approval_deadline = models.DateField(_("validation client"))
    billing_close_deadline = models.DateField(_("clôture de facturation"))
    announced_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The deadlines as announced (ISO dates by field name): a later edit is re-announced against them.
    announced_deadlines = models.JSONField(default=dict, blank=True, editable=False)
    announcement_revision = models.PositiveIntegerField(default=0, editable=False, help_text="changes announced so far")

    class Meta:
        ordering = ["-month"]
        verbose_name = _("calendrier de clôture")
        verbose_name_plural = _("calendriers de clôture")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "month"], name="closingcalendar_one_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="closingcalendar_month_is_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y}"


class TimesheetStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Soumis")
    APPROVED = "approved", _("Validé")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Timesheet(TenantModel):
    consultant = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="timesheets")
    month = models.DateField(_("mois"), help_text="first day of the month")
    status = models.CharField(_("statut"), max_length=10, choices=TimesheetStatus.choices, default=TimesheetStatus.DRAFT, editable=False)
    # Optimistic locking: every save of the grid must name the version it was based on.
    version = models.PositiveIntegerField(default=1, editable=False)
    submitted_at = models.DateTimeField(_("soumis le"), null=True, blank=True, editable=False)
    first_submitted_at = models.DateTimeField(
        _("première soumission"), null=True, blank=True, editable=False,
        help_text="kept through rejections: the late-submitters report reads it",
    )
    approved_at = models.DateTimeField(_("validé le"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False)
    rejected_at = models.DateTimeField(null=True, blank=True, editable=False)
    rejection_reason = models.TextField(_("motif du refus"), blank=True, editable=False)
    locked_at = models.DateTimeField(_("verrouillé (facturé) le"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-month", "consultant_id"]
        verbose_name = _("CRA")
        verbose_name_plural = _("CRA")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "consultant", "month"], name="timesheet_one_per_consultant_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="timesheet_month_is_first_day"),
            models.CheckConstraint(condition=~Q(status="submitted") | Q(submitted_at__isnull=False), name="timesheet_submitted_has_time"),
        ]
        indexes = [models.Index(fields=["tenant", "month", "status"], name="timesheet_month_status")]

    def __str__(self) -> str:
        return f"{self.consultant} {self.month:%m/%Y}"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def is_editable(self) -> bool:
        return self.status == TimesheetStatus.DRAFT and not self.is_locked


class TimesheetLine(TenantModel):
    """A row of the grid: one assignment (work) or one absence type."""

    timesheet = models.ForeignKey(Timesheet, on_delete=models.CASCADE, related_name="lines")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, null=True, blank=True, related_name="timesheet_lines")
    absence_type = models.ForeignKey(AbsenceType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    comment = models.CharField(_("commentaire"), max_length=500, blank=True)
    reception_number = models.CharField(_("numéro de réception"), max_length=100, blank=True)

    class Meta:
        ordering = ["timesheet_id", "absence_type_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(assignment__isnull=False, absence_type__isnull=True) | Q(assignment__isnull=True, absence_type__isnull=False),
                name="timesheetline_assignment_xor_absence",
            ),
            models.UniqueConstraint(fields=["tenant", "timesheet", "assignment"], condition=Q(assignment__isnull=False), name="timesheetline_one_per_assignment"),
            models.UniqueConstraint(fields=["tenant", "timesheet", "absence_type"], condition=Q(absence_type__isnull=False), name="timesheetline_one_per_absence"),
        ]


class TimesheetEntry(TenantModel):
    line = models.ForeignKey(TimesheetLine, on_delete=models.CASCADE, related_name="entries")
    day = models.DateField()
    quantity = models.DecimalField(max_digits=4, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    # On-call or overtime, entered apart from the day's regular time and flagged.
    is_extra = models.BooleanField(default=False)

    class Meta:
        ordering = ["line_id", "day", "is_extra"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "line", "day", "is_extra"], name="timesheetentry_one_per_cell"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="timesheetentry_positive"),
        ]


class ClientApprovalStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    APPROVED = "approved", _("Validé par le client")
    REFUSED = "refused", _("Refusé par le client")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ClientApproval(TenantModel):
    """The client's approval of one consultant's month on one deal: a signed PDF uploaded, or a
    single-use, expiring link sent to the client's signatory."""

    timesheet = models.ForeignKey(Timesheet, on_delete=models.CASCADE, related_name="client_approvals")
    deal = models.ForeignKey(Deal, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=ClientApprovalStatus.choices, default=ClientApprovalStatus.PENDING)
    signed_document = models.ForeignKey(Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    key_hash = models.CharField(max_length=64, blank=True, db_index=True)
    link_expires_at = models.DateTimeField(null=True, blank=True)
    link_used_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_from_ip = models.GenericIPAddressField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["timesheet_id", "deal_id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "timesheet", "deal"], name="clientapproval_one_per_deal_month"),
        ]


class ReminderKind(models.TextChoices):
    """Kinds of the closing reminders in the reminder ledger (`notifications.ReminderSent`),
    whose subject is the month ("2026-05-01")."""

    SUBMISSION = "timesheets.submission", _("Relance de soumission")
    SUBMISSION_ESCALATION = "timesheets.submission_escalation", _("Escalade au manager")
    APPROVAL = "timesheets.approval", _("Relance de validation")
    APPROVAL_ESCALATION = "timesheets.approval_escalation", _("Escalade de la validation au manager")
    ANNOUNCEMENT = "timesheets.announcement", _("Annonce du calendrier")


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)

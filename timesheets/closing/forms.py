"""Forms of the month-end close pages: a month's deadlines, the firm's timesheet rules, the
grouped reminder, and the month pickers of the reports. They parse; the services validate."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from adv.tenancy.errors import DomainError
from adv.ui.forms import BootstrapFormMixin, QuantityField

from .. import messages as reminder_messages
from .. import reminders
from ..models import ClosingCalendar, TimesheetPolicy

DEADLINE_FIELDS = ("submission_deadline", "approval_deadline", "client_approval_deadline", "billing_close_deadline")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ClosingCalendarForm(BootstrapFormMixin, forms.ModelForm):
    """One month's four deadlines (prefixed by the month: two months share the page)."""

    class Meta:
        model = ClosingCalendar
        fields = list(DEADLINE_FIELDS)
        widgets = {name: DateInput() for name in DEADLINE_FIELDS}
        labels = {
            "submission_deadline": _("Soumission des CRA"),
            "approval_deadline": _("Validation par les managers"),
            "client_approval_deadline": _("Validation par les clients"),
            "billing_close_deadline": _("Clôture de la facturation"),
        }

    def _post_clean(self):  # the service validates (order of the deadlines)
        pass

    def add_domain_error(self, error: DomainError) -> None:
        self.add_error(error.field if error.field in self.fields else None, error.message)


class TimesheetPolicyForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = TimesheetPolicy
        fields = [
            "unit", "hours_per_day", "allow_extra_time", "holiday_country",
            "submission_working_days_before_end", "approval_working_days_after_end",
            "client_approval_working_days_after_end", "billing_close_working_days_after_end",
            "announce_days_ahead", "reminder_offsets", "escalate_after_working_days",
            "habitually_late_count", "habitually_late_window_months",
        ]
        labels = {
            "submission_working_days_before_end": _("Soumission des CRA"),
            "approval_working_days_after_end": _("Validation par les managers"),
            "client_approval_working_days_after_end": _("Validation par les clients"),
            "billing_close_working_days_after_end": _("Clôture de la facturation"),
            "announce_days_ahead": _("Annonce du calendrier"),
            "reminder_offsets": _("Relances avant l'échéance"),
            "escalate_after_working_days": _("Escalade au manager"),
            "habitually_late_count": _("Retardataire habituel : nombre de retards"),
            "habitually_late_window_months": _("… sur les derniers (mois)"),
        }
        help_texts = {
            "submission_working_days_before_end": _("Jours ouvrés avant le dernier jour ouvré du mois (2 : le mercredi si le mois finit un vendredi)."),
            "approval_working_days_after_end": _("Jours ouvrés après le dernier jour ouvré du mois."),
            "client_approval_working_days_after_end": _("Jours ouvrés après le dernier jour ouvré du mois."),
            "billing_close_working_days_after_end": _("Jours ouvrés après le dernier jour ouvré du mois."),
            "announce_days_ahead": _("Jours (calendaires) avant l'échéance de soumission : le calendrier du mois est envoyé aux consultants et aux managers."),
            "reminder_offsets": _("Jours ouvrés relatifs à l'échéance, séparés par des virgules : -2,0 relance deux jours ouvrés avant et le jour même ; ensuite, chaque jour ouvré jusqu'à la soumission."),
            "escalate_after_working_days": _("Jours ouvrés de retard après lesquels le manager reçoit la liste de son équipe en retard (une fois par mois)."),
            "habitually_late_count": _("Par exemple 3 retards sur les 6 derniers mois."),
            "habitually_late_window_months": _("Mois dont l'échéance est passée."),
            "holiday_country": _("Code ISO du pays (FR) : ses jours fériés sont grisés dans les CRA et exclus des jours ouvrés."),
            "unit": _("Changer d'unité en cours de mois ne convertit pas les saisies déjà faites."),
        }
        field_classes = {"hours_per_day": QuantityField}  # "7,5" typed the French way, in a text input
        widgets = {
            "reminder_offsets": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "class": "adv-maxw-12"}),
            "holiday_country": forms.TextInput(attrs={"class": "adv-maxw-6", "autocomplete": "off"}),
        }

    def _post_clean(self):  # the service validates
        pass

    def add_domain_error(self, error: DomainError) -> None:
        self.add_error(error.field if error.field in self.fields else None, error.message)


TEMPLATE_LABELS = {
    reminder_messages.SUBMISSION_FRIENDLY: _("Rappel amical"),
    reminder_messages.SUBMISSION_LATE: _("Conséquences d'un retard"),
    reminder_messages.SUBMISSION_DOUBT: _("En cas de doute"),
    reminder_messages.APPROVAL_FRIENDLY: _("Rappel amical"),
    reminder_messages.APPROVAL_LATE: _("Conséquences d'un retard"),
    reminder_messages.APPROVAL_DOUBT: _("En cas de doute"),
}


class GroupedReminderForm(BootstrapFormMixin, forms.Form):
    """Who (the candidates shown, all ticked by default) and which message."""

    template = forms.ChoiceField(label=_("Message"), widget=forms.RadioSelect)
    people = forms.MultipleChoiceField(label=_("Destinataires"), widget=forms.CheckboxSelectMultiple,
                                       error_messages={"required": _("Cochez au moins une personne.")})

    def __init__(self, *args, audience: str, candidates: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(key, TEMPLATE_LABELS[key]) for key in reminders.GROUPED_TEMPLATES[audience]]
        self.fields["people"].choices = [(str(c.pk), str(c.membership.user)) for c in candidates]

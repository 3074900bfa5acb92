"""Forms of the timesheet pages. The month grid is a plain HTML form whose fields are named after
their cell (`c-<line>-<dd>` for regular time, `x-<line>-<dd>` for extra time, `comment-<line>`,
`reception-<line>`); `parse_grid` turns a submission into the services' `Cell`s."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from adv.months import first_day
from adv.tenancy.errors import DomainError

from . import calendar as cal
from .errors import TimesheetErrorCode
from .models import TimesheetStatus, month_start
from .services import Cell

CELL_PREFIXES = {"c": False, "x": True}  # prefix -> is_extra
MAX_REASON = 2000


@dataclass
class ParsedGrid:
    cells: list[Cell] = field(default_factory=list)
    comments: dict[str, str] = field(default_factory=dict)
    reception_numbers: dict[str, str] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)  # what was typed, to show it again after an error


def parse_quantity(text: str) -> Decimal | None:
    """"1", "0,5", "0.5", ",5", "½", "7,25" → Decimal; "" → None; anything else → ValueError."""
    text = (text or "").strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    text = text.replace("½", "0.5").replace(",", ".")
    if text.startswith("."):
        text = "0" + text
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite() or value < 0:
        raise ValueError(text)
    return value


def _line_id(text: str) -> str | None:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


def parse_grid(data, *, month: datetime.date) -> ParsedGrid:
    """Read the month form. A value that is not a number, or a day the month does not have,
    raises a DomainError naming the day (nothing is saved)."""
    parsed = ParsedGrid()
    last_day = (cal.next_month(month) - datetime.timedelta(days=1)).day
    for key in data:
        value = data.get(key, "")
        prefix, _sep, rest = key.partition("-")
        if prefix in CELL_PREFIXES and len(rest) > 3 and rest[-3] == "-":
            line_id, day_text = _line_id(rest[:-3]), rest[-2:]
            if line_id is None or not day_text.isdigit():
                continue
            parsed.raw[key] = value
            day_number = int(day_text)
            if not 1 <= day_number <= last_day:
                raise DomainError(_("Ce mois n'a pas de jour %(day)s.") % {"day": day_number}, code=TimesheetErrorCode.DAY_OUTSIDE_MONTH)
            day = month.replace(day=day_number)
            try:
                quantity = parse_quantity(value)
            except ValueError:
                raise DomainError(
                    _("« %(value)s » le %(day)s n'est pas une durée : saisissez 1, 0,5 ou laissez vide.")
                    % {"value": value, "day": formats.date_format(day, "SHORT_DATE_FORMAT")},
                    code=TimesheetErrorCode.INVALID_QUANTITY,
                ) from None
            if quantity:
                parsed.cells.append(Cell(line_id=line_id, day=day, quantity=quantity, is_extra=CELL_PREFIXES[prefix]))
        elif prefix == "comment" and _line_id(rest):
            parsed.comments[_line_id(rest)] = value.strip()
            parsed.raw[key] = value
        elif prefix == "reception" and _line_id(rest):
            parsed.reception_numbers[_line_id(rest)] = value.strip()
            parsed.raw[key] = value
    return parsed


def parse_version(data) -> int | None:
    try:
        return int(data.get("version", ""))
    except (TypeError, ValueError):
        return None


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motif"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control", "data-testid": "reason"}),
        help_text=gettext_lazy("Le consultant le verra sur son CRA et le recevra par notification."),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Indiquez le motif."))
        return reason


class ReceptionNumberForm(forms.Form):
    line = forms.UUIDField(widget=forms.HiddenInput)
    reception_number = forms.CharField(
        label=gettext_lazy("Numéro de réception"), max_length=100, required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )


class SendLinkForm(forms.Form):
    contact = forms.TypedChoiceField(label=gettext_lazy("Signataire du client"), coerce=str)

    def __init__(self, *args, signatories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.signatories = {str(c.pk): c for c in signatories}
        self.fields["contact"].choices = [(str(c.pk), f"{c} <{c.email}>") for c in signatories]
        self.fields["contact"].widget.attrs.update({"class": "form-select form-select-sm"})

    def clean_contact(self):
        return self.signatories[self.cleaned_data["contact"]]


class SignedUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Feuille signée (PDF ou image)"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control form-control-sm", "accept": ".pdf,image/*"}),
    )


def recent_months(count: int = 13) -> list[datetime.date]:
    """This month and the `count - 1` before it, newest first."""
    months = [month_start(timezone.localdate())]
    while len(months) < count:
        months.append(month_start(months[-1] - datetime.timedelta(days=1)))
    return months


def month_param(value: str | None) -> datetime.date | None:
    """"2026-05" (or "2026-05-01") → 2026-05-01; anything else → None."""
    return first_day(value, day_allowed=True)


STATUS_ALL = "all"


class QueueFilterForm(forms.Form):
    """The approval queue's filters. Without any parameter: what awaits approval, every month."""

    month = forms.ChoiceField(label=gettext_lazy("Mois"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Statut"), required=False)
    manager = forms.ChoiceField(label=gettext_lazy("Équipe"), required=False)

    def __init__(self, data=None, *, managers=(), show_team: bool = False):
        data = data.copy() if data is not None else {}
        if "status" not in data:
            data["status"] = TimesheetStatus.SUBMITTED
        super().__init__(data)
        self.fields["month"].choices = [("", _("Tous les mois"))] + [
            (f"{m:%Y-%m}", formats.date_format(m, "F Y").capitalize()) for m in recent_months()
        ]
        self.fields["status"].choices = [(STATUS_ALL, _("Tous les statuts")), *TimesheetStatus.choices]
        self.show_team = show_team
        self.fields["manager"].choices = [("", _("Toutes les équipes"))] + [
            (str(m.pk), _("Équipe de %(name)s") % {"name": m.user.get_full_name() or m.user.email}) for m in managers
        ]
        for name in ("month", "status", "manager"):
            self.fields[name].widget.attrs.update({"class": "form-select", "data-autosubmit": ""})

    def filters(self):
        from .selectors import QueueFilters

        if not self.is_valid():
            return QueueFilters(status=TimesheetStatus.SUBMITTED)
        status = self.cleaned_data["status"]
        return QueueFilters(
            month=month_param(self.cleaned_data["month"]),
            status="" if status == STATUS_ALL else status,
            manager=self.cleaned_data["manager"] if self.show_team and self.cleaned_data["manager"] else None,
        )

"""Forms of the deal pages. They parse the input; the services validate and write, and their
DomainError lands on the field it names (`add_domain_error`)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from adv.tenancy.errors import DomainError
from adv.tenancy.models import Membership
from adv.tenancy.roles import ADV_OWNER_ROLES, DEAL_OWNER_ROLES, PROJECT_MANAGER_ROLES, SALES_OWNER_ROLES
from adv.ui.forms import AmountField, BootstrapFormMixin, QuantityField
from adv.ui.pickers import ME, ClientPickerField, MemberPickerField
from clients.models import Client, Contact
from documents.forms import DocumentUploadForm
from documents.models import Document, DocumentType

from . import selectors
from .models import BillingTiming, Deal, DealPolicy, DealStatus, DealType, SubscriptionPeriod
from .selectors import (
    AGE_BUCKETS,
    DEAL_SORTS,
    DEFAULT_SORT,
    MILESTONE_SCOPES,
    MILESTONE_SORTS,
    UNSIGNED_DEFAULT_SORT,
    UNSIGNED_SORTS,
    CommissionFilters,
    DealFilters,
    MilestoneFilters,
    UnsignedFilters,
)

CURRENCIES = [("EUR", "EUR – euro"), ("CHF", "CHF – franc suisse"), ("GBP", "GBP – livre sterling"), ("USD", "USD – dollar US")]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DaysField(QuantityField):
    """Days (2 decimals), typed "12,5" or "12.5"."""


def _person(m: Membership) -> str:
    return m.user.get_full_name() or m.user.email


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{_person(obj)} · {obj.get_role_display()}"


class ConsultantChoiceField(MemberPickerField):
    """The consultant to staff: an autocomplete over the firm's active consultants (never the list of all)."""

    def __init__(self, queryset=None, **kwargs):
        kwargs.pop("empty_label", None)
        kwargs.setdefault("placeholder", _("Rechercher un consultant…"))
        super().__init__(queryset, role="consultant", **kwargs)

    def label_from_instance(self, obj: Membership) -> str:
        kind = _("externe") if obj.is_contractor else _("salarié")
        return f"{_person(obj)} ({kind})"


class ClientChoiceField(ClientPickerField):
    def label_from_instance(self, obj: Client) -> str:
        return obj.display_name


class DocumentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Document) -> str:
        day = f" · {obj.signed_on:%d/%m/%Y}" if obj.signed_on else ""
        return f"{obj.document_type.name} – {obj.title}{day}"


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Contact) -> str:
        return f"{obj}{f' – {obj.job_title}' if obj.job_title else ''}"


class RecipientsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Contact) -> str:
        return f"{obj} <{obj.email}>"


class ServiceForm(BootstrapFormMixin, forms.Form):
    """A form whose service reports every invalid field (model validation finds them all)."""

    def add_domain_error(self, error: DomainError) -> None:
        messages = getattr(error, "errors", None)
        if messages:
            for name, texts in messages.items():
                target = name if name in self.fields else None
                for text in texts:
                    self.add_error(target, text)
            return
        super().add_domain_error(error)


def _member(value: Membership | str | None, me: Membership) -> uuid.UUID | None:
    """A member filter's value: "me", a Membership (a picker field) or an id (a select)."""
    if value == ME:
        return me.pk
    if isinstance(value, Membership):
        return value.pk
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


# --- Deal list filters ----------------------------------------------------------------------------


class DealFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Rechercher"), required=False, max_length=100,
        widget=forms.SearchInput(attrs={"placeholder": _("Référence, intitulé ou client"), "autocomplete": "off"}),
    )
    status = forms.ChoiceField(label=_("Statut"), required=False, choices=[("", _("Tous les statuts")), *DealStatus.choices])
    deal_type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("Tous les types")), *DealType.choices])
    # Autocompletes: any member or client of the firm is accepted (a filter, not an assignment).
    owner = MemberPickerField(label=_("Commercial"), role="owner", allow_me=True, autosubmit=True, required=False)
    client = ClientChoiceField(label=_("Client"), queryset=Client.objects.none(), autosubmit=True, required=False)
    provisional = forms.ChoiceField(
        label=_("Signature"), required=False,
        choices=[("", _("Toutes")), ("yes", _("Provisoires (non signées)")), ("no", _("Hors provisoires"))],
    )
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Membership.objects.select_related("user")
        self.fields["client"].queryset = Client.objects.only("id", "legal_name", "trade_name")

    def filters(self, *, me: Membership) -> DealFilters:
        data = self.cleaned_data if self.is_valid() else {}
        sort = data.get("sort") or DEFAULT_SORT
        if sort.lstrip("-") not in DEAL_SORTS:
            sort = DEFAULT_SORT
        return DealFilters(
            q=(data.get("q") or "").strip(),
            status=data.get("status") or "",
            deal_type=data.get("deal_type") or "",
            owner=_member(data.get("owner"), me),
            client=data["client"].pk if data.get("client") else None,
            provisional={"yes": True, "no": False}.get(data.get("provisional") or ""),
            sort=sort,
        )


# --- Deal ------------------------------------------------------------------------------------------------

DEAL_SECTIONS = [
    (_("L'affaire"), ["client", "title", "deal_type", "start_date", "end_date", "ordered_amount", "currency"]),
    (_("Qui s'en occupe"), ["sales_owner", "project_manager", "adv_owner"]),
]


class DealForm(ServiceForm):
    client = ClientChoiceField(
        label=_("Client"), queryset=Client.objects.none(), active_only=True,
        error_messages={"required": _("Choisissez le client."), "invalid_choice": _("Ce client n'existe pas.")},
    )
    title = forms.CharField(label=_("Intitulé"), max_length=200, widget=forms.TextInput(attrs={"placeholder": _("Par exemple : Refonte du portail client – TMA 2026")}))
    deal_type = forms.ChoiceField(
        label=_("Type"), choices=DealType.choices, widget=forms.RadioSelect,
        help_text=_("Régie : facturée au temps passé. Forfait : par échéances. Abonnement : montant récurrent."),
    )
    start_date = forms.DateField(label=_("Début"), widget=DateInput())
    end_date = forms.DateField(label=_("Fin"), required=False, widget=DateInput(), help_text=_("Laissez vide si la fin n'est pas connue."))
    ordered_amount = AmountField(
        label=_("Montant commandé (HT)"), required=False, max_digits=14, decimal_places=2, min_value=0,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("Obligatoire pour un forfait : l'échéancier doit tomber juste."),
    )
    currency = forms.ChoiceField(label=_("Devise"), choices=CURRENCIES, initial="EUR")
    sales_owner = MemberPickerField(
        label=_("Commercial"), role="sales", required=False,
        help_text=_("Laissez vide pour le commercial du client. Relancé tant que l'affaire n'est pas signée."),
    )
    project_manager = MemberPickerField(label=_("Chef de projet"), role="project_manager", required=False)
    adv_owner = MemberPickerField(label=_("ADV en charge"), role="adv", required=False, help_text=_("Laissez vide pour l'ADV du client."))

    def __init__(self, *args, deal: Deal | None = None, **kwargs):
        if deal is not None:
            kwargs.setdefault("initial", {
                "client": deal.client_id, "title": deal.title, "deal_type": deal.deal_type, "start_date": deal.start_date,
                "end_date": deal.end_date, "ordered_amount": deal.ordered_amount, "currency": deal.currency,
                "sales_owner": deal.sales_owner_id, "project_manager": deal.project_manager_id, "adv_owner": deal.adv_owner_id,
            })
        super().__init__(*args, **kwargs)
        self.deal = deal
        current = deal or Deal()
        self.fields["sales_owner"].queryset = selectors.member_choices(SALES_OWNER_ROLES, keep=[current.sales_owner_id])
        self.fields["project_manager"].queryset = selectors.member_choices(
            PROJECT_MANAGER_ROLES, keep=[current.project_manager_id]
        )
        self.fields["adv_owner"].queryset = selectors.member_choices(ADV_OWNER_ROLES, keep=[current.adv_owner_id])
        if deal is None:
            self.fields["client"].queryset = Client.objects.filter(archived_at__isnull=True).order_by("legal_name", "id")
        else:
            del self.fields["client"]
            if deal.status != DealStatus.DRAFT:
                self.fields["deal_type"].disabled = True
                self.fields["deal_type"].help_text = _("Le type ne change plus après la validation.")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("La fin doit suivre le début."))
        return cleaned

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("client", None)
        if self.deal is not None:
            if self.fields["deal_type"].disabled:
                data.pop("deal_type")
            # A blank owner keeps the current one (the service needs a sales owner).
            if data.get("sales_owner") is None:
                data.pop("sales_owner")
        else:
            for name in ("sales_owner", "adv_owner"):
                if data.get(name) is None:
                    data.pop(name)
        return data

    def sections(self):
        return [(title, [self[name] for name in names if name in self.fields]) for title, names in DEAL_SECTIONS]


class SignForm(ServiceForm):
    signed_on = forms.DateField(label=_("Date de signature"), widget=DateInput(), help_text=_("La date portée sur le document signé."))
    signed_by_contact = ContactChoiceField(
        label=_("Signataire (côté client)"), queryset=Contact.objects.none(), required=False, empty_label=_("— Non renseigné —"),
    )
    override_reason = forms.CharField(
        label=_("Motif pour signer sans les documents"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("Par exemple : bon de commande confirmé par e-mail de l'acheteur, original attendu.")}),
        help_text=_("Enregistré dans l'historique de l'affaire (audit)."),
    )

    def __init__(self, *args, deal: Deal, reason_required: bool = False, **kwargs):
        kwargs.setdefault("initial", {"signed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        if reason_required:  # documents are missing: signing anyway needs a reason (the service checks it too)
            self.fields["override_reason"].required = True
            self.fields["override_reason"].error_messages["required"] = _(
                "Déposez les documents manquants, ou indiquez un motif pour signer sans."
            )
        self.fields["signed_by_contact"].queryset = Contact.objects.filter(client_id=deal.client_id, is_active=True).order_by("last_name", "first_name")
        self.fields["signed_on"].widget.attrs["max"] = timezone.localdate().isoformat()


class LostForm(ServiceForm):
    reason = forms.CharField(
        label=_("Motif de la perte"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Indiquez le motif de la perte.")},
    )


# --- Instructions and billing overrides -------------------------------------------------------------

TRI_STATE = [("", _("Comme le client")), ("yes", _("Oui")), ("no", _("Non"))]
OVERRIDES = ("purchase_order_required", "reception_number_required", "signed_timesheet_required")


class InstructionsForm(ServiceForm):
    consultant_instructions = forms.CharField(
        label=_("Consignes aux consultants"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Affichées dans le CRA des consultants staffés (où saisir, qui valide, ce qu'il faut joindre…)."),
    )
    pre_invoice_notes = forms.CharField(
        label=_("Notes pour la préfacture"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Rappelées à l'ADV sur la préfacture de cette affaire."),
    )
    purchase_order_required = forms.ChoiceField(label=_("Bon de commande obligatoire"), choices=TRI_STATE, required=False)
    reception_number_required = forms.ChoiceField(label=_("Numéro de réception mensuel"), choices=TRI_STATE, required=False)
    signed_timesheet_required = forms.ChoiceField(label=_("CRA signé par le client à joindre"), choices=TRI_STATE, required=False)
    invoice_recipients = RecipientsField(
        label=_("Destinataires des factures de cette affaire"), queryset=Contact.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucun coché : les destinataires habituels du client."),
    )

    def __init__(self, *args, deal: Deal, **kwargs):
        initial = {
            "consultant_instructions": deal.consultant_instructions,
            "pre_invoice_notes": deal.pre_invoice_notes,
            "invoice_recipients": [c.pk for c in deal.invoice_recipients.all()],
        }
        for name in OVERRIDES:
            value = getattr(deal, name)
            initial[name] = "" if value is None else ("yes" if value else "no")
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["invoice_recipients"].queryset = Contact.objects.filter(client_id=deal.client_id, is_active=True).exclude(email="").order_by(
            "last_name", "first_name"
        )
        self.fields["invoice_recipients"].widget.attrs["class"] = "list-unstyled mb-0"
        profile = getattr(deal.client, "billing_profile", None)
        for name in OVERRIDES:
            inherited = getattr(profile, name, False) if profile is not None else False
            self.fields[name].choices = [
                ("", _("Comme le client (%(value)s)") % {"value": _("oui") if inherited else _("non")}),
                ("yes", _("Oui, pour cette affaire")),
                ("no", _("Non, pour cette affaire")),
            ]

    def service_fields(self) -> dict:
        data = {
            "consultant_instructions": self.cleaned_data["consultant_instructions"],
            "pre_invoice_notes": self.cleaned_data["pre_invoice_notes"],
            "invoice_recipients": list(self.cleaned_data["invoice_recipients"]),
        }
        for name in OVERRIDES:
            data[name] = {"yes": True, "no": False}.get(self.cleaned_data.get(name) or "")
        return data


# --- Staffing ---------------------------------------------------------------------------------------


class AssignmentForm(ServiceForm):
    consultant = ConsultantChoiceField(
        label=_("Consultant"), queryset=Membership.objects.none(),
        error_messages={"required": _("Choisissez le consultant."), "invalid_choice": _("Ce consultant n'existe pas.")},
    )
    daily_rate = AmountField(
        label=_("TJM de vente (HT)"), max_digits=10, decimal_places=2, widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={"required": _("Indiquez le TJM de vente.")},
    )
    purchase_daily_rate = AmountField(
        label=_("TJM d'achat (HT)"), required=False, max_digits=10, decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("Consultants externes uniquement : ce que le sous-traitant facture, pour connaître la marge."),
    )
    start_date = forms.DateField(label=_("Début"), widget=DateInput())
    end_date = forms.DateField(label=_("Fin"), required=False, widget=DateInput())
    planned_days = DaysField(
        label=_("Jours prévus"), required=False, max_digits=7, decimal_places=2, min_value=0,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("Sert à chiffrer le montant en jeu tant que l'affaire n'est pas signée."),
    )
    reception_number_required = forms.BooleanField(
        label=_("Le client fournit un numéro de réception chaque mois pour ce consultant"), required=False,
    )
    is_active = forms.BooleanField(label=_("Staffing actif"), required=False, initial=True)

    def __init__(self, *args, deal: Deal, assignment=None, **kwargs):
        if assignment is not None:
            kwargs.setdefault("initial", {
                name: getattr(assignment, name) for name in (
                    "daily_rate", "purchase_daily_rate", "start_date", "end_date", "planned_days",
                    "reception_number_required", "is_active",
                )
            })
        else:
            kwargs.setdefault("initial", {
                "start_date": max(deal.start_date, timezone.localdate()) if deal.end_date is None or deal.end_date >= timezone.localdate() else deal.start_date,
                "end_date": deal.end_date, "is_active": True,
                "reception_number_required": deal.requires("reception_number_required"),
            })
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        if assignment is None:
            self.fields["consultant"].queryset = selectors.consultant_choices()
            del self.fields["is_active"]
        else:
            del self.fields["consultant"]
            if not assignment.consultant.is_contractor:
                del self.fields["purchase_daily_rate"]
        for name in ("start_date", "end_date"):
            self.fields[name].widget.attrs["min"] = deal.start_date.isoformat()
            if deal.end_date:
                self.fields[name].widget.attrs["max"] = deal.end_date.isoformat()
        if deal.end_date:
            self.fields["end_date"].required = True
            self.fields["end_date"].help_text = _("Au plus tard le %(day)s, fin de l'affaire.") % {"day": deal.end_date.strftime("%d/%m/%Y")}

    def clean(self):
        cleaned = super().clean()
        consultant = cleaned.get("consultant")
        if consultant is not None and not consultant.is_contractor and cleaned.get("purchase_daily_rate") is not None:
            self.add_error("purchase_daily_rate", _("Le TJM d'achat ne concerne que les consultants externes."))
        return cleaned

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("consultant", None)
        return data


# --- Purchase orders --------------------------------------------------------------------------------


class PurchaseOrderForm(ServiceForm):
    number = forms.CharField(label=_("Numéro de commande"), max_length=100)
    amount = AmountField(
        label=_("Montant (HT)"), required=False, max_digits=14, decimal_places=2, min_value=0,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    valid_from = forms.DateField(label=_("Valable du"), required=False, widget=DateInput())
    valid_until = forms.DateField(label=_("Valable jusqu'au"), required=False, widget=DateInput())
    document = DocumentChoiceField(
        label=_("Document du bon de commande"), queryset=Document.objects.none(), required=False, empty_label=_("— Aucun —"),
        help_text=_("Un document de l'affaire ou du client (à déposer d'abord dans l'onglet Documents)."),
    )

    def __init__(self, *args, deal: Deal, actor: Membership, purchase_order=None, **kwargs):
        if purchase_order is not None:
            kwargs.setdefault("initial", {
                name: getattr(purchase_order, name) for name in ("number", "amount", "valid_from", "valid_until")
            } | {"document": purchase_order.document_id})
        super().__init__(*args, **kwargs)
        ids = [d.pk for d in selectors.milestone_document_choices(actor=actor, deal=deal)]
        self.fields["document"].queryset = Document.objects.filter(pk__in=ids).select_related("document_type").order_by("document_type__name", "title")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("La fin de validité doit suivre le début."))
        return cleaned


# --- Milestones ------------------------------------------------------------------------------------


class MilestoneRowForm(BootstrapFormMixin, forms.Form):
    label = forms.CharField(label=_("Libellé"), max_length=200, required=False)
    due_date = forms.DateField(label=_("Date d'échéance"), required=False, widget=DateInput())
    due_event = forms.CharField(label=_("Ou événement"), max_length=200, required=False, widget=forms.TextInput(attrs={"placeholder": _("ex. recette du lot 2")}))
    amount = AmountField(label=_("Montant (HT)"), required=False, max_digits=14, decimal_places=2, min_value=0, widget=forms.TextInput(attrs={"inputmode": "decimal", "data-amount": ""}))
    percentage = QuantityField(label=_("%"), required=False, max_digits=5, decimal_places=2, min_value=0, max_value=100, widget=forms.TextInput(attrs={"inputmode": "decimal", "data-percentage": ""}))
    required_document_type = forms.ModelChoiceField(label=_("Document exigé"), queryset=DocumentType.objects.none(), required=False, empty_label=_("— Aucun —"))
    project_manager = MemberChoiceField(label=_("Chef de projet"), queryset=Membership.objects.none(), required=False, empty_label=_("Celui de l'affaire"))

    def __init__(self, *args, types=None, managers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if types is not None:
            self.fields["required_document_type"].queryset = types
        if managers is not None:
            self.fields["project_manager"].queryset = managers
        for field in self.fields.values():  # the table's header labels the columns; each cell needs its own name
            field.widget.attrs.setdefault("aria-label", str(field.label))

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not any(data.get(name) not in (None, "") for name in self.fields)

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(name) not in (None, "") for name in self.fields):
            return cleaned
        if not (cleaned.get("label") or "").strip():
            self.add_error("label", _("Donnez un libellé à l'échéance."))
        if cleaned.get("due_date") is None and not (cleaned.get("due_event") or "").strip():
            self.add_error("due_date", _("Une date ou un événement déclencheur."))
        if cleaned.get("amount") is None and cleaned.get("percentage") is None:
            self.add_error("amount", _("Un montant ou un pourcentage."))
        return cleaned

    def item(self) -> dict:
        data = self.cleaned_data
        item = {
            "label": data["label"].strip(),
            "due_date": data.get("due_date"),
            "due_event": (data.get("due_event") or "").strip(),
            "required_document_type": data.get("required_document_type"),
            "project_manager": data.get("project_manager"),
        }
        if data.get("amount") is not None:
            item["amount"] = data["amount"]
            if data.get("percentage") is not None:
                item["percentage"] = data["percentage"]
        else:
            item["percentage"] = data["percentage"]
        return item


class BaseScheduleFormSet(forms.BaseFormSet):
    def __init__(self, *args, types=None, managers=None, **kwargs):
        self._types = types
        self._managers = managers
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"types": self._types, "managers": self._managers}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), empty_permitted=True, use_required_attribute=False,
            types=self._types, managers=self._managers, renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form

    def items(self) -> list[dict]:
        return [form.item() for form in self.forms if form.cleaned_data and not form.is_blank and not form.cleaned_data.get("DELETE")]


ScheduleFormSet = forms.formset_factory(MilestoneRowForm, formset=BaseScheduleFormSet, extra=2, can_delete=False, max_num=60)


def schedule_initial(milestones) -> list[dict]:
    return [
        {
            "label": m.label, "due_date": m.due_date, "due_event": m.due_event, "amount": m.amount, "percentage": m.percentage,
            "required_document_type": m.required_document_type_id, "project_manager": m.project_manager_id,
        }
        for m in milestones
    ]


class MilestoneAttachForm(ServiceForm):
    document = DocumentChoiceField(label=_("Document"), queryset=Document.objects.none(), empty_label=_("Choisir un document…"))

    def __init__(self, *args, documents, milestone=None, **kwargs):
        super().__init__(*args, **kwargs)
        if milestone is not None and milestone.required_document_type_id:
            documents = [d for d in documents if d.document_type_id == milestone.required_document_type_id]
        self.fields["document"].queryset = Document.objects.filter(pk__in=[d.pk for d in documents]).select_related("document_type")


class MilestoneEventForm(ServiceForm):
    occurred_on = forms.DateField(label=_("Survenu le"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"occurred_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["occurred_on"].widget.attrs["max"] = timezone.localdate().isoformat()


# --- Subscriptions ----------------------------------------------------------------------------------


class SubscriptionForm(ServiceForm):
    label = forms.CharField(label=_("Libellé"), max_length=200, widget=forms.TextInput(attrs={"placeholder": _("Par exemple : Infogérance – forfait mensuel")}))
    amount = AmountField(label=_("Montant par période (HT)"), max_digits=14, decimal_places=2, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    period = forms.ChoiceField(label=_("Périodicité"), choices=SubscriptionPeriod.choices)
    timing = forms.ChoiceField(label=_("Facturation"), choices=BillingTiming.choices, widget=forms.RadioSelect)
    start_date = forms.DateField(label=_("Début"), widget=DateInput())
    end_date = forms.DateField(label=_("Fin"), required=False, widget=DateInput())
    is_active = forms.BooleanField(label=_("Abonnement actif"), required=False, initial=True)

    def __init__(self, *args, deal: Deal, subscription=None, **kwargs):
        if subscription is not None:
            kwargs.setdefault("initial", {
                name: getattr(subscription, name) for name in ("label", "amount", "period", "timing", "start_date", "end_date", "is_active")
            })
        else:
            kwargs.setdefault("initial", {"start_date": deal.start_date, "end_date": deal.end_date, "is_active": True, "timing": BillingTiming.IN_ADVANCE})
        super().__init__(*args, **kwargs)


# --- Documents ---------------------------------------------------------------------------------------


class DocumentAttachForm(ServiceForm):
    document = DocumentChoiceField(
        label=_("Document du client"), queryset=Document.objects.none(), empty_label=_("Choisir un document…"),
        error_messages={"required": _("Choisissez le document à rattacher.")},
    )

    def __init__(self, *args, documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = Document.objects.filter(pk__in=[d.pk for d in documents]).select_related("document_type").order_by(
            "document_type__name", "-created_at"
        )


class DealDocumentUploadForm(DocumentUploadForm):
    """The clients' upload form: the file is stored on the client record and attached to the deal."""


# --- Firm settings --------------------------------------------------------------------------------


class DealPolicyForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = DealPolicy
        fields = ["chase_every_days", "escalate_after_days", "milestone_escalate_after_days", "reference_prefix"]
        widgets = {
            "chase_every_days": forms.NumberInput(attrs={"min": 1, "max": 90}),
            "escalate_after_days": forms.NumberInput(attrs={"min": 1, "max": 365}),
            "milestone_escalate_after_days": forms.NumberInput(attrs={"min": 1, "max": 365}),
            "reference_prefix": forms.TextInput(attrs={"autocomplete": "off", "class": "adv-maxw-10"}),
        }
        help_texts = {
            "chase_every_days": _("Le commercial d'une affaire validée provisoirement est relancé à ce rythme tant qu'elle n'est pas signée."),
            "escalate_after_days": _("Au-delà, son manager est prévenu (une seule fois)."),
            "milestone_escalate_after_days": _("Une échéance échue sans son document est escaladée au manager du chef de projet après ce délai."),
            "reference_prefix": _("Les références sont numérotées par an : AFF-2026-0001, AFF-2026-0002…"),
        }

    def _post_clean(self):  # the service validates
        pass

    def add_domain_error(self, error: DomainError) -> None:
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.message)


# --- Report filters ---------------------------------------------------------------------------------


def _members(roles):
    """Who a report's person filter accepts (autocompletes: the page never lists them): the role's holders."""
    return Membership.objects.filter(role__in=list(roles)).select_related("user")


class UnsignedFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Rechercher"), required=False, max_length=100,
        widget=forms.SearchInput(attrs={"placeholder": _("Référence, intitulé ou client"), "autocomplete": "off"}),
    )
    owner = MemberPickerField(label=_("Commercial"), role="owner", allow_me=True, autosubmit=True, required=False)
    deal_type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("Tous les types")), *DealType.choices])
    age = forms.ChoiceField(label=_("Provisoire depuis"), required=False, choices=[("", _("Toutes durées")), *[(b.key, b.label) for b in AGE_BUCKETS]])
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _members(DEAL_OWNER_ROLES)

    def filters(self, *, me: Membership) -> UnsignedFilters:
        data = self.cleaned_data if self.is_valid() else {}
        sort = data.get("sort") or UNSIGNED_DEFAULT_SORT
        if sort.lstrip("-") not in UNSIGNED_SORTS:
            sort = UNSIGNED_DEFAULT_SORT
        return UnsignedFilters(
            q=(data.get("q") or "").strip(), owner=_member(data.get("owner"), me), deal_type=data.get("deal_type") or "",
            age=data.get("age") or "", sort=sort,
        )


class MilestoneFilterForm(BootstrapFormMixin, forms.Form):
    scope = forms.ChoiceField(
        label=_("Échéances"), required=False,
        choices=[
            ("due", _("Échues (prêtes ou bloquées)")), ("blocked", _("Bloquées")), ("ready", _("Prêtes à facturer")),
            ("planned", _("À venir")), ("invoiced", _("Facturées")), ("all", _("Toutes")),
        ],
    )
    project_manager = MemberPickerField(
        label=_("Chef de projet"), role="project_manager", allow_me=True, autosubmit=True, required=False
    )
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project_manager"].queryset = _members(PROJECT_MANAGER_ROLES)

    def filters(self, *, me: Membership) -> MilestoneFilters:
        data = self.cleaned_data if self.is_valid() else {}
        sort = data.get("sort") or "blocked"
        if sort.lstrip("-") not in MILESTONE_SORTS:
            sort = "blocked"
        scope = data.get("scope") or "due"
        if scope not in MILESTONE_SCOPES and scope != "all":
            scope = "due"
        return MilestoneFilters(scope=scope, project_manager=_member(data.get("project_manager"), me), sort=sort)


class CommissionFilterForm(BootstrapFormMixin, forms.Form):
    owner = MemberPickerField(label=_("Commercial"), role="owner", allow_me=True, autosubmit=True, required=False)
    signed = forms.ChoiceField(
        label=_("Signature"), required=False,
        choices=[("", _("Toutes les affaires")), ("yes", _("Signées (commissionnables)")), ("no", _("Non signées"))],
    )
    signed_from = forms.DateField(label=_("Signées du"), required=False, widget=DateInput())
    signed_to = forms.DateField(label=_("au"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _members(DEAL_OWNER_ROLES)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("signed_from"), cleaned.get("signed_to")
        if start and end and end < start:
            self.add_error("signed_to", _("La fin de la période doit suivre son début."))
        return cleaned

    def filters(self, *, me: Membership) -> CommissionFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return CommissionFilters(
            owner=_member(data.get("owner"), me), signed={"yes": True, "no": False}.get(data.get("signed") or ""),
            signed_from=data.get("signed_from"), signed_to=data.get("signed_to"),
        )

"""Forms of the client pages. They parse the input; the services validate and write, and their
DomainError lands on the field it names (`add_domain_error`)."""

from __future__ import annotations

import html
import itertools
import re
import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from adv.tenancy.errors import DomainError
from adv.tenancy.models import Membership
from adv.tenancy.roles import ADV_OWNER_ROLES, SALES_OWNER_ROLES
from adv.ui.forms import BootstrapFormMixin
from adv.ui.pickers import ME, ClientPickerField, MemberPickerField

from . import selectors
from .errors import SirenTaken
from .importing import MAX_FILE_BYTES
from .models import BillingProfile, Client, ClientStatus, Contact
from .selectors import ARCHIVED_HIDDEN, ARCHIVED_INCLUDED, ARCHIVED_ONLY, CLIENT_SORTS, ClientFilters


class ParentChoiceField(ClientPickerField):
    def label_from_instance(self, obj: Client) -> str:
        if obj.trade_name and obj.trade_name != obj.legal_name:
            return f"{obj.legal_name} ({obj.trade_name})"
        return obj.legal_name


class ServiceFormMixin(BootstrapFormMixin):
    """Validation is the service's job: a ModelForm here only borrows the model's labels,
    choices and help texts (no model validation, no save)."""

    def _post_clean(self):  # the service validates (model rules + business rules)
        pass

    def clean(self):
        # Browsers send text areas with CRLF line ends: store "\n", so that saving an unchanged
        # form changes nothing (and the history shows no phantom change).
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str) and "\r" in value:
                cleaned[name] = value.replace("\r\n", "\n").replace("\r", "\n")
        return cleaned

    def add_domain_error(self, error: DomainError) -> None:
        """Every field message the service found (model validation reports them all)."""
        messages = getattr(error, "errors", None)
        if messages:
            for name, texts in messages.items():
                target = name if name in self.fields else None
                for text in texts:
                    self.add_error(target, text)
                if target:
                    self._mark_invalid(target)
            return
        super().add_domain_error(error)

    def _mark_invalid(self, name: str) -> None:
        widget = self.fields[name].widget
        if "is-invalid" not in widget.attrs.get("class", ""):
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
        widget.attrs["aria-invalid"] = "true"


# --- Client list filters ---------------------------------------------------------------------------

class ClientFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Rechercher"), required=False, max_length=100,
        widget=forms.SearchInput(attrs={"placeholder": _("Raison sociale, nom commercial ou SIREN"), "autocomplete": "off"}),
    )
    status = forms.ChoiceField(label=_("Statut"), required=False, choices=[("", _("Tous")), *ClientStatus.choices])
    # Autocompletes (any member of the firm is accepted: a former salesperson still owns clients).
    owner = MemberPickerField(label=_("Commercial"), role="sales", allow_me=True, autosubmit=True, required=False)
    adv_owner = MemberPickerField(label=_("ADV en charge"), role="adv", allow_me=True, autosubmit=True, required=False)
    public_sector = forms.ChoiceField(
        label=_("Secteur"), required=False,
        choices=[("", _("Public et privé")), ("yes", _("Public (Chorus Pro)")), ("no", _("Privé"))],
    )
    archived = forms.ChoiceField(
        label=_("Clients archivés"), required=False,
        choices=[(ARCHIVED_HIDDEN, _("Masqués")), (ARCHIVED_INCLUDED, _("Inclus")), (ARCHIVED_ONLY, _("Uniquement"))],
    )
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        members = selectors.member_queryset()
        self.fields["owner"].queryset = members
        self.fields["adv_owner"].queryset = members

    def filters(self, *, me: Membership) -> ClientFilters:
        data = self.cleaned_data if self.is_valid() else {}
        sort = data.get("sort") or "name"
        if sort.lstrip("-") not in CLIENT_SORTS:
            sort = "name"

        def member(value: Membership | str | None) -> uuid.UUID | None:
            if value == ME:
                return me.pk
            return value.pk if value else None

        public = {"yes": True, "no": False}.get(data.get("public_sector") or "")
        return ClientFilters(
            q=(data.get("q") or "").strip(),
            status=data.get("status") or "",
            owner=member(data.get("owner")),
            adv_owner=member(data.get("adv_owner")),
            public_sector=public,
            archived=data.get("archived") or ARCHIVED_HIDDEN,
            sort=sort,
        )


# --- Client identity -------------------------------------------------------------------------------

IDENTITY_SECTIONS = [
    (_("Identité"), ["status", "legal_name", "trade_name", "legal_form", "sector", "country"]),
    (_("Immatriculation"), ["siren", "siret", "vat_number"]),
    (_("Rattachement et suivi"), ["parent", "is_public_sector", "owner", "adv_owner"]),
    (_("Adresse du siège"), ["head_office_line1", "head_office_line2", "head_office_postal_code", "head_office_city", "head_office_country"]),
    (_("Adresse de facturation"), ["billing_line1", "billing_line2", "billing_postal_code", "billing_city", "billing_country"]),
    (_("Notes internes"), ["notes"]),
]
IDENTITY_FIELDS = [name for _title, names in IDENTITY_SECTIONS for name in names]
NAME_FIELDS = ("legal_name", "trade_name")


def _compact(value: str) -> str:
    return "".join((value or "").split()).replace(".", "").replace("-", "").upper()


class ClientForm(ServiceFormMixin, forms.ModelForm):
    """Create (every field) or edit (the names change through "Changer de dénomination")."""

    siren = forms.CharField(
        label=_("SIREN"), required=False, max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("9 chiffres, par exemple 732 829 320."),
    )
    siret = forms.CharField(
        label=_("SIRET"), required=False, max_length=25,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("14 chiffres : le SIREN suivi du NIC de l'établissement facturé."),
    )
    # Declared (not generated from the model): their querysets are read per request, in the tenant.
    owner = MemberPickerField(label=_("Commercial"), role="sales", required=False)
    adv_owner = MemberPickerField(label=_("ADV en charge"), role="adv", required=False)
    parent = ParentChoiceField(
        label=_("Groupe (société mère)"), queryset=Client.objects.none(), required=False,
        help_text=_("La société mère, si ce client appartient à un groupe."),
    )
    vat_number = forms.CharField(
        label=_("TVA intracommunautaire"), required=False, max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Par exemple FR44732829320 (FR, clé à 2 chiffres puis le SIREN)."),
    )

    class Meta:
        model = Client
        fields = IDENTITY_FIELDS
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 4}),
            "country": forms.TextInput(attrs={"maxlength": 2, "class": "adv-uppercase"}),
            "head_office_country": forms.TextInput(attrs={"maxlength": 2, "class": "adv-uppercase"}),
            "billing_country": forms.TextInput(attrs={"maxlength": 2, "class": "adv-uppercase"}),
            "head_office_postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "billing_postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
        }
        help_texts = {
            "is_public_sector": _("Administration, collectivité, établissement public : factures déposées sur Chorus Pro."),
            "billing_line1": _("Laissez vide si les factures vont à l'adresse du siège."),
            "notes": _("Visibles par l'équipe seulement, jamais par le client."),
        }

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.siren_taken: Client | None = None
        instance = self.instance
        self.fields["owner"].queryset = selectors.member_choices(SALES_OWNER_ROLES, keep=[instance.owner_id])
        self.fields["adv_owner"].queryset = selectors.member_choices(ADV_OWNER_ROLES, keep=[instance.adv_owner_id])
        self.fields["parent"].queryset = selectors.parent_choices(exclude=self.instance if self.instance.pk else None)
        if self.instance.pk:  # a client is not its own group
            self.fields["parent"].widget.params["exclude"] = str(self.instance.pk)
        self.fields["legal_name"].required = True
        if editing:
            for name in NAME_FIELDS:
                del self.fields[name]

    def _clean_identifier(self, name: str) -> str:
        return _compact(self.cleaned_data.get(name, ""))

    def clean_siren(self) -> str:
        return self._clean_identifier("siren")

    def clean_siret(self) -> str:
        return self._clean_identifier("siret")

    def clean_vat_number(self) -> str:
        return self._clean_identifier("vat_number")

    def clean_country(self) -> str:
        return (self.cleaned_data.get("country") or "").strip().upper()

    def clean_head_office_country(self) -> str:
        return (self.cleaned_data.get("head_office_country") or "").strip().upper()

    def clean_billing_country(self) -> str:
        return (self.cleaned_data.get("billing_country") or "").strip().upper()

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data}

    def add_domain_error(self, error: DomainError) -> None:
        if isinstance(error, SirenTaken):
            self.siren_taken = error.existing
        super().add_domain_error(error)

    def sections(self):
        return [
            (title, [self[name] for name in names if name in self.fields])
            for title, names in IDENTITY_SECTIONS
        ]


class RenameForm(BootstrapFormMixin, forms.Form):
    legal_name = forms.CharField(label=_("Nouvelle raison sociale"), max_length=200)
    trade_name = forms.CharField(
        label=_("Nouveau nom commercial"), max_length=200, required=False,
        help_text=_("Laissez vide si la société n'a pas de nom commercial distinct."),
    )
    valid_from = forms.DateField(
        label=_("Date du changement"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Date d'effet indiquée sur le K-bis ou le procès-verbal. Les documents antérieurs gardent l'ancien nom."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_from"].initial = timezone.localdate()
        self.fields["valid_from"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["valid_from"].widget.attrs["min"] = "1900-01-01"

    def clean_valid_from(self):
        value = self.cleaned_data["valid_from"]
        if value.year < 1900:
            raise forms.ValidationError(_("Choisissez une date postérieure au 1er janvier 1900."), code="too_old")
        return value


# --- Contacts -------------------------------------------------------------------------------------

CONTACT_FIELDS = [
    "first_name", "last_name", "job_title", "email", "phone", "invoice_delivery", "signs_timesheets",
    "signs_acceptance_reports", "is_active",
]


class ContactForm(ServiceFormMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = CONTACT_FIELDS
        widgets = {
            "invoice_delivery": forms.RadioSelect,
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }
        labels = {
            "invoice_delivery": _("Reçoit les factures"),
            "signs_timesheets": _("Signe les CRA (comptes-rendus d'activité)"),
            "signs_acceptance_reports": _("Signe les PV de recette"),
            "is_active": _("Contact actif"),
        }
        help_texts = {
            "invoice_delivery": _("Destinataire : la facture lui est adressée. En copie : il la reçoit aussi."),
            "is_active": _("Un contact qui a quitté la société reste dans l'historique mais ne reçoit plus rien."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoice_delivery"].choices = [
            ("", _("Non")), ("to", _("Oui, destinataire")), ("cc", _("Oui, en copie")),
        ]
        self.fields["invoice_delivery"].required = False
        self.fields["invoice_delivery"].widget.attrs["class"] = "form-check-input"

    def service_fields(self) -> dict:
        fields = {name: self.cleaned_data[name] for name in CONTACT_FIELDS if name in self.cleaned_data}
        fields["invoice_delivery"] = fields.get("invoice_delivery") or ""
        return fields


# --- Billing profile -----------------------------------------------------------------------------

BILLING_SECTIONS = [
    (_("Paiement"), ["payment_terms_days", "payment_terms_end_of_month", "invoice_language", "grouping"]),
    (_("Dépôt des factures"), [
        "einvoicing_platform", "platform_name", "platform_url", "platform_instructions", "platform_username",
        "platform_password", "platform_password_clear", "chorus_service_code", "chorus_engagement_required",
    ]),
    (_("Références obligatoires"), ["purchase_order_required", "reception_number_required", "signed_timesheet_required"]),
    (_("Consignes"), ["billing_process", "pre_invoice_notes"]),
]
BILLING_FIELDS = [
    "payment_terms_days", "payment_terms_end_of_month", "invoice_language", "einvoicing_platform", "platform_name",
    "platform_url", "platform_instructions", "platform_username", "chorus_service_code",
    "chorus_engagement_required", "purchase_order_required", "reception_number_required",
    "signed_timesheet_required", "grouping", "billing_process", "pre_invoice_notes",
]


class BillingProfileForm(ServiceFormMixin, forms.ModelForm):
    platform_password = forms.CharField(
        label=_("Nouveau mot de passe de la plateforme"), required=False, max_length=500, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
        help_text=_("Chiffré avant d'être enregistré. Laissez vide pour garder le mot de passe actuel."),
    )
    platform_password_clear = forms.BooleanField(label=_("Effacer le mot de passe enregistré"), required=False)
    platform_url = forms.CharField(
        label=_("Adresse de la plateforme"), required=False, max_length=200,
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off"}),
    )

    class Meta:
        model = BillingProfile
        fields = BILLING_FIELDS
        widgets = {
            "payment_terms_days": forms.NumberInput(attrs={"min": 0, "max": 60}),
            "platform_instructions": forms.Textarea(attrs={"rows": 3}),
            "billing_process": forms.Textarea(attrs={"rows": 8, "data-rich-text": ""}),
            "pre_invoice_notes": forms.Textarea(attrs={"rows": 3}),
            "platform_username": forms.TextInput(attrs={"autocomplete": "off"}),
        }
        labels = {
            "payment_terms_end_of_month": _("Fin de mois"),
            "reception_number_required": _("Numéro de réception par consultant et par mois"),
            "signed_timesheet_required": _("CRA signé par le client à joindre à la facture"),
        }
        help_texts = {
            "payment_terms_days": _("60 jours au plus à compter de la facture, ou 45 jours fin de mois (article L441-10 du Code de commerce)."),
            "einvoicing_platform": _("Où le client veut recevoir ses factures."),
            "platform_instructions": _("Les étapes du dépôt : rubrique, pièces à joindre, particularités."),
            "chorus_service_code": _("Fourni par l'entité publique ; obligatoire s'il est demandé."),
            "chorus_engagement_required": _("Le numéro d'engagement (bon de commande public) doit figurer sur chaque facture."),
            "billing_process": _(
                "Texte libre : une ligne vide sépare deux paragraphes, « - » en début de ligne fait une liste. "
                "Les boutons Gras, Italique et Lien ajoutent une mise en forme simple."
            ),
            "pre_invoice_notes": _("Rappels affichés sur chaque préfacture de ce client."),
        }

    def __init__(self, *args, client: Client, has_password: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client
        self.has_password = has_password
        self.fields["payment_terms_days"].min_value = 0
        if not has_password:
            del self.fields["platform_password_clear"]
            self.fields["platform_password"].label = _("Mot de passe de la plateforme")
            self.fields["platform_password"].help_text = _("Chiffré avant d'être enregistré.")
        if not self.is_bound and self.instance.pk:
            self.initial["billing_process"] = billing_process_for_editing(self.instance.billing_process)
        if client.is_public_sector:
            self.fields["einvoicing_platform"].help_text = _(
                "Client du secteur public : ses factures sont déposées sur Chorus Pro."
            )

    def clean_billing_process(self) -> str:
        return billing_process_to_html(self.cleaned_data.get("billing_process") or "")

    def service_fields(self) -> dict:
        fields = {name: self.cleaned_data[name] for name in BILLING_FIELDS if name in self.cleaned_data}
        fields["platform_url"] = (fields.get("platform_url") or "").strip()
        return fields

    def password_change(self) -> str | None:
        """None keeps the stored password, "" clears it, anything else replaces it."""
        if self.cleaned_data.get("platform_password_clear"):
            return ""
        return self.cleaned_data.get("platform_password") or None

    def sections(self):
        """(title, [(bound field, platforms it applies to or "")]) for the template."""
        return [
            (title, [(self[name], PLATFORM_FIELD_SCOPES.get(name, "")) for name in names if name in self.fields])
            for title, names in BILLING_SECTIONS
        ]


# --- The documented billing process: plain text or simple HTML -----------------------------------

_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9]*)([^>]*)>")
_BLOCK_TAGS = {"p", "br", "ul", "ol", "li", "h3", "h4", "blockquote"}
_PLAIN_BLOCK_TAGS = {"p", "br", "ul", "li"}  # what billing_process_to_html writes
_BULLET = re.compile(r"^\s*[-*•]\s+")


def _tags(value: str) -> list[tuple[str, str]]:
    return [(match.group(2).lower(), match.group(3).strip()) for match in _TAG.finditer(value)]


def billing_process_to_html(text: str) -> str:
    """What the form stores. Text without block markup is laid out: a blank line separates
    paragraphs, a line break stays one, lines starting with "- " make a bullet list; inline
    markup (<strong>, <em>, <a>) is kept. The service sanitises the result (nh3)."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text or any(name in _BLOCK_TAGS for name, _attrs in _tags(text)):
        return text
    blocks = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line.rstrip() for line in block.split("\n") if line.strip()]
        # Consecutive bullet lines make a list; other consecutive lines a paragraph.
        for is_list, group in itertools.groupby(lines, key=lambda line: bool(_BULLET.match(line))):
            group = list(group)
            if is_list:
                blocks.append("<ul>" + "".join(f"<li>{_BULLET.sub('', line)}</li>" for line in group) + "</ul>")
            else:
                blocks.append("<p>" + "<br>".join(line.strip() for line in group) + "</p>")
    return "\n".join(blocks)


def billing_process_for_editing(value: str) -> str:
    """What the textarea shows: the text laid out as typed when the HTML is only paragraphs,
    line breaks and bullet lists (nobody should have to read tags they did not type); else the
    HTML, one block per line."""
    value = value or ""
    blocks = [(name, attrs) for name, attrs in _tags(value) if name in _BLOCK_TAGS]
    if not blocks:
        return html.unescape(value)
    if all(name in _PLAIN_BLOCK_TAGS and not attrs for name, attrs in blocks):
        text = re.sub(r"\s*<br\s*/?>\s*", "\n", value)
        text = re.sub(r"\s*<li>\s*", "\n- ", text)
        text = re.sub(r"\s*</p>\s*|\s*</ul>\s*", "\n\n", text)
        text = re.sub(r"\s*</?(p|ul|li)>\s*", "\n", text)
        text = re.sub(r"\n{3,}", "\n\n", text)
        return html.unescape(text).strip()
    return re.sub(r"(</p>|</li>|<ul>|<ol>|</ul>|</ol>|<br>|</h3>|</h4>|</blockquote>)(?!\n)", "\\1\n", value).strip()


# Which fields matter for which e-invoicing platform (the page hides the others when scripts run).
PLATFORM_FIELD_SCOPES = {
    "platform_name": "other",
    "platform_url": "other",
    "platform_instructions": "chorus_pro other",
    "platform_username": "chorus_pro other",
    "platform_password": "chorus_pro other",
    "platform_password_clear": "chorus_pro other",
    "chorus_service_code": "chorus_pro",
    "chorus_engagement_required": "chorus_pro",
}


class ImportUploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV ou Excel (.xlsx)"),
        help_text=_("Une ligne par client ou par contact, les en-têtes en première ligne. 5 Mo au maximum."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("Fichier trop volumineux : 5 Mo au maximum."))
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("Format non pris en charge : déposez un fichier .csv ou .xlsx."))
        return upload

"""Forms of the firm administration pages. They parse and validate input; the services write."""

from __future__ import annotations

import io
import re
import zoneinfo
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from adv.tenancy.errors import DomainError
from adv.tenancy.models import ClearanceLevel, Membership, Role, Tenant
from adv.ui.numbers import NumberError, format_decimal, parse_decimal
from adv.ui.pickers import MEMBER_ROLE_GROUPS, MemberPickerField

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif"}


class BootstrapFormMixin:
    """Bootstrap classes on every widget, `is-invalid` and `aria-invalid` on fields in error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"id_{self.add_prefix(name)}_error"

    def add_domain_error(self, error: DomainError) -> None:
        """Show a service's error next to its field (or above the form)."""
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.message or str(error))
        if field:
            widget = self.fields[field].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
            widget.attrs["aria-invalid"] = "true"


def _member_label(membership: Membership) -> str:
    return f"{membership.user} · {membership.get_role_display()}"


class ManagerChoiceField(MemberPickerField):
    """A member's manager (who approves their timesheets): an autocomplete over those who work the
    timesheet queue (managers, ADV, admins), never a list of every member nor a consultant."""

    def __init__(self, queryset=None, **kwargs):
        kwargs.pop("empty_label", None)
        super().__init__(queryset, role="manager", **kwargs)

    def label_from_instance(self, obj):
        return _member_label(obj)


def _manager_queryset(exclude_pk=None, keep=None):
    """The managers a form accepts: active holders of the role group, and the current one (kept even
    if their role changed since, so that saving the form again does not fail on it)."""
    wanted = Q(is_active=True, role__in=list(MEMBER_ROLE_GROUPS["manager"]))
    if keep is not None:
        wanted |= Q(pk=keep)
    queryset = Membership.objects.select_related("user").filter(wanted)
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset


# --- Members --------------------------------------------------------------------------------------

MEMBER_SORTS = {
    "name": ("user__last_name", "user__first_name", "user__email"),
    "email": ("user__email",),
    "role": ("role", "user__last_name", "user__email"),
    "clearance": ("clearance_level", "user__last_name", "user__email"),
    "manager": ("reports_to__user__last_name", "reports_to__user__email", "user__last_name", "user__email"),
    "joined": ("created_at", "user__email"),
}


class MemberFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Rechercher"), required=False, max_length=100,
        widget=forms.SearchInput(attrs={"placeholder": _("Nom ou adresse e-mail"), "autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Rôle"), required=False, choices=[("", _("Tous les rôles")), *Role.choices])
    status = forms.ChoiceField(
        label=_("Statut"), required=False,
        choices=[("", _("Tous")), ("active", _("Actifs")), ("inactive", _("Désactivés"))],
    )
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        sort = data.get("sort") or "name"
        if sort.lstrip("-") not in MEMBER_SORTS:
            sort = "name"
        return {
            "q": (data.get("q") or "").strip(),
            "role": data.get("role") or "",
            "status": data.get("status") or "",
            "sort": sort,
        }


class MembershipForm(BootstrapFormMixin, forms.Form):
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices)
    clearance_level = forms.TypedChoiceField(
        label=_("Niveau d'habilitation"), choices=ClearanceLevel.choices, coerce=int,
        help_text=_("Niveau de sécurité maximal des documents que ce membre peut consulter."),
    )
    reports_to = ManagerChoiceField(
        label=_("Manager"), queryset=Membership.objects.none(), required=False,
        help_text=_("Valide ses comptes-rendus d'activité (CRA)."),
    )
    is_active = forms.BooleanField(
        label=_("Membre actif"), required=False,
        help_text=_("Un membre désactivé ne peut plus accéder à la société ; son historique est conservé."),
    )

    def __init__(self, *args, membership: Membership, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "role": membership.role,
                "clearance_level": membership.clearance_level,
                "reports_to": membership.reports_to_id,
                "is_active": membership.is_active,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["reports_to"].queryset = _manager_queryset(exclude_pk=membership.pk, keep=membership.reports_to_id)


# --- Invitations ----------------------------------------------------------------------------------


class InvitationForm(BootstrapFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("Adresse e-mail"), max_length=254,
        widget=forms.EmailInput(attrs={"placeholder": _("prenom.nom@exemple.fr"), "autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices, initial=Role.CONSULTANT)
    clearance_level = forms.TypedChoiceField(
        label=_("Niveau d'habilitation"), choices=ClearanceLevel.choices, coerce=int, initial=ClearanceLevel.PUBLIC
    )
    reports_to = ManagerChoiceField(label=_("Manager"), queryset=Membership.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reports_to"].queryset = _manager_queryset()


INVITATION_STATUSES = [
    ("pending", _("En attente")),
    ("accepted", _("Acceptées")),
    ("expired", _("Expirées")),
    ("revoked", _("Révoquées")),
    ("all", _("Toutes")),
]


class DecimalInput(forms.TextInput):
    """A text input for a number, shown in the reader's language ("31 236,00"): never a browser
    number field, which drops a typed comma. `inputmode="decimal"` brings the numeric keypad with
    its decimal key on phones."""

    def __init__(self, attrs=None, *, places: int | None = 2, trim: bool = False):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})
        self.places, self.trim = places, trim

    def format_value(self, value):
        if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
            return format_decimal(value, self.places, trim=self.trim)
        return super().format_value(value)  # what the user typed, shown back as typed


class AmountField(forms.DecimalField):
    """An amount (or a rate) typed in the reader's language: "1 000,50", "1000,50" in French,
    "1,000.50" in English (see adv.ui.numbers). Ambiguous input is refused with a message."""

    widget_places: int | None = 2
    widget_trim = False

    def __init__(self, *args, **kwargs):
        kwargs.pop("localize", None)
        widget = kwargs.get("widget")
        if widget is None or isinstance(widget, type) or not isinstance(widget, DecimalInput):
            attrs = dict(getattr(widget, "attrs", None) or {})
            attrs.pop("type", None)
            attrs.pop("step", None)
            kwargs["widget"] = DecimalInput(attrs, places=self.widget_places, trim=self.widget_trim)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            try:
                value = parse_decimal(value)
            except NumberError as error:
                raise forms.ValidationError(error.message, code=error.code) from error
            if value is None:
                return None
        return super().to_python(value)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        for name in ("step", "min", "max"):
            attrs.pop(name, None)  # text input: the bounds are checked on the server
        return attrs


class QuantityField(AmountField):
    """Days, hours or a percentage: "12,5", without trailing zeros."""

    widget_places = 2
    widget_trim = True


class IdentifierField(forms.CharField):
    """A SIREN, SIRET, VAT number, IBAN or BIC as people paste them ("732 829 320",
    "FR76 3000 ..."): spaces, dots and dashes are dropped and letters upper-cased before the
    length and checksum validators run."""

    def to_python(self, value):
        value = super().to_python(value)
        return re.sub(r"[\s\u00a0\u202f.\-]", "", value).upper() if value else value

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)  # the grouped form is longer than the compact one
        return attrs


# --- Firm settings ---------------------------------------------------------------------------------

SETTINGS_SECTIONS = [
    (_("Identité légale"), ["name", "legal_name", "legal_form", "share_capital", "rcs_city"]),
    (_("Immatriculation"), ["siren", "siret", "vat_number"]),
    (_("Adresse du siège"), ["address_line1", "address_line2", "postal_code", "city", "country"]),
    (_("Coordonnées bancaires"), ["iban", "bic"]),
    (_("Facturation et préférences"), ["payment_terms_days", "payment_terms_end_of_month", "billing_email", "time_zone", "language"]),
    (_("Sécurité"), ["require_two_factor"]),
]


class TenantSettingsForm(BootstrapFormMixin, forms.ModelForm):
    logo = forms.FileField(
        label=_("Logo"), required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}),
        help_text=_("PNG, JPEG, WebP ou GIF, 2 Mo au plus. Il figure sur vos factures."),
    )
    logo_clear = forms.BooleanField(label=_("Supprimer le logo actuel"), required=False)

    class Meta:
        model = Tenant
        fields = [name for _title, names in SETTINGS_SECTIONS for name in names]
        widgets = {
            "siren": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "siret": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "iban": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            "bic": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "payment_terms_days": forms.NumberInput(attrs={"min": 0, "max": 60}),
        }
        field_classes = {
            "share_capital": AmountField,
            **{name: IdentifierField for name in ("siren", "siret", "vat_number", "iban", "bic")},
        }
        help_texts = {
            "siren": _("9 chiffres, par exemple 732 829 320."),
            "siret": _("14 chiffres : le SIREN suivi du NIC de l'établissement."),
            "vat_number": _("FR, clé à 2 chiffres puis le SIREN."),
            "share_capital": _("En euros, par exemple 10 000,00."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].help_text = _("Le nom affiché dans l'application.")
        self.fields["legal_name"].required = True

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        if not isinstance(upload, UploadedFile):
            return None
        if upload.size > LOGO_MAX_BYTES:
            raise forms.ValidationError(_("Le logo dépasse 2 Mo : réduisez l'image puis réessayez."), code="logo_too_big")
        from PIL import Image, UnidentifiedImageError

        data = upload.read()
        try:
            with Image.open(io.BytesIO(data)) as image:
                image_format = image.format
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise forms.ValidationError(
                _("Ce fichier n'est pas une image lisible : choisissez un PNG, un JPEG, un WebP ou un GIF."),
                code="logo_not_image",
            )
        if image_format not in LOGO_FORMATS:
            raise forms.ValidationError(
                _("Format d'image non accepté : choisissez un PNG, un JPEG, un WebP ou un GIF."), code="logo_format"
            )
        upload.seek(0)
        upload.name = f"logo.{LOGO_FORMATS[image_format]}"
        return upload

    def _post_clean(self):
        super()._post_clean()
        # "The SIRET must start with the SIREN" says nothing useful while the SIREN itself is
        # wrong: keep only the SIREN's error then (a SIRET that is itself invalid keeps its own).
        if "siren" in self.errors and "siret" in self.errors:
            from adv.tenancy.validators import validate_siret

            try:
                validate_siret(self.cleaned_data.get("siret") or self.data.get("siret", ""))
            except forms.ValidationError:
                return
            del self.errors["siret"]

    def service_fields(self) -> dict:
        """The fields to hand to `tenant_update` (the logo only when it changes)."""
        fields = {name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data}
        fields.pop("logo", None)
        if self.cleaned_data.get("logo"):
            fields["logo"] = self.cleaned_data["logo"]
        elif self.cleaned_data.get("logo_clear"):
            fields["logo"] = ""
        return fields

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in SETTINGS_SECTIONS]


# --- API tokens -----------------------------------------------------------------------------------------


class ApiTokenForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Nom du jeton"), max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Intégration comptable"), "autocomplete": "off"}),
        help_text=_("Pour reconnaître le jeton plus tard."),
    )
    expires_on = forms.DateField(
        label=_("Expire le"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Laissez vide pour un jeton sans date d'expiration."),
    )

    def __init__(self, *args, tenant_time_zone: str = "Europe/Paris", **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant_time_zone = tenant_time_zone
        self.fields["expires_on"].widget.attrs["min"] = (timezone.localdate() + timedelta(days=1)).isoformat()

    def clean_expires_on(self) -> date | None:
        value = self.cleaned_data.get("expires_on")
        if value is not None and value <= timezone.localdate():
            raise forms.ValidationError(_("Choisissez une date postérieure à aujourd'hui."), code="expiry_in_past")
        return value

    def expires_at(self) -> datetime | None:
        """End of the chosen day, in the firm's time zone."""
        value = self.cleaned_data.get("expires_on")
        if value is None:
            return None
        return datetime.combine(value, time(23, 59, 59), tzinfo=zoneinfo.ZoneInfo(self.tenant_time_zone))

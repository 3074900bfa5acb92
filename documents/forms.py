"""Forms of the document pages: upload, new version, metadata, grants, the panel's filters, the
missing-documents report's filters, and the administration of document types and expected
documents. They parse; services write."""

from __future__ import annotations

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from adv.tenancy.models import ClearanceLevel, Membership, Role
from adv.ui.forms import BootstrapFormMixin
from adv.ui.pickers import MEMBER_ROLE_GROUPS, MemberPickerField
from clients.models import ClientStatus

from .models import Document, DocumentRequirement, DocumentType, RequirementScope, Responsible
from .requirements import ChecklistStatus, MissingFilters
from .selectors import document_type_list

STATUS_CHOICES = [
    ("", _("Tous les documents")),
    ("valid", _("En cours de validité")),
    ("expiring", _("Expirent bientôt")),
    ("expired", _("Expirés")),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DocumentTypeSelect(forms.Select):
    """Each option carries its type's default level and contractual flag (read by upload.js)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-level"] = instance.default_security_level
            if instance.is_contractual:
                option["attrs"]["data-contractual"] = "1"
        return option


class DocumentTypeChoiceField(forms.ModelChoiceField):
    widget = DocumentTypeSelect

    def label_from_instance(self, obj):
        return obj.name


def level_choices(actor: Membership) -> list[tuple[int, str]]:
    """The levels this member may give a document: up to their clearance (admins: all)."""
    highest = 4 if actor.role == Role.ADMIN else actor.clearance_level
    return [(value, label) for value, label in ClearanceLevel.choices if value <= highest]


def _check_dates(form: forms.Form) -> None:
    signed_on = form.cleaned_data.get("signed_on")
    valid_until = form.cleaned_data.get("valid_until")
    if signed_on and valid_until and valid_until < signed_on:
        form.add_error("valid_until", _("La date de fin de validité doit suivre la date de signature."))


class DocumentUploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Fichier"),
        error_messages={"required": _("Choisissez un fichier."), "empty": _("Le fichier est vide.")},
    )
    document_type = DocumentTypeChoiceField(
        label=_("Type"), queryset=DocumentType.objects.none(), empty_label=_("Choisir un type…"),
        error_messages={"required": _("Choisissez le type du document."), "invalid_choice": _("Ce type de document n'existe pas.")},
    )
    title = forms.CharField(label=_("Titre"), max_length=200, required=False, help_text=_("Par défaut : le nom du fichier."))
    signed_on = forms.DateField(label=_("Signé / émis le"), required=False, widget=DateInput())
    valid_until = forms.DateField(label=_("Valable jusqu'au"), required=False, widget=DateInput())
    security_level = forms.TypedChoiceField(
        label=_("Niveau"), coerce=int, required=False, empty_value=None,
        help_text=_("Par défaut : le niveau du type."),
    )

    def __init__(self, *args, actor: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document_type"].queryset = document_type_list(active_only=True)
        self.fields["security_level"].choices = [("", _("Niveau du type"))] + level_choices(actor)

    def clean(self):
        cleaned = super().clean()
        _check_dates(self)
        return cleaned


class DocumentVersionForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Nouveau fichier"),
        error_messages={"required": _("Choisissez un fichier."), "empty": _("Le fichier est vide.")},
    )
    comment = forms.CharField(
        label=_("Commentaire"), max_length=300, required=False, help_text=_("Ce qui change dans cette version (facultatif)."),
    )


class DocumentEditForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    document_type = DocumentTypeChoiceField(label=_("Type"), queryset=DocumentType.objects.none(), empty_label=None)
    signed_on = forms.DateField(label=_("Signé / émis le"), required=False, widget=DateInput())
    valid_until = forms.DateField(label=_("Valable jusqu'au"), required=False, widget=DateInput())
    security_level = forms.TypedChoiceField(label=_("Niveau de sécurité"), coerce=int)

    def __init__(self, *args, actor: Membership, document: Document, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "title": document.title,
                "document_type": document.document_type_id,
                "signed_on": document.signed_on,
                "valid_until": document.valid_until,
                "security_level": document.security_level,
            },
        )
        super().__init__(*args, **kwargs)
        types = DocumentType.objects.filter(is_active=True) | DocumentType.objects.filter(pk=document.document_type_id)
        self.fields["document_type"].queryset = types.order_by("name", "id")
        choices = level_choices(actor)
        if document.security_level not in dict(choices):
            choices = [(document.security_level, ClearanceLevel(document.security_level).label), *choices]
        self.fields["security_level"].choices = sorted(choices)

    def clean(self):
        cleaned = super().clean()
        _check_dates(self)
        return cleaned


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.user} · {obj.get_role_display()} · {obj.get_clearance_level_display()}"


class GrantForm(BootstrapFormMixin, forms.Form):
    member = MemberChoiceField(
        label=_("Ouvrir ce document à"), queryset=Membership.objects.none(), empty_label=_("Choisir un membre…"),
        error_messages={"required": _("Choisissez un membre."), "invalid_choice": _("Ce membre n'existe pas.")},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = candidates


class DocumentFilterForm(forms.Form):
    type = forms.ModelChoiceField(
        label=_("Type"), queryset=DocumentType.objects.none(), required=False, empty_label=_("Tous les types"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    status = forms.ChoiceField(
        label=_("Validité"), choices=STATUS_CHOICES, required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, types=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = types if types is not None else document_type_list()

    def filters(self) -> dict:
        if not self.is_valid():
            return {"document_type": None, "status": ""}
        return {"document_type": self.cleaned_data["type"], "status": self.cleaned_data["status"]}


# --- Administration -------------------------------------------------------------------------------


class DocumentTypeForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=100)
    code = forms.SlugField(
        label=_("Code"), max_length=50, required=False,
        help_text=_("Identifiant stable (lettres, chiffres, tirets), utilisé par l'API et les imports. Déduit du nom s'il est vide."),
    )
    is_contractual = forms.BooleanField(
        label=_("Contractuel"), required=False,
        help_text=_("Preuve de commande : le commercial et l'ADV du client sont prévenus à chaque dépôt."),
    )
    default_security_level = forms.TypedChoiceField(
        label=_("Niveau de sécurité par défaut"), coerce=int, choices=ClearanceLevel.choices,
        initial=ClearanceLevel.INTERNAL,
    )
    is_active = forms.BooleanField(
        label=_("Actif"), required=False, initial=True,
        help_text=_("Un type désactivé n'est plus proposé au dépôt ; les documents existants le gardent."),
    )

    def __init__(self, *args, instance: DocumentType | None = None, **kwargs):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": instance.name,
                    "code": instance.code,
                    "is_contractual": instance.is_contractual,
                    "default_security_level": instance.default_security_level,
                    "is_active": instance.is_active,
                },
            )
        super().__init__(*args, **kwargs)
        if instance is not None:
            # The code is an identifier other systems rely on: fixed once created.
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("Identifiant stable, utilisé par l'API et les imports : il ne change pas.")

    def clean(self):
        cleaned = super().clean()
        if self.instance is None and not cleaned.get("code") and cleaned.get("name"):
            cleaned["code"] = slugify(cleaned["name"])[:50]
            if not cleaned["code"]:
                self.add_error("code", _("Indiquez un code (lettres, chiffres, tirets)."))
        return cleaned

    def service_fields(self) -> dict:
        fields = dict(self.cleaned_data)
        if self.instance is not None:
            fields.pop("code", None)
        return fields


class RequirementForm(BootstrapFormMixin, forms.Form):
    document_type = DocumentTypeChoiceField(
        label=_("Type de document"), queryset=DocumentType.objects.none(), empty_label=_("Choisir un type…"),
    )
    applies_to = forms.ChoiceField(label=_("Attendu pour"), choices=RequirementScope.choices)
    max_age_days = forms.IntegerField(
        label=_("Âge maximal (jours)"), required=False, min_value=1, max_value=3650,
        help_text=_("Par exemple 90 pour un K-bis de moins de 3 mois, compté depuis la date de signature ou d'émission. Vide : pas de limite."),
    )
    must_be_unexpired = forms.BooleanField(
        label=_("La date de validité ne doit pas être dépassée"), required=False, initial=True,
    )
    responsible = forms.ChoiceField(label=_("À fournir par"), choices=Responsible.choices, initial=Responsible.OWNER)
    is_active = forms.BooleanField(label=_("Actif"), required=False, initial=True)

    def __init__(self, *args, instance: DocumentRequirement | None = None, **kwargs):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "document_type": instance.document_type_id,
                    "applies_to": instance.applies_to,
                    "max_age_days": instance.max_age_days,
                    "must_be_unexpired": instance.must_be_unexpired,
                    "responsible": instance.responsible,
                    "is_active": instance.is_active,
                },
            )
        super().__init__(*args, **kwargs)
        types = DocumentType.objects.filter(is_active=True)
        if instance is not None:
            types = types | DocumentType.objects.filter(pk=instance.document_type_id)
        self.fields["document_type"].queryset = types.order_by("name", "id")


class ResponsibleChoiceField(MemberPickerField):
    """The clients' owner or ADV follower: an autocomplete over those roles (never every member)."""

    def __init__(self, queryset=None, **kwargs):
        super().__init__(queryset, role="owner", autosubmit=True, **kwargs)

    def label_from_instance(self, obj):
        return obj.user.get_full_name() or obj.user.email


class MissingDocumentsFilterForm(BootstrapFormMixin, forms.Form):
    responsible = ResponsibleChoiceField(label=_("Responsable"), queryset=Membership.objects.none(), required=False)
    type = forms.ModelChoiceField(
        label=_("Document"), queryset=DocumentType.objects.none(), required=False, empty_label=_("Tous"),
    )
    status = forms.ChoiceField(
        label=_("État"), required=False,
        choices=[("", _("Tous")), (ChecklistStatus.MISSING, _("Manquants")), (ChecklistStatus.EXPIRED, _("Expirés"))],
    )
    client_status = forms.ChoiceField(
        label=_("Statut du client"), required=False,
        choices=[("", _("Tous")), (ClientStatus.CLIENT, _("Clients")), (ClientStatus.PROSPECT, _("Prospects"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any member who may own or follow clients is accepted (the picker suggests them); the types
        # some requirement expects.
        self.fields["responsible"].queryset = Membership.objects.select_related("user").filter(
            role__in=list(MEMBER_ROLE_GROUPS["owner"])
        )
        self.fields["type"].queryset = (
            DocumentType.objects.filter(requirements__is_active=True, is_active=True).distinct().order_by("name")
        )

    def filters(self) -> MissingFilters:
        """The filters to apply: an invalid value (stale link, other firm's id) filters nothing."""
        if not self.is_bound:
            return MissingFilters()
        self.is_valid()
        data = self.cleaned_data  # the valid fields only
        return MissingFilters(
            responsible=data.get("responsible"),
            document_type=data.get("type"),
            status=data.get("status") or "",
            client_status=data.get("client_status") or "",
        )

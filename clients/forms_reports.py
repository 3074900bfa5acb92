"""Forms of the expected-documents pages: the missing-documents report filters and the import
upload. They parse input; the selectors and services do the work."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from adv.tenancy.models import Membership
from adv.ui.forms import BootstrapFormMixin
from adv.ui.pickers import MEMBER_ROLE_GROUPS, MemberPickerField
from documents.models import DocumentType

from .importing import MAX_FILE_BYTES
from .models import ClientStatus
from .requirements import ChecklistStatus, MissingFilters


class MemberChoiceField(MemberPickerField):
    """The clients' owner or ADV follower: an autocomplete over those roles (never every member)."""

    def __init__(self, queryset=None, **kwargs):
        super().__init__(queryset, role="owner", autosubmit=True, **kwargs)

    def label_from_instance(self, obj):
        return obj.user.get_full_name() or obj.user.email


class MissingDocumentsFilterForm(BootstrapFormMixin, forms.Form):
    responsible = MemberChoiceField(label=_("Responsable"), queryset=Membership.objects.none(), required=False)
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

"""Django admin for platform staff: firms (tenants). A new firm is created with its first
administrator through `tenancy.services.tenant_create`, like `manage.py create_tenant`.

Memberships and invitations are tenant data (row-level security): they are managed by each
firm's admins in the product, not here.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Tenant
from .services import tenant_create

ADD_FIELDS = (
    "slug",
    "name",
    "legal_name",
    "legal_form",
    "siren",
    "siret",
    "vat_number",
    "address_line1",
    "postal_code",
    "city",
    "require_two_factor",
)


class TenantAddForm(forms.ModelForm):
    admin_email = forms.EmailField(
        label=_("e-mail de l'administrateur"),
        help_text=_(
            "Premier administrateur de la société. Un compte existant garde son mot de passe ; "
            "sinon il choisira le sien avec « Mot de passe oublié »."
        ),
    )

    class Meta:
        model = Tenant
        fields = ADD_FIELDS


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "siren", "city", "require_two_factor", "is_active", "created_at")
    list_filter = ("is_active", "require_two_factor", "language")
    search_fields = ("name", "legal_name", "slug", "siren")
    ordering = ("name",)
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("slug", "name", "is_active")}),
        (
            _("Identité légale"),
            {"fields": ("legal_name", "legal_form", "share_capital", "rcs_city", "siren", "siret", "vat_number")},
        ),
        (_("Adresse"), {"fields": ("address_line1", "address_line2", "postal_code", "city", "country")}),
        (_("Banque"), {"fields": ("iban", "bic")}),
        (
            _("Réglages"),
            {"fields": ("logo", "payment_terms_days", "payment_terms_end_of_month", "time_zone", "language",
                        "require_two_factor")},
        ),
        (_("Dates"), {"fields": ("created_at", "updated_at")}),
    )
    add_fieldsets = ((None, {"fields": ("admin_email", *ADD_FIELDS)}),)

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = TenantAddForm
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        identity = {name: form.cleaned_data[name] for name in ADD_FIELDS if name not in ("slug", "name")}
        tenant, _membership = tenant_create(
            slug=form.cleaned_data["slug"],
            name=form.cleaned_data["name"],
            admin_email=form.cleaned_data["admin_email"],
            **identity,
        )
        # The admin goes on with `obj` (log entry, redirect): make it the saved firm.
        obj.__dict__.update({k: v for k, v in tenant.__dict__.items() if k != "_state"})
        obj._state.adding = False
        obj._state.db = tenant._state.db

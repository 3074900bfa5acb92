"""Pages of collections, under /t/<tenant_slug>/dunning/: the plan's settings (admin, ADV; the
accountant reads), and the actions of the invoice page's "Relances" block and of the client's
dunning settings, which redirect back to those pages. Thin: parse, call one service, redirect."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from adv.tenancy import errors as domain
from adv.tenancy.models import Membership
from adv.ui.numbers import format_decimal
from adv.ui.pages import raise_http
from adv.ui.permissions import require_role
from billing.models import Invoice, InvoiceKind
from clients.models import Client

from . import access, selectors, services
from .forms import PauseForm, PlanForm, PromiseForm, StepForm
from .models import DunningStep

readers = require_role(*sorted(access.READ_ROLES))


def _require_act(request) -> None:
    if not access.can_act(request.membership):
        raise PermissionDenied(_("Les relances sont réservées à l'ADV et aux administrateurs."))


def _signatories():
    return list(
        Membership.objects.filter(is_active=True, role__in=sorted(access.ACT_ROLES)).select_related("user").order_by("user__last_name")
    )


def _settings_url(tenant_slug: str) -> str:
    return reverse("dunning:settings", kwargs={"tenant_slug": tenant_slug})


@readers
@require_http_methods(["GET", "POST"])
def dunning_settings(request, tenant_slug):
    plan = selectors.plan()
    people = _signatories()
    choices = [("", _("Le premier administrateur"))] + [(str(m.pk), str(m)) for m in people]
    initial = {
        "is_active": plan.is_active,
        "penalty_rate": format_decimal(plan.penalty_rate, 2),
        "signatory": str(plan.signatory_id or ""),
    }
    form = PlanForm(request.POST or None, initial=initial)
    form.fields["signatory"].choices = choices
    status = 200
    if request.method == "POST":
        _require_act(request)
        if form.is_valid():
            try:
                services.plan_update(
                    actor=request.membership, is_active=form.cleaned_data["is_active"],
                    penalty_rate=form.cleaned_data["penalty_rate"], signatory=form.cleaned_data["signatory"] or None,
                )
            except domain.DomainError as error:
                raise_http(error)
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("Le plan de relance est enregistré."))
                return redirect(_settings_url(tenant_slug))
        status = 400
    return render(
        request,
        "dunning/settings.html",
        {
            "form": form, "plan": plan, "steps": selectors.plan_steps(plan), "step_form": StepForm(),
            "can_act": access.can_act(request.membership), "saved": not plan._state.adding,
        },
        status=status,
    )


def _step_or_404(pk) -> DunningStep:
    step = DunningStep.objects.filter(pk=pk).first()
    if step is None:
        raise Http404(_("Étape introuvable."))
    return step


@readers
@require_POST
def step_save(request, tenant_slug, pk=None):
    """Add a step (no pk) or change one."""
    _require_act(request)
    step = _step_or_404(pk) if pk else None
    form = StepForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(_settings_url(tenant_slug))
    data = form.cleaned_data
    try:
        if step is None:
            services.step_add(actor=request.membership, days_after_due=data["days_after_due"], tone=data["tone"],
                              template_key=data["template_key"])
        else:
            services.step_update(actor=request.membership, step=step, days_after_due=data["days_after_due"],
                                 tone=data["tone"], template_key=data["template_key"])
    except domain.DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
    else:
        messages.success(request, _("L'étape est enregistrée."))
    return redirect(_settings_url(tenant_slug))


@readers
@require_POST
def step_delete(request, tenant_slug, pk):
    _require_act(request)
    try:
        services.step_delete(actor=request.membership, step=_step_or_404(pk))
    except domain.DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
    else:
        messages.success(request, _("L'étape est supprimée."))
    return redirect(_settings_url(tenant_slug))


# --- The invoice page's "Relances" block ---------------------------------------------------------


def _invoice_or_404(pk) -> Invoice:
    invoice = Invoice.objects.filter(pk=pk, kind=InvoiceKind.INVOICE, number__isnull=False).select_related("client").first()
    if invoice is None:
        raise Http404(_("Cette facture n'existe pas."))
    return invoice


def _back(tenant_slug: str, invoice: Invoice):
    return redirect(reverse("billing:invoice", kwargs={"tenant_slug": tenant_slug, "pk": invoice.pk}) + "#relances")


def _act(request, call, success: str):
    try:
        result = call()
    except domain.DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
        return None
    messages.success(request, success)
    return result


@dataclass(frozen=True)
class InvoiceAction:
    """One action of the invoice's "Relances" block: the service it calls (by name, with the
    actor, the invoice and the form's cleaned data), the message of its success, its form if it
    has one and what an unreadable form says."""

    service: str
    success: str
    form: type[forms.Form] | None = None
    invalid: str = ""


INVOICE_ACTIONS = {
    "remind": InvoiceAction("reminder_send_now", gettext_lazy("La relance de la facture %(number)s est partie.")),
    "pause": InvoiceAction(
        "pause_create", gettext_lazy("Les relances de cette facture sont en pause."), PauseForm,
        gettext_lazy("Date de fin illisible."),
    ),
    "resume": InvoiceAction("pause_end", gettext_lazy("Les relances de cette facture reprennent.")),
    "promise": InvoiceAction(
        "promise_record", gettext_lazy("La promesse de paiement est notée : les relances attendent sa date."),
        PromiseForm, gettext_lazy("Indiquez la date et le montant promis."),
    ),
}


@readers
@require_POST
def invoice_action(request, tenant_slug, pk, action: str):
    """"Relancer maintenant", pause or dispute, resume, payment promise: one of `INVOICE_ACTIONS`."""
    _require_act(request)
    spec = INVOICE_ACTIONS[action]
    invoice = _invoice_or_404(pk)
    data = {}
    if spec.form is not None:
        form = spec.form(request.POST)
        if not form.is_valid():
            messages.error(request, spec.invalid)
            return _back(tenant_slug, invoice)
        data = form.cleaned_data
    call = getattr(services, spec.service)
    _act(request, lambda: call(actor=request.membership, invoice=invoice, **data), spec.success % {"number": invoice.number})
    return _back(tenant_slug, invoice)


# --- The client's dunning settings ------------------------------------------------------------------


@readers
@require_POST
def client_settings(request, tenant_slug, pk):
    _require_act(request)
    client = Client.objects.filter(pk=pk).first()
    if client is None:
        raise Http404(_("Ce client n'existe pas."))
    _act(request, lambda: services.client_settings_update(
        actor=request.membership, client=client, opted_out=request.POST.get("opted_out") == "on",
        opt_out_reason=request.POST.get("opt_out_reason", ""), contact_ids=request.POST.getlist("contacts"),
    ), _("Les relances du client sont enregistrées."))
    return redirect(reverse("clients:detail", kwargs={"tenant_slug": tenant_slug, "pk": client.pk}) + "?tab=billing#relances")

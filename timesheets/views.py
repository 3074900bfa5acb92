"""Pages of the consultant's month (CRA), its PDF, client approval requests, and the managers'
approval queue. Views parse, call one selector or service, and render.

Who sees what (timesheets/selectors.py): a consultant or contractor, their own months only; a
manager, theirs and their reports'; ADV and admins, everyone's. Anything else answers 404, like a
missing page, so that nobody learns who exists. Never a rate on these pages.
"""

from __future__ import annotations

import datetime
import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from adv.months import Month
from adv.tenancy import errors as domain
from adv.tenancy.models import Membership
from adv.ui.pages import raise_http
from adv.ui.permissions import require_member
from deals.models import Deal

from . import calendar as cal
from . import forms, pdf, selectors, services
from .models import ClientApproval, ClientApprovalStatus, Timesheet, TimesheetLine, TimesheetStatus, month_start

QUEUE_PER_PAGE = 50
MONDAY = datetime.date(2024, 1, 1)


# --- Helpers ---------------------------------------------------------------------------------------


def _month(year: int, month: int) -> datetime.date:
    try:
        return Month(year, month).first
    except ValueError:
        raise Http404(_("Ce mois n'existe pas."))


def _previous(month: datetime.date) -> datetime.date:
    return month_start(month - datetime.timedelta(days=1))


def month_url(tenant_slug: str, consultant: Membership, month: datetime.date, *, own: bool) -> str:
    if own:
        return reverse("timesheets:month", kwargs={"tenant_slug": tenant_slug, "year": month.year, "month": month.month})
    return reverse(
        "timesheets:member_month",
        kwargs={"tenant_slug": tenant_slug, "membership_pk": consultant.pk, "year": month.year, "month": month.month},
    )


def timesheet_month_url(request, timesheet: Timesheet) -> str:
    own = timesheet.consultant_id == request.membership.pk
    return month_url(request.tenant.slug, timesheet.consultant, timesheet.month, own=own)


def _timesheet_or_404(request, pk) -> Timesheet:
    try:
        return selectors.timesheet_get(actor=request.membership, pk=pk)
    except (Timesheet.DoesNotExist, ValidationError, ValueError):
        raise Http404(_("Ce CRA n'existe pas."))


def _next_or(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _person(membership: Membership) -> str:
    return membership.user.get_full_name() or membership.user.email


# --- The month page ------------------------------------------------------------------------------------


@require_member
@require_GET
def my_month(request, tenant_slug):
    today = timezone.localdate()
    return redirect("timesheets:month", tenant_slug=tenant_slug, year=today.year, month=today.month)


@require_member
@require_GET
def month_page(request, tenant_slug, year, month):
    return _open_and_render(request, request.membership, _month(year, month), own=True)


@require_member
@require_GET
def member_month_page(request, tenant_slug, membership_pk, year, month):
    try:
        consultant = selectors.consultant_get(actor=request.membership, pk=membership_pk)
    except Membership.DoesNotExist:
        raise Http404(_("Ce CRA n'existe pas."))
    if consultant.pk == request.membership.pk:  # one's own month lives under "Mon CRA"
        return redirect("timesheets:month", tenant_slug=tenant_slug, year=year, month=month)
    return _open_and_render(request, consultant, _month(year, month), own=False)


def _open_and_render(request, consultant: Membership, month: datetime.date, *, own: bool):
    current = month_start(timezone.localdate())
    if month > current:
        messages.info(request, _("Le CRA d'un mois futur ne se saisit pas encore : voici celui du mois en cours."))
        return redirect(month_url(request.tenant.slug, consultant, current, own=own))
    try:
        timesheet = services.timesheet_open(actor=request.membership, consultant=consultant, month=month)
    except domain.PermissionDenied:
        raise Http404(_("Ce CRA n'existe pas."))
    except domain.DomainError as error:
        raise_http(error)
        raise
    timesheet = selectors.timesheet_get(actor=request.membership, pk=timesheet.pk)
    return render_month(request, timesheet)


def render_month(request, timesheet: Timesheet, *, grid=None, error: domain.DomainError | None = None, version=None, status=200):
    actor = request.membership
    grid = grid or selectors.month_grid(timesheet=timesheet)
    own = timesheet.consultant_id == actor.pk
    slug = request.tenant.slug
    current = month_start(timezone.localdate())
    previous_month = _previous(timesheet.month)
    next_month = cal.next_month(timesheet.month)
    editable = selectors.can_edit(actor, timesheet)
    handles_client = selectors.can_handle_client_approval(actor, timesheet)
    context = {
        "timesheet": timesheet,
        "grid": grid,
        "consultant": timesheet.consultant,
        "consultant_name": _person(timesheet.consultant),
        "own": own,
        "month_label": formats.date_format(timesheet.month, "F Y"),
        "previous_url": month_url(slug, timesheet.consultant, previous_month, own=own),
        "previous_label": formats.date_format(previous_month, "F Y"),
        "next_url": month_url(slug, timesheet.consultant, next_month, own=own) if next_month <= current else "",
        "next_label": formats.date_format(next_month, "F Y"),
        "current_url": month_url(slug, timesheet.consultant, current, own=own) if timesheet.month != current else "",
        "editable": editable,
        "version": timesheet.version if version is None else version,
        "error": error,
        "is_conflict": isinstance(error, domain.Conflict) and error.code == "stale_version",
        "can_approve": selectors.can_approve(actor, timesheet),
        "can_reopen": selectors.can_reopen(actor, timesheet),
        "can_set_reception": (not editable) and handles_client and not timesheet.is_locked,
        "handles_client": handles_client,
        "is_adv": selectors.is_adv(actor),
        "show_queue_link": selectors.can_use_queue(actor),
        "today": timezone.localdate(),
        "decimal_separator": formats.get_format("DECIMAL_SEPARATOR"),
        "weekdays": [formats.date_format(MONDAY + datetime.timedelta(days=i), "D") for i in range(7)],
    }
    return render(request, "timesheets/month.html", context, status=status)


@require_member
@require_POST
def timesheet_save(request, tenant_slug, pk):
    """Save the grid (and submit it when the "Soumettre" button was used), all or nothing."""
    timesheet = _timesheet_or_404(request, pk)
    actor = request.membership
    version = forms.parse_version(request.POST)
    submit = request.POST.get("action") == "submit"
    parsed = None
    try:
        parsed = forms.parse_grid(request.POST, month=timesheet.month)
        with transaction.atomic():
            saved = services.timesheet_save(
                actor=actor, timesheet=timesheet, version=version if version is not None else -1, cells=parsed.cells,
                comments=parsed.comments, reception_numbers=parsed.reception_numbers,
            )
            if submit:
                saved = services.timesheet_submit(actor=actor, timesheet=saved)
    except domain.DomainError as error:
        raise_http(error)
        timesheet = selectors.timesheet_get(actor=actor, pk=timesheet.pk)
        grid = selectors.month_grid(timesheet=timesheet)
        if parsed is None:
            parsed = forms.ParsedGrid(raw={k: v for k, v in request.POST.items() if k[:2] in ("c-", "x-")})
        if timesheet.is_editable:
            grid.show_posted(parsed.raw, comments=parsed.comments, reception_numbers=parsed.reception_numbers)
        status = 409 if isinstance(error, domain.Conflict) else 400
        return render_month(request, timesheet, grid=grid, error=error, version=version, status=status)
    url = timesheet_month_url(request, saved)
    if submit:
        manager = saved.consultant.reports_to
        if manager is not None and manager.pk != actor.pk:
            messages.success(request, _("CRA soumis : %(manager)s va le valider.") % {"manager": _person(manager)})
        else:
            messages.success(request, _("CRA soumis pour validation."))
    else:
        messages.success(request, _("CRA enregistré (brouillon). Pensez à le soumettre une fois le mois complet."))
    return redirect(url)


@require_member
@require_POST
def timesheet_reception(request, tenant_slug, pk):
    """The reception number once the grid is no longer editable (often known after approval)."""
    timesheet = _timesheet_or_404(request, pk)
    form = forms.ReceptionNumberForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Numéro de réception invalide (100 caractères au plus)."))
        return redirect(timesheet_month_url(request, timesheet))
    line = TimesheetLine.objects.filter(timesheet=timesheet, pk=form.cleaned_data["line"]).first()
    if line is None:
        raise Http404(_("Cette ligne n'existe pas."))
    try:
        services.timesheet_set_reception_number(actor=request.membership, line=line, number=form.cleaned_data["reception_number"])
    except domain.DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
    else:
        messages.success(request, _("Numéro de réception enregistré."))
    return redirect(timesheet_month_url(request, timesheet))


# --- Workflow -----------------------------------------------------------------------------------------


@require_member
@require_POST
def timesheet_approve(request, tenant_slug, pk):
    timesheet = _timesheet_or_404(request, pk)
    try:
        timesheet = services.timesheet_approve(actor=request.membership, timesheet=timesheet)
    except domain.DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("CRA de %(name)s (%(month)s) validé.")
            % {"name": _person(timesheet.consultant), "month": formats.date_format(timesheet.month, "F Y")},
        )
    return redirect(_next_or(request, timesheet_month_url(request, timesheet)))


def _reason_page(request, pk, *, kind: str):
    """Reject (manager / ADV, a submitted timesheet) or reopen (ADV, an approved one): a reason."""
    timesheet = _timesheet_or_404(request, pk)
    actor = request.membership
    allowed = selectors.can_approve(actor, timesheet) if kind == "reject" else selectors.can_reopen(actor, timesheet)
    back = _next_or(request, timesheet_month_url(request, timesheet))
    if not allowed:
        if kind == "reopen" and timesheet.is_locked:
            messages.error(request, _("Ce CRA est facturé : il ne se rouvre plus (passez par un avoir)."))
        elif kind == "reject" and timesheet.status != TimesheetStatus.SUBMITTED:
            messages.error(request, _("Seul un CRA soumis se refuse."))
        elif kind == "reopen" and timesheet.status != TimesheetStatus.APPROVED:
            messages.error(request, _("Seul un CRA validé se rouvre."))
        else:
            raise PermissionDenied(_("Vous ne pouvez pas faire cette action sur ce CRA."))
        return redirect(back)
    form = forms.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service = services.timesheet_reject if kind == "reject" else services.timesheet_reopen
        try:
            service(actor=actor, timesheet=timesheet, reason=form.cleaned_data["reason"])
        except domain.DomainError as error:
            raise_http(error)
            form.add_error(None, error.message)
        else:
            name, month = _person(timesheet.consultant), formats.date_format(timesheet.month, "F Y")
            if kind == "reject":
                messages.success(request, _("CRA de %(name)s (%(month)s) refusé : il revient en brouillon avec votre motif.") % {"name": name, "month": month})
            else:
                messages.success(request, _("CRA de %(name)s (%(month)s) rouvert : il revient en brouillon.") % {"name": name, "month": month})
            return redirect(back)
    context = {
        "timesheet": timesheet,
        "kind": kind,
        "form": form,
        "back": back,
        "consultant_name": _person(timesheet.consultant),
        "month_label": formats.date_format(timesheet.month, "F Y"),
        "grid": selectors.month_grid(timesheet=timesheet),
    }
    return render(request, "timesheets/reason.html", context, status=400 if form.errors else 200)


@require_member
@require_http_methods(["GET", "POST"])
def timesheet_reject(request, tenant_slug, pk):
    return _reason_page(request, pk, kind="reject")


@require_member
@require_http_methods(["GET", "POST"])
def timesheet_reopen(request, tenant_slug, pk):
    return _reason_page(request, pk, kind="reopen")


# --- PDF and client approval ---------------------------------------------------------------------------


def _deal_of(timesheet: Timesheet, deal_pk) -> Deal:
    line = (
        TimesheetLine.objects.filter(timesheet=timesheet, assignment__deal_id=deal_pk)
        .select_related("assignment__deal__client")
        .first()
    )
    if line is None:
        raise Http404(_("Cette affaire ne figure pas dans ce CRA."))
    return line.assignment.deal


@require_member
@require_GET
def timesheet_pdf(request, tenant_slug, pk, deal_pk):
    timesheet = _timesheet_or_404(request, pk)
    deal = _deal_of(timesheet, deal_pk)
    content = pdf.timesheet_pdf(timesheet=timesheet, deal=deal)
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if request.GET.get("inline") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{pdf.pdf_filename(timesheet=timesheet, deal=deal)}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _approval_or_404(request, timesheet: Timesheet, approval_pk) -> ClientApproval:
    try:
        return selectors.client_approval_get(actor=request.membership, timesheet=timesheet, pk=approval_pk)
    except (ClientApproval.DoesNotExist, ValidationError, ValueError):
        raise Http404(_("Cette validation client n'existe pas."))


@require_member
@require_POST
def client_approval_send(request, tenant_slug, pk, approval_pk):
    timesheet = _timesheet_or_404(request, pk)
    approval = _approval_or_404(request, timesheet, approval_pk)
    signatories = [c for c in approval.deal.client.contacts.filter(signs_timesheets=True, is_active=True).exclude(email="")]
    form = forms.SendLinkForm(request.POST, signatories=signatories)
    if not form.is_valid():
        messages.error(request, _("Choisissez le signataire du client à qui envoyer le lien."))
        return redirect(timesheet_month_url(request, timesheet))
    try:
        approval, _email = services.client_approval_request(actor=request.membership, approval=approval, contact=form.cleaned_data["contact"])
    except domain.DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Lien de validation envoyé à %(contact)s (%(email)s), valable jusqu'au %(date)s.")
            % {
                "contact": approval.contact, "email": approval.contact.email,
                "date": formats.date_format(timezone.localtime(approval.link_expires_at), "SHORT_DATE_FORMAT"),
            },
        )
    return redirect(timesheet_month_url(request, timesheet) + "#client-approval")


@require_member
@require_POST
def client_approval_upload(request, tenant_slug, pk, approval_pk):
    timesheet = _timesheet_or_404(request, pk)
    approval = _approval_or_404(request, timesheet, approval_pk)
    form = forms.SignedUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choisissez le fichier de la feuille signée."))
        return redirect(timesheet_month_url(request, timesheet))
    try:
        services.client_approval_upload_signed(actor=request.membership, approval=approval, upload=form.cleaned_data["file"])
    except domain.DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
    else:
        messages.success(request, _("Feuille signée déposée sur la fiche client : le mois est validé par le client pour %(deal)s.") % {"deal": approval.deal.reference})
    return redirect(timesheet_month_url(request, timesheet) + "#client-approval")


# --- The approval queue ---------------------------------------------------------------------------------


@require_member
@require_GET
def approval_queue(request, tenant_slug):
    actor = request.membership
    if not selectors.can_use_queue(actor):
        raise PermissionDenied(_("Cette page est réservée aux managers et à l'ADV."))
    adv = selectors.is_adv(actor)
    managers = list(selectors.manager_choices()) if adv else []
    form = forms.QueueFilterForm(request.GET, managers=managers, show_team=adv)
    filters = form.filters()
    page = Paginator(selectors.approval_queue(actor=actor, filters=filters), QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    deadlines = selectors.queue_deadlines(t.month for t in rows)
    for timesheet in rows:
        timesheet.selectable = selectors.can_approve(actor, timesheet)
        timesheet.reopenable = selectors.can_reopen(actor, timesheet)
        deadline = deadlines.get(timesheet.month)
        submitted = timesheet.first_submitted_at and timezone.localtime(timesheet.first_submitted_at).date()
        timesheet.late_days = (submitted - deadline).days if submitted and deadline and submitted > deadline else 0
        timesheet.worked_text = selectors.quantity_text(timesheet.worked) or "0"
        timesheet.absent_text = selectors.quantity_text(timesheet.absent) or "0"
        timesheet.extra_text = selectors.quantity_text(timesheet.extra)
        timesheet.url = month_url(tenant_slug, timesheet.consultant, timesheet.month, own=timesheet.consultant_id == actor.pk)
    page.object_list = rows
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "rows": rows,
        "is_adv": adv,
        "counts": selectors.queue_counts(actor=actor, month=filters.month),
        "selectable": any(t.selectable for t in rows),
        "unit_short": pgettext("hours, short", "h") if services.policy().unit == "hours" else pgettext("days, short", "j"),
        "ClientApprovalStatus": ClientApprovalStatus,
    }
    return render(request, "timesheets/queue.html", context)


@require_member
@require_POST
def approval_queue_approve(request, tenant_slug):
    actor = request.membership
    back = _next_or(request, reverse("timesheets:queue", kwargs={"tenant_slug": tenant_slug}))
    ids = []
    for value in request.POST.getlist("timesheet"):
        try:
            ids.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    if not ids:
        messages.warning(request, _("Cochez au moins un CRA à valider."))
        return redirect(back)
    timesheets = list(selectors.timesheet_queryset(actor=actor).filter(pk__in=ids))
    approved, failed = services.timesheet_approve_many(actor=actor, timesheets=timesheets)
    if approved:
        messages.success(
            request,
            _("%(count)s CRA validé(s) : %(names)s.")
            % {"count": len(approved), "names": ", ".join(sorted(_person(t.consultant) for t in approved))},
        )
    for timesheet, message in failed:
        messages.error(request, _("%(name)s (%(month)s) : %(message)s") % {
            "name": _person(timesheet.consultant), "month": formats.date_format(timesheet.month, "F Y"), "message": message,
        })
    return redirect(back)

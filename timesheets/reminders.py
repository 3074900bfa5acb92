"""Reminders of the month-end close: the closing calendar's announcement, the automatic
reminders to consultants (and the escalation to their manager), the reminders to managers with
timesheets to approve, and the one-click grouped reminders ADV sends from the reminders page.

Schedule (the firm's TimesheetPolicy), in working days relative to the deadline D:
- consultants whose timesheet of the month is not submitted: at each offset of
  `reminder_offsets` up to D (e.g. "-2,0": D-2 and D), then every working day after D; the
  friendly message before and on D, the "consequences of being late" one after;
- their manager (`reports_to`), once, at D + `escalate_after_working_days`, with the list of
  their consultants still late;
- managers with submitted timesheets waiting for their approval: the same schedule against the
  approval deadline;
- everyone who submits or approves: the month's calendar, once, `announce_days_ahead` days
  before the submission deadline.

Every message is a `Reminder` row (who, when, which template), inserted *before* the message
is sent, with INSERT … ON CONFLICT DO NOTHING under the unique (tenant, month, person, kind,
step) constraint: a periodic task that runs twice, two workers at once, or two people clicking
"send" at once, send each step once. The step is the day's date ("2026-05-27"), "escalation",
"announcement", or "manual:<date>" for a grouped reminder (one per person and day). When the
task has not run on a day, that day's step is not sent later: only the current day's step goes.
"""

from __future__ import annotations

import datetime
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Q
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from adv.tenancy.context import require_tenant_id
from adv.tenancy.errors import DomainError, PermissionDenied
from adv.tenancy.models import Membership, Role, Tenant
from adv.tenancy.roles import ADV_ROLES
from adv.ui.french import long_date
from notifications import defaults
from notifications.rendering import Rendered
from notifications.services import absolute_url, message_render, notify

from . import calendar as cal
from . import reports
from .errors import TimesheetErrorCode
from .models import ClosingCalendar, Reminder, ReminderKind, Timesheet, TimesheetStatus

# Local hour (the firm's time zone) from which the day's reminders go out.
REMINDER_HOUR = getattr(settings, "TIMESHEETS_REMINDER_HOUR", 8)

# --- Message templates (French defaults; each firm may reword them on the templates page) ---------

SUBMISSION_FRIENDLY = "timesheet.submission_reminder"
SUBMISSION_LATE = "timesheet.submission_late"
SUBMISSION_DOUBT = "timesheet.submission_doubt"
SUBMISSION_ESCALATION = "timesheet.submission_escalation"
APPROVAL_FRIENDLY = "timesheet.approval_reminder"
APPROVAL_LATE = "timesheet.approval_late"
APPROVAL_DOUBT = "timesheet.approval_doubt"
APPROVAL_ESCALATION = "timesheet.approval_escalation"
ANNOUNCEMENT = "timesheet.calendar_announcement"
CALENDAR_CHANGE = "timesheet.calendar_change"

CONSULTANT_PLACEHOLDERS = ["first_name", "month", "deadline", "url", "manager", "tenant_name"]
APPROVER_PLACEHOLDERS = [*CONSULTANT_PLACEHOLDERS, "count", "consultants", "waiting", "adv_or_manager"]
CONSULTANT_SAMPLE = {
    "first_name": "Camille", "month": "mai 2026", "deadline": "mercredi 27 mai 2026",
    "url": "https://adv.example/t/demo/timesheets/", "manager": "Nicolas Richard", "tenant_name": "Démo Conseil",
}
APPROVER_SAMPLE = {
    **CONSULTANT_SAMPLE, "first_name": "Nicolas", "deadline": "lundi 1 juin 2026", "manager": "Amélie Martin",
    "count": "3", "consultants": "- Camille Durand\n- Hugo Leroy\n- Léa Simon",
    "waiting": "3 CRA de votre équipe attendent", "adv_or_manager": "l'ADV ou Amélie Martin",
}

defaults.register(
    SUBMISSION_FRIENDLY,
    subject_fr="Votre CRA de {{ month }} est attendu pour le {{ deadline }}",
    body_fr=(
        "Bonjour {{ first_name }},\n\n"
        "Petit rappel : votre compte-rendu d'activité (CRA) de {{ month }} est à soumettre au plus tard "
        "le {{ deadline }}. Cela ne prend que quelques minutes :\n{{ url }}\n\n"
        "Un CRA soumis à temps, c'est une facture émise à temps. Merci !\n\n"
        "Un doute sur une saisie (absence, demi-journée, mission qui se termine) ? Saisissez ce que vous savez, "
        "ajoutez un commentaire sur la ligne concernée et soumettez : {{ manager }} vérifiera avec vous."
    ),
    subject_en="Your {{ month }} timesheet is due on {{ deadline }}",
    body_en=(
        "Hello {{ first_name }},\n\n"
        "A friendly reminder: your {{ month }} timesheet is due on {{ deadline }} at the latest. "
        "It only takes a few minutes:\n{{ url }}\n\n"
        "A timesheet on time is an invoice on time. Thank you!\n\n"
        "Unsure about an entry (leave, half day, an assignment ending)? Enter what you know, add a comment "
        "on the line and submit: {{ manager }} will check it with you."
    ),
    placeholders=CONSULTANT_PLACEHOLDERS,
    label=gettext_lazy("CRA : rappel amical avant l'échéance"),
    sample=CONSULTANT_SAMPLE,
)
defaults.register(
    SUBMISSION_LATE,
    subject_fr="CRA de {{ month }} en retard : l'échéance du {{ deadline }} est passée",
    body_fr=(
        "Bonjour {{ first_name }},\n\n"
        "Votre CRA de {{ month }} n'est pas encore soumis, alors que l'échéance était le {{ deadline }}.\n\n"
        "Sans lui, votre manager ne peut pas le valider et la facture du client ne peut pas partir : "
        "le paiement est retardé d'autant, et la clôture du mois de toute l'équipe avec lui. "
        "Si le retard se prolonge, {{ manager }} en sera informé.\n\n"
        "Merci de le soumettre dès aujourd'hui :\n{{ url }}"
    ),
    subject_en="{{ month }} timesheet late: the deadline of {{ deadline }} has passed",
    body_en=(
        "Hello {{ first_name }},\n\n"
        "Your {{ month }} timesheet is not submitted yet, and the deadline was {{ deadline }}.\n\n"
        "Without it, your manager cannot approve it and the client's invoice cannot go out: payment is delayed "
        "accordingly, and so is the whole team's month-end close. If the delay goes on, {{ manager }} will be told.\n\n"
        "Please submit it today:\n{{ url }}"
    ),
    placeholders=CONSULTANT_PLACEHOLDERS,
    label=gettext_lazy("CRA : conséquences d'un retard (après l'échéance)"),
    sample=CONSULTANT_SAMPLE,
)
defaults.register(
    SUBMISSION_DOUBT,
    subject_fr="CRA de {{ month }} : un doute sur votre saisie ?",
    body_fr=(
        "Bonjour {{ first_name }},\n\n"
        "Votre CRA de {{ month }} est attendu pour le {{ deadline }}. Si quelque chose vous retient :\n"
        "- une absence pas encore posée : saisissez-la sur la ligne d'absence correspondante ;\n"
        "- une journée partagée entre deux missions : saisissez 0,5 sur chacune ;\n"
        "- une mission dont vous ne connaissez pas la date de fin : saisissez les jours réellement travaillés ;\n"
        "- un autre doute : ajoutez un commentaire sur la ligne concernée, soumettez, et parlez-en à {{ manager }}.\n\n"
        "Un CRA soumis avec un commentaire vaut mieux qu'un CRA en attente : il pourra toujours être corrigé.\n{{ url }}"
    ),
    subject_en="{{ month }} timesheet: unsure about an entry?",
    body_en=(
        "Hello {{ first_name }},\n\n"
        "Your {{ month }} timesheet is due on {{ deadline }}. If something holds you back:\n"
        "- leave not booked yet: enter it on the matching absence line;\n"
        "- a day split between two assignments: enter 0.5 on each;\n"
        "- an assignment whose end you do not know: enter the days actually worked;\n"
        "- any other doubt: add a comment on the line, submit, and talk to {{ manager }}.\n\n"
        "A timesheet submitted with a comment beats a timesheet waiting: it can always be corrected.\n{{ url }}"
    ),
    placeholders=CONSULTANT_PLACEHOLDERS,
    label=gettext_lazy("CRA : que faire en cas de doute"),
    sample=CONSULTANT_SAMPLE,
)
defaults.register(
    SUBMISSION_ESCALATION,
    subject_fr="CRA de {{ month }} : {{ count }} membre(s) de votre équipe en retard",
    body_fr=(
        "Bonjour {{ first_name }},\n\n"
        "L'échéance de soumission des CRA de {{ month }} était le {{ deadline }}. Ces membres de votre équipe "
        "n'ont toujours pas soumis le leur, malgré une relance chaque jour ouvré :\n{{ consultants }}\n\n"
        "Un mot de votre part aidera : sans leur CRA, leur facture ne peut pas partir.\n{{ url }}"
    ),
    subject_en="{{ month }} timesheets: {{ count }} member(s) of your team late",
    body_en=(
        "Hello {{ first_name }},\n\n"
        "The {{ month }} timesheet deadline was {{ deadline }}. These members of your team still have not "
        "submitted theirs, despite a reminder every working day:\n{{ consultants }}\n\n"
        "A word from you will help: without their timesheet, their invoice cannot go out.\n{{ url }}"
    ),
    placeholders=APPROVER_PLACEHOLDERS,
    label=gettext_lazy("CRA : escalade au manager des consultants en retard"),
    sample=APPROVER_SAMPLE,
)
defaults.register(
    APPROVAL_FRIENDLY,
    subject_fr="{{ count }} CRA de {{ month }} à valider avant le {{ deadline }}",
    body_fr=(
        "Bonjour {{ first_name }},\n\n"
        "{{ waiting }} votre validation pour {{ month }}, au plus tard le {{ deadline }} :\n"
        "{{ consultants }}\n\n"
        "Vous pouvez les valider en une fois depuis votre file de validation :\n{{ url }}\n\n"
        "Un doute sur un CRA ? Refusez-le avec un motif : le consultant le corrigera et le soumettra à nouveau."
    ),
    subject_en="{{ count }} {{ month }} timesheet(s) to approve before {{ deadline }}",
    body_en=(
        "Hello {{ first_name }},\n\n"
        "{{ waiting }} for your approval for {{ month }}, by {{ deadline }} at the latest:\n"
        "{{ consultants }}\n\n"
        "You can approve them all at once from your approval queue:\n{{ url }}\n\n"
        "Unsure about one? Reject it with a reason: the consultant will correct and submit it again."
    ),
    placeholders=APPROVER_PLACEHOLDERS,
    label=gettext_lazy("Validation des CRA : rappel amical au manager"),
    sample=APPROVER_SAMPLE,
)
defaults.register(
    APPROVAL_LATE,
    subject_fr="Validation des CRA de {{ month }} en retard ({{ count }})",
    body_fr=(
        "Bonjour {{ first_name }},\n\n"
        "L'échéance de validation des CRA de {{ month }} était le {{ deadline }}, et {{ waiting }} "
        "encore votre validation :\n{{ consultants }}\n\n"
        "Tant qu'ils ne sont pas validés, les factures correspondantes ne peuvent pas être émises et la clôture du "
        "mois est retardée. Si vous ne pouvez pas les valider, prévenez {{ adv_or_manager }}.\n\n{{ url }}"
    ),
    subject_en="{{ month }} timesheet approval late ({{ count }})",
    body_en=(
        "Hello {{ first_name }},\n\n"
        "The {{ month }} approval deadline was {{ deadline }}, and {{ waiting }} still "
        "for your approval:\n{{ consultants }}\n\n"
        "Until they are approved, the matching invoices cannot be issued and the month-end close is delayed. "
        "If you cannot approve them, tell {{ adv_or_manager }}.\n\n{{ url }}"
    ),
    placeholders=APPROVER_PLACEHOLDERS,
    label=gettext_lazy("Validation des CRA : conséquences d'un retard"),
    sample=APPROVER_SAMPLE,
)
defaults.register(
    APPROVAL_DOUBT,
    subject_fr="CRA de {{ month }} à valider : un doute ?",
    body_fr=(
        "Bonjour {{ first_name }},\n\n"
        "{{ waiting }} votre validation pour {{ month }}, avant le {{ deadline }} :\n{{ consultants }}\n\n"
        "- Un CRA vous semble inexact : refusez-le en indiquant le motif, le consultant le corrigera.\n"
        "- Vous ne pourrez pas valider à temps (congés, déplacement) : prévenez l'ADV, qui peut valider à votre place.\n"
        "- Une autre question : voyez avec {{ manager }}.\n\n{{ url }}"
    ),
    subject_en="{{ month }} timesheets to approve: unsure?",
    body_en=(
        "Hello {{ first_name }},\n\n"
        "{{ waiting }} for your approval for {{ month }}, before {{ deadline }}:\n{{ consultants }}\n\n"
        "- One looks wrong: reject it with a reason, the consultant will correct it.\n"
        "- You cannot approve in time (leave, travel): tell the sales administration, who can approve on your behalf.\n"
        "- Anything else: ask {{ manager }}.\n\n{{ url }}"
    ),
    placeholders=APPROVER_PLACEHOLDERS,
    label=gettext_lazy("Validation des CRA : que faire en cas de doute"),
    sample=APPROVER_SAMPLE,
)
defaults.register(
    APPROVAL_ESCALATION,
    subject_fr="Validation des CRA de {{ month }} : {{ count }} manager(s) de votre équipe en retard",
    body_fr=(
        "Bonjour {{ first_name }},\n\n"
        "L'échéance de validation des CRA de {{ month }} était le {{ deadline }}. Ces managers de votre équipe ont "
        "encore des CRA à valider, malgré une relance chaque jour ouvré :\n{{ approvers }}\n\n"
        "Tant qu'ils ne sont pas validés, les factures correspondantes ne peuvent pas partir. Un mot de votre part "
        "aidera ; s'ils ne peuvent pas valider, l'ADV peut le faire à leur place.\n{{ url }}"
    ),
    subject_en="{{ month }} timesheet approval: {{ count }} manager(s) of your team late",
    body_en=(
        "Hello {{ first_name }},\n\n"
        "The {{ month }} approval deadline was {{ deadline }}. These managers of your team still have timesheets "
        "to approve, despite a reminder every working day:\n{{ approvers }}\n\n"
        "Until they are approved, the matching invoices cannot go out. A word from you will help; if they cannot "
        "approve them, the sales administration can do it on their behalf.\n{{ url }}"
    ),
    placeholders=[*CONSULTANT_PLACEHOLDERS, "count", "approvers"],
    label=gettext_lazy("Validation des CRA : escalade au manager des managers en retard"),
    sample={
        **APPROVER_SAMPLE, "first_name": "Amélie", "manager": "Paul Bernard", "count": "2",
        "approvers": "- Nicolas Richard : 3 CRA à valider (Camille Durand, Hugo Leroy, Léa Simon)\n"
                     "- Julie Petit : 1 CRA à valider (Marc Dubois)",
    },
)
CALENDAR_LINES_FR = (
    "- soumission des CRA : {{ submission_deadline }}\n"
    "- validation par les managers : {{ approval_deadline }}\n"
    "- validation par les clients : {{ client_approval_deadline }}\n"
    "- clôture de la facturation : {{ billing_close_deadline }}\n\n"
)
CALENDAR_LINES_EN = (
    "- timesheets submitted by: {{ submission_deadline }}\n"
    "- approved by managers by: {{ approval_deadline }}\n"
    "- approved by clients by: {{ client_approval_deadline }}\n"
    "- billing closes on: {{ billing_close_deadline }}\n\n"
)
CALENDAR_PLACEHOLDERS = [
    "first_name", "month", "submission_deadline", "approval_deadline", "client_approval_deadline",
    "billing_close_deadline", "url", "tenant_name",
]
CALENDAR_SAMPLE = {
    "first_name": "Camille", "month": "mai 2026", "submission_deadline": "mercredi 27 mai 2026",
    "approval_deadline": "lundi 1 juin 2026", "client_approval_deadline": "mardi 2 juin 2026",
    "billing_close_deadline": "mercredi 3 juin 2026", "url": "https://adv.example/t/demo/timesheets/closing/",
    "tenant_name": "Démo Conseil",
}
defaults.register(
    ANNOUNCEMENT,
    subject_fr="Calendrier de clôture de {{ month }}",
    body_fr=(
        "Bonjour {{ first_name }},\n\nVoici le calendrier de clôture de {{ month }} :\n" + CALENDAR_LINES_FR
        + "Merci de soumettre votre CRA, et de valider ceux de votre équipe, à temps.\n{{ url }}"
    ),
    subject_en="{{ month }} closing calendar",
    body_en=(
        "Hello {{ first_name }},\n\nHere is the {{ month }} closing calendar:\n" + CALENDAR_LINES_EN
        + "Please submit your timesheet, and approve your team's, on time.\n{{ url }}"
    ),
    placeholders=CALENDAR_PLACEHOLDERS,
    label=gettext_lazy("CRA : annonce du calendrier de clôture"),
    sample=CALENDAR_SAMPLE,
)
defaults.register(
    CALENDAR_CHANGE,
    subject_fr="Calendrier de clôture de {{ month }} modifié",
    body_fr=(
        "Bonjour {{ first_name }},\n\nLe calendrier de clôture de {{ month }} a changé :\n{{ changes }}\n\n"
        "Le calendrier à jour :\n" + CALENDAR_LINES_FR + "Merci d'en tenir compte.\n{{ url }}"
    ),
    subject_en="{{ month }} closing calendar changed",
    body_en=(
        "Hello {{ first_name }},\n\nThe {{ month }} closing calendar has changed:\n{{ changes }}\n\n"
        "The calendar now reads:\n" + CALENDAR_LINES_EN + "Please take it into account.\n{{ url }}"
    ),
    placeholders=[*CALENDAR_PLACEHOLDERS, "changes"],
    label=gettext_lazy("CRA : calendrier de clôture modifié après son annonce"),
    sample={**CALENDAR_SAMPLE, "changes": "- soumission des CRA : mercredi 27 mai 2026 → vendredi 29 mai 2026"},
)

AUDIENCE_CONSULTANTS = "consultants"
AUDIENCE_APPROVERS = "approvers"
GROUPED_TEMPLATES = {
    AUDIENCE_CONSULTANTS: (SUBMISSION_FRIENDLY, SUBMISSION_LATE, SUBMISSION_DOUBT),
    AUDIENCE_APPROVERS: (APPROVAL_FRIENDLY, APPROVAL_LATE, APPROVAL_DOUBT),
}
GROUPED_KIND = {AUDIENCE_CONSULTANTS: ReminderKind.SUBMISSION, AUDIENCE_APPROVERS: ReminderKind.APPROVAL}


# --- Schedule ------------------------------------------------------------------------------------


def parse_offsets(text: str) -> list[int]:
    """"-2,0" → [-2, 0]; invalid parts are refused by the policy form, ignored here."""
    offsets = set()
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip().replace("D", "").replace("J", "")
        if not part:
            continue
        try:
            offsets.add(int(part))
        except ValueError:
            continue
    return sorted(offsets)


def schedule_offset(*, deadline: datetime.date, today: datetime.date, country: str) -> int | None:
    """Today's position in working days relative to the deadline (D-2 → -2, D → 0, D+1 → 1), or
    None on a day off (reminders go out on working days, and on the deadline itself)."""
    if today != deadline and not cal.is_working_day(today, country):
        return None
    return cal.working_days_between(deadline, today, country)


def is_reminder_day(offset: int | None, offsets: Iterable[int]) -> bool:
    """The configured offsets up to the deadline, then every working day after it."""
    if offset is None:
        return False
    return offset >= 1 or offset in set(offsets)


def months_in_play(today: datetime.date) -> list[datetime.date]:
    """Last month (still chased after its deadline) and this month."""
    current = today.replace(day=1)
    return [reports.add_months(current, -1), current]


# --- Recording: the row first, under the unique constraint ----------------------------------------


def claim(
    *,
    month: datetime.date,
    kind: str,
    step: str,
    template_key: str,
    membership_ids: Iterable,
    sent_by: Membership | None = None,
    now: datetime.datetime | None = None,
) -> set[uuid.UUID]:
    """Insert one Reminder per person; return the ids of the people whose row was inserted now.

    INSERT … ON CONFLICT DO NOTHING on the (tenant, month, membership, kind, step) constraint:
    a person who already has this step (sent earlier, or by a concurrent transaction, which this
    insert waits for) is skipped. Runs in the caller's transaction, so the row and the message
    commit (or roll back) together."""
    ids = sorted({uuid.UUID(str(pk)) for pk in membership_ids}, key=str)
    if not ids:
        return set()
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO timesheets_reminder
                (id, tenant_id, created_at, updated_at, month, membership_id, kind, step, template_key, sent_by_id)
            SELECT gen_random_uuid(), %s, %s, %s, %s, person, %s, %s, %s, %s FROM unnest(%s::uuid[]) AS person
            ON CONFLICT (tenant_id, month, membership_id, kind, step) DO NOTHING
            RETURNING membership_id
            """,
            [require_tenant_id(), now, now, month, kind, step, template_key, sent_by.pk if sent_by else None, ids],
        )
        return {row[0] for row in cursor.fetchall()}


# --- Message context -----------------------------------------------------------------------------


def _url(name: str, slug: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs={"tenant_slug": slug, **kwargs})
    except NoReverseMatch:
        return None


def timesheet_url(slug: str, month: datetime.date, member: Membership | None = None) -> str:
    """The recipient's own timesheet of `month` (the CRA pages)."""
    url = _url("timesheets:month", slug, year=month.year, month=month.month)
    if url:
        return url
    return _url("timesheets:mine", slug) or f"/t/{slug}/timesheets/"


def approval_queue_url(slug: str, month: datetime.date) -> str:
    url = _url("timesheets:queue", slug)
    return f"{url}?month={month:%Y-%m}" if url else f"/t/{slug}/timesheets/"


def closing_url(slug: str, name: str, month: datetime.date | None = None, **query) -> str:
    url = _url(f"timesheets:{name}", slug) or f"/t/{slug}/timesheets/closing/"
    params = {**({"month": f"{month:%Y-%m}"} if month else {}), **query}
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def _language(user, tenant: Tenant) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    for language in (getattr(user, "language", ""), tenant.language):
        if language in codes:
            return language
    return settings.LANGUAGE_CODE


def format_month(month: datetime.date) -> str:
    return formats.date_format(month, "F Y")


def format_day(day: datetime.date) -> str:
    return long_date(day, "l j F Y")  # "lundi 1er février 2027"


def _first_name(member: Membership) -> str:
    return member.user.first_name or str(member.user)


def _full_name(member: Membership | None) -> str:
    if member is None:
        return ""
    return member.user.get_full_name() or member.user.email


def _manager_name(member: Membership) -> str:
    manager = member.reports_to if member.reports_to_id else None
    if manager is not None and manager.is_active:
        return _full_name(manager)
    return str(_("l'ADV"))


def consultant_context(member: Membership, *, month: datetime.date, deadline: datetime.date, tenant: Tenant) -> dict:
    with translation.override(_language(member.user, tenant)):
        return {
            "first_name": _first_name(member),
            "month": format_month(month),
            "deadline": format_day(deadline),
            "manager": _manager_name(member),
        }


def approver_context(
    member: Membership, *, month: datetime.date, deadline: datetime.date, tenant: Tenant, consultants: list[Membership]
) -> dict:
    names = sorted(_full_name(c) for c in consultants)
    with translation.override(_language(member.user, tenant)):
        waiting = ngettext(
            "%(count)s CRA de votre équipe attend", "%(count)s CRA de votre équipe attendent", len(names)
        ) % {"count": len(names)}
        adv = str(_("l'ADV"))
        manager = _full_name(member.reports_to) if member.reports_to_id and member.reports_to.is_active else ""
        adv_or_manager = _("%(adv)s ou %(manager)s") % {"adv": adv, "manager": manager} if manager else adv
    return {
        **consultant_context(member, month=month, deadline=deadline, tenant=tenant),
        "count": str(len(names)),
        "consultants": "\n".join(f"- {name}" for name in names),
        "waiting": waiting,
        "adv_or_manager": adv_or_manager,
    }


def _tenant() -> Tenant:
    return Tenant.objects.get(pk=require_tenant_id())


def _send(member: Membership, *, key: str, context: dict, url: str, actor: Membership | None = None, target=None) -> None:
    notify(recipients=[member], event=key, context=context, url=url, actor=actor, target=target)


# --- Automatic reminders -------------------------------------------------------------------------


@dataclass
class RunReport:
    announcements: int = 0
    changes: int = 0  # re-announcements of a calendar whose deadlines changed after its announcement
    submission: int = 0
    escalations: int = 0
    approval: int = 0
    approval_escalations: int = 0
    skipped_by_hour: bool = False
    details: list[tuple[str, str, str]] = field(default_factory=list)  # (email, template key, step)

    def as_dict(self) -> dict:
        return {
            "announcements": self.announcements, "changes": self.changes, "submission": self.submission,
            "escalations": self.escalations, "approval": self.approval,
            "approval_escalations": self.approval_escalations, "skipped_by_hour": self.skipped_by_hour,
        }

    def count(self, counter: str, member: Membership, key: str, step: str) -> None:
        setattr(self, counter, getattr(self, counter) + 1)
        self.details.append((member.user.email, key, step))


def _people(ids) -> dict:
    return {
        m.pk: m
        for m in Membership.objects.filter(pk__in=list(ids)).select_related("user", "reports_to__user").order_by("id")
    }


def pending_approvals(month: datetime.date) -> dict:
    """{approver id: [consultants whose submitted timesheet waits for them]} (their manager)."""
    waiting = (
        Timesheet.objects.filter(month=month, status=TimesheetStatus.SUBMITTED, consultant__reports_to__isnull=False,
                                 consultant__reports_to__is_active=True)
        .select_related("consultant__user")
        .order_by("consultant_id")
    )
    by_approver: dict = defaultdict(list)
    for timesheet in waiting:
        by_approver[timesheet.consultant.reports_to_id].append(timesheet.consultant)
    return by_approver


# Who is waited for, by month: {person id: (person, the consultants concerned)}.
Waiting = dict[uuid.UUID, tuple[Membership, list[Membership]]]


def _waiting_consultants(month: datetime.date, zone: zoneinfo.ZoneInfo) -> Waiting:
    late = reports.unsubmitted_consultants(month, zone=zone).select_related("user", "reports_to__user").order_by("id")
    return {member.pk: (member, []) for member in late}


def _waiting_approvers(month: datetime.date, zone: zoneinfo.ZoneInfo) -> Waiting:
    by_approver = pending_approvals(month)
    return {pk: (approver, by_approver[pk]) for pk, approver in _people(by_approver).items()}


def _approvers_lines(late: list[tuple[Membership, list[Membership]]]) -> str:
    return "\n".join(
        "- " + _("%(name)s : %(count)s CRA à valider (%(consultants)s)") % {
            "name": _full_name(approver), "count": len(consultants),
            "consultants": ", ".join(sorted(_full_name(c) for c in consultants)),
        }
        for approver, consultants in sorted(late, key=lambda pair: _full_name(pair[0]))
    )


@dataclass(frozen=True)
class Track:
    """One audience of the automatic reminders: who is waited for against which deadline, with
    which messages, and the escalation of the late ones to their own manager (`reports_to`)."""

    kind: str
    escalation_kind: str
    deadline_field: str
    friendly: str
    late: str
    escalation: str
    counter: str
    escalation_counter: str
    waiting: Callable[[datetime.date, zoneinfo.ZoneInfo], Waiting]
    url: Callable[[str, datetime.date], str]
    escalation_show: str  # the completion page's filter the escalated manager lands on

    def context(self, person: Membership, concerned: list[Membership], **common) -> dict:
        if self.kind == ReminderKind.SUBMISSION:
            return consultant_context(person, **common)
        return approver_context(person, consultants=concerned, **common)

    def escalation_context(self, manager: Membership, late: list[tuple[Membership, list[Membership]]], *, tenant, **common) -> dict:
        if self.kind == ReminderKind.SUBMISSION:
            return approver_context(manager, consultants=[person for person, _ in late], tenant=tenant, **common)
        with translation.override(_language(manager.user, tenant)):
            lines = _approvers_lines(late)
        return {**consultant_context(manager, tenant=tenant, **common), "count": str(len(late)), "approvers": lines}


SUBMISSION_TRACK = Track(
    kind=ReminderKind.SUBMISSION, escalation_kind=ReminderKind.SUBMISSION_ESCALATION,
    deadline_field="submission_deadline", friendly=SUBMISSION_FRIENDLY, late=SUBMISSION_LATE,
    escalation=SUBMISSION_ESCALATION, counter="submission", escalation_counter="escalations",
    waiting=_waiting_consultants, url=timesheet_url, escalation_show="missing",
)
APPROVAL_TRACK = Track(
    kind=ReminderKind.APPROVAL, escalation_kind=ReminderKind.APPROVAL_ESCALATION,
    deadline_field="approval_deadline", friendly=APPROVAL_FRIENDLY, late=APPROVAL_LATE,
    escalation=APPROVAL_ESCALATION, counter="approval", escalation_counter="approval_escalations",
    waiting=_waiting_approvers, url=approval_queue_url, escalation_show="pending_approval",
)


def send_reminders(
    track: Track, *, today: datetime.date, now: datetime.datetime | None = None, report: RunReport | None = None,
    calendars: dict[datetime.date, ClosingCalendar] | None = None,
) -> RunReport:
    """Remind whoever `track` waits for, per the schedule against its deadline; from
    D + `escalate_after_working_days`, escalate the late ones to their manager, once."""
    report = report or RunReport()
    tenant = _tenant()
    policy = reports.rules()
    offsets = parse_offsets(policy.reminder_offsets)
    zone = zoneinfo.ZoneInfo(tenant.time_zone)
    calendars = calendars or reports.calendars_for(months_in_play(today), policy)
    for month, row in sorted(calendars.items()):
        deadline = getattr(row, track.deadline_field)
        offset = schedule_offset(deadline=deadline, today=today, country=policy.holiday_country)
        if not is_reminder_day(offset, offsets):
            continue
        waiting = track.waiting(month, zone)
        if not waiting:
            continue
        key = track.late if offset >= 1 else track.friendly
        step = today.isoformat()
        claimed = claim(month=month, kind=track.kind, step=step, template_key=key, membership_ids=waiting, now=now)
        for pk in sorted(claimed, key=str):
            person, concerned = waiting[pk]
            context = track.context(person, concerned, month=month, deadline=deadline, tenant=tenant)
            _send(person, key=key, context=context, url=track.url(tenant.slug, month))
            report.count(track.counter, person, key, step)
        if offset >= max(1, policy.escalate_after_working_days):
            _escalate(track, waiting, month=month, deadline=deadline, tenant=tenant, now=now, report=report)
    return report


def _escalate(track: Track, waiting: Waiting, *, month, deadline, tenant: Tenant, now, report: RunReport) -> None:
    """One message per manager (step "escalation": once per month), listing their late people."""
    by_manager: dict = defaultdict(list)
    for person, concerned in waiting.values():
        manager = person.reports_to if person.reports_to_id else None
        if manager is not None and manager.is_active and manager.pk != person.pk:
            by_manager[manager.pk].append((person, concerned))
    if not by_manager:
        return
    claimed = claim(month=month, kind=track.escalation_kind, step="escalation", template_key=track.escalation,
                    membership_ids=by_manager, now=now)
    managers = _people(claimed)
    for manager_id in sorted(claimed, key=str):
        manager = managers[manager_id]
        context = track.escalation_context(manager, by_manager[manager_id], month=month, deadline=deadline, tenant=tenant)
        # A manager lands on their team's missing timesheets; the approvers' manager on the approvals pending.
        team = {"manager": manager_id} if track.kind == ReminderKind.SUBMISSION else {}
        url = closing_url(tenant.slug, "completion", month, show=track.escalation_show, **team)
        _send(manager, key=track.escalation, context=context, url=url)
        report.count(track.escalation_counter, manager, track.escalation, "escalation")


def send_submission_reminders(**kwargs) -> RunReport:
    """Consultants whose timesheet is not submitted; their manager at D+2."""
    return send_reminders(SUBMISSION_TRACK, **kwargs)


def send_approval_reminders(**kwargs) -> RunReport:
    """Managers with submitted timesheets waiting for them; their own manager at D+2."""
    return send_reminders(APPROVAL_TRACK, **kwargs)


def announcement_audience(month: datetime.date, *, zone: zoneinfo.ZoneInfo) -> list[Membership]:
    """Who submits (the month's expected consultants) and who approves (their managers, and
    every active manager)."""
    consultants = reports.expected_consultants(month, zone=zone)
    manager_ids = consultants.exclude(reports_to__isnull=True).values("reports_to_id")
    people = Membership.objects.filter(is_active=True, user__is_active=True).filter(
        Q(pk__in=consultants.values("pk")) | Q(pk__in=manager_ids) | Q(role=Role.MANAGER)
    )
    return list(people.select_related("user").order_by("id"))


DEADLINE_FIELDS = ("submission_deadline", "approval_deadline", "client_approval_deadline", "billing_close_deadline")
DEADLINE_LABELS = {
    "submission_deadline": gettext_lazy("soumission des CRA"),
    "approval_deadline": gettext_lazy("validation par les managers"),
    "client_approval_deadline": gettext_lazy("validation par les clients"),
    "billing_close_deadline": gettext_lazy("clôture de la facturation"),
}


def deadlines_of(row: ClosingCalendar) -> dict[str, str]:
    """The calendar's deadlines as recorded in `announced_deadlines` (what people were told)."""
    return {name: getattr(row, name).isoformat() for name in DEADLINE_FIELDS}


def _announce(row: ClosingCalendar, *, key: str, step: str, tenant: Tenant, now, report: RunReport, counter: str,
              changes: dict[str, tuple[datetime.date, datetime.date]] | None = None) -> None:
    """Send the calendar (with what changed, if anything) to its audience, once per step."""
    audience = announcement_audience(row.month, zone=zoneinfo.ZoneInfo(tenant.time_zone))
    claimed = claim(month=row.month, kind=ReminderKind.ANNOUNCEMENT, step=step, template_key=key,
                    membership_ids=[m.pk for m in audience], now=now)
    url = closing_url(tenant.slug, "closing", row.month)
    for member in audience:
        if member.pk not in claimed:
            continue
        with translation.override(_language(member.user, tenant)):
            context = {"first_name": _first_name(member), "month": format_month(row.month)}
            context.update({name: format_day(getattr(row, name)) for name in DEADLINE_FIELDS})
            if changes is not None:
                context["changes"] = "\n".join(
                    _("- %(deadline)s : %(before)s → %(after)s")
                    % {"deadline": DEADLINE_LABELS[name], "before": format_day(old), "after": format_day(new)}
                    for name, (old, new) in changes.items()
                )
        _send(member, key=key, context=context, url=url, target=row)
        report.count(counter, member, key, step)


def announce_calendars(
    *, today: datetime.date, now: datetime.datetime | None = None, report: RunReport | None = None,
) -> RunReport:
    """Announce the month's calendar to everyone who submits or approves, once, from
    `announce_days_ahead` days before its submission deadline until the deadline."""
    from .services import closing_calendar_ensure

    report = report or RunReport()
    tenant = _tenant()
    policy = reports.rules()
    for month in (today.replace(day=1), cal.next_month(today)):
        row = closing_calendar_ensure(month=month)
        if row.announced_at is not None:
            continue
        starts = row.submission_deadline - datetime.timedelta(days=policy.announce_days_ahead)
        if not (starts <= today <= row.submission_deadline):
            continue
        _announce(row, key=ANNOUNCEMENT, step="announcement", tenant=tenant, now=now, report=report, counter="announcements")
        # What people were told: a later edit of the deadlines is announced against it.
        ClosingCalendar.objects.filter(pk=row.pk, announced_at__isnull=True).update(
            announced_at=now or timezone.now(), announced_deadlines=deadlines_of(row)
        )
    return report


def announce_calendar_changes(
    *, today: datetime.date, now: datetime.datetime | None = None, report: RunReport | None = None,
) -> RunReport:
    """Re-announce the deadlines of an announced calendar that ADV changed since (step
    "change:<n>", once per change). The row is locked while it is compared, sent and marked, so
    two runs at once send a change once. A change that only moves dates already past on both
    sides is recorded without a message (nobody can act on it any more)."""
    report = report or RunReport()
    tenant = _tenant()
    since = reports.add_months(today.replace(day=1), -1)
    candidates = ClosingCalendar.objects.filter(announced_at__isnull=False, month__gte=since).order_by("month")
    for row_id in candidates.values_list("pk", flat=True):
        row = ClosingCalendar.objects.select_for_update(of=("self",)).get(pk=row_id)
        announced = row.announced_deadlines or {}
        changes = {
            name: (datetime.date.fromisoformat(announced[name]), getattr(row, name))
            for name in DEADLINE_FIELDS
            if name in announced and announced[name] != getattr(row, name).isoformat()
        }
        if not changes:
            continue
        revision = row.announcement_revision + 1
        if any(max(old, new) >= today for old, new in changes.values()):
            _announce(row, key=CALENDAR_CHANGE, step=f"change:{revision}", tenant=tenant, now=now, report=report,
                      counter="changes", changes=changes)
        ClosingCalendar.objects.filter(pk=row.pk).update(announced_deadlines=deadlines_of(row), announcement_revision=revision)
    return report


def local_today(now: datetime.datetime | None = None) -> datetime.date:
    """Today in the active firm's time zone."""
    return timezone.localtime(now or timezone.now(), zoneinfo.ZoneInfo(_tenant().time_zone)).date()


def run_due(*, now: datetime.datetime | None = None, ignore_hour: bool = False) -> RunReport:
    """What the hourly task runs for one firm: ensure this month's and last month's calendars,
    announce (and re-announce what changed), remind, escalate. Nothing before REMINDER_HOUR
    (the firm's local time)."""
    from .services import closing_calendar_ensure

    now = now or timezone.now()
    tenant = _tenant()
    local = timezone.localtime(now, zoneinfo.ZoneInfo(tenant.time_zone))
    report = RunReport()
    if not ignore_hour and local.hour < REMINDER_HOUR:
        report.skipped_by_hour = True
        return report
    today = local.date()
    calendars = {month: closing_calendar_ensure(month=month) for month in months_in_play(today)}
    announce_calendars(today=today, now=now, report=report)
    announce_calendar_changes(today=today, now=now, report=report)
    for track in (SUBMISSION_TRACK, APPROVAL_TRACK):
        send_reminders(track, today=today, now=now, report=report, calendars=calendars)
    return report


# --- One-click grouped reminders -----------------------------------------------------------------


@dataclass
class Candidate:
    """A person the grouped reminder may reach, with why."""

    membership: Membership
    delay_days: int = 0  # days after the deadline (0: not late yet)
    status: str | None = None  # their timesheet's status (consultants)
    rejected: bool = False  # sent back by their manager, to correct
    consultants: list[Membership] = field(default_factory=list)  # waiting for them (approvers)
    last_reminded_at: datetime.datetime | None = None
    reminded_today: bool = False

    @property
    def pk(self):
        return self.membership.pk

    @property
    def is_late(self) -> bool:
        return self.delay_days > 0


def grouped_candidates(*, month: datetime.date, audience: str, today: datetime.date) -> list[Candidate]:
    """Consultants whose timesheet of `month` is not submitted, or managers with submitted
    timesheets waiting for them; the late ones (deadline passed) first. Three queries."""
    month = month.replace(day=1)
    row = reports.calendar_for(month)
    kind = GROUPED_KIND[audience]
    if audience == AUDIENCE_CONSULTANTS:
        deadline = row.submission_deadline
        people = list(
            reports.unsubmitted_consultants(month)
            .select_related("user", "reports_to__user")
            .order_by("user__last_name", "user__first_name", "id")
        )
        found = {
            consultant_id: (status, rejected_at)
            for consultant_id, status, rejected_at in Timesheet.objects.filter(
                month=month, consultant__in=[p.pk for p in people]
            ).values_list("consultant_id", "status", "rejected_at")
        }
        candidates = [
            Candidate(p, status=found.get(p.pk, (None, None))[0], rejected=found.get(p.pk, (None, None))[1] is not None)
            for p in people
        ]
    else:
        deadline = row.approval_deadline
        by_approver = pending_approvals(month)
        approvers = _people(by_approver)
        candidates = [Candidate(approvers[pk], consultants=by_approver[pk]) for pk in approvers]
        candidates.sort(key=lambda c: (c.membership.user.last_name, c.membership.user.first_name, str(c.pk)))
    delay = max(0, (today - deadline).days)
    last = dict(
        Reminder.objects.filter(month=month, kind=kind, membership__in=[c.pk for c in candidates])
        .values("membership_id").annotate(last=Max("created_at")).values_list("membership_id", "last")
    )
    manual_today = set(
        Reminder.objects.filter(month=month, kind=kind, step=f"manual:{today.isoformat()}").values_list("membership_id", flat=True)
    )
    for candidate in candidates:
        candidate.delay_days = delay
        candidate.last_reminded_at = last.get(candidate.pk)
        candidate.reminded_today = candidate.pk in manual_today
    return candidates


def default_template(audience: str, *, month: datetime.date, today: datetime.date) -> str:
    row = reports.calendar_for(month)
    deadline = row.submission_deadline if audience == AUDIENCE_CONSULTANTS else row.approval_deadline
    friendly, late, _doubt = GROUPED_TEMPLATES[audience]
    return late if today > deadline else friendly


def _check_grouped(actor: Membership, audience: str, template_key: str) -> None:
    if actor.role not in ADV_ROLES:
        raise PermissionDenied(_("Les relances groupées sont réservées à l'ADV."))
    if audience not in GROUPED_TEMPLATES:
        raise DomainError(_("Destinataires inconnus."), code=TimesheetErrorCode.UNKNOWN_AUDIENCE, field="audience")
    if template_key not in GROUPED_TEMPLATES[audience]:
        raise DomainError(_("Ce modèle de message ne convient pas à ces destinataires."), code=TimesheetErrorCode.UNKNOWN_TEMPLATE, field="template")


def _grouped_message(candidate: Candidate, *, audience: str, month: datetime.date, tenant: Tenant) -> tuple[dict, str]:
    row = reports.calendar_for(month)
    if audience == AUDIENCE_CONSULTANTS:
        context = consultant_context(candidate.membership, month=month, deadline=row.submission_deadline, tenant=tenant)
        return context, timesheet_url(tenant.slug, month, candidate.membership)
    context = approver_context(
        candidate.membership, month=month, deadline=row.approval_deadline, tenant=tenant, consultants=candidate.consultants
    )
    return context, approval_queue_url(tenant.slug, month)


def grouped_preview(*, actor: Membership, month: datetime.date, audience: str, template_key: str, candidate: Candidate) -> Rendered:
    """The message `candidate` would receive, with the firm's wording of the template."""
    _check_grouped(actor, audience, template_key)
    tenant = _tenant()
    context, url = _grouped_message(candidate, audience=audience, month=month, tenant=tenant)
    context = {**context, "url": absolute_url(url), "tenant_name": tenant.name}
    return message_render(key=template_key, language=_language(candidate.membership.user, tenant), context=context)


@dataclass
class GroupedResult:
    sent: list[Membership] = field(default_factory=list)
    already: list[Membership] = field(default_factory=list)  # reminded by a grouped reminder today already
    not_eligible: int = 0  # submitted (or approved) meanwhile, or unknown


@transaction.atomic
def grouped_reminder_send(
    *,
    actor: Membership,
    month: datetime.date,
    audience: str,
    template_key: str,
    membership_ids: Iterable,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> GroupedResult:
    """Send the chosen message now to the chosen people who still need it. One grouped reminder
    per person and day (step "manual:<date>"): a second click, or a colleague's click at the
    same moment, sends nothing more to whoever got it already."""
    _check_grouped(actor, audience, template_key)
    now = now or timezone.now()
    tenant = _tenant()
    today = today or timezone.localtime(now, zoneinfo.ZoneInfo(tenant.time_zone)).date()
    month = month.replace(day=1)
    wanted = set()
    for pk in membership_ids:
        try:
            wanted.add(uuid.UUID(str(pk)))
        except ValueError:
            continue
    candidates = [c for c in grouped_candidates(month=month, audience=audience, today=today) if c.pk in wanted]
    result = GroupedResult(not_eligible=len(wanted) - len(candidates))
    claimed = claim(
        month=month, kind=GROUPED_KIND[audience], step=f"manual:{today.isoformat()}", template_key=template_key,
        membership_ids=[c.pk for c in candidates], sent_by=actor, now=now,
    )
    for candidate in candidates:
        if candidate.pk not in claimed:
            result.already.append(candidate.membership)
            continue
        context, url = _grouped_message(candidate, audience=audience, month=month, tenant=tenant)
        _send(candidate.membership, key=template_key, context=context, url=url, actor=actor)
        result.sent.append(candidate.membership)
    return result

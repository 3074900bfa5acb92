"""Chasing the people who owe documents: the one-click chase and the weekly digest (writes).

Each responsible person is told once, with the list of what they owe, through the notifications
core (their preferences decide in-app / email / daily digest). Never twice for the same schedule
step: every send is first claimed in the reminder ledger (`notifications.ledger.claim`) and only
the transaction whose claim wins sends; a concurrent chase waits on the ledger's unique index
until the first commits, then skips. Steps:

- chase: one per client and day (subject the client's id, step "2026-11-23"): clicking twice the
  same day, or a colleague chasing the same client from the report, sends nothing more;
- weekly digest: the ISO week ("2026-W48").
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from adv.tenancy.context import require_tenant_id
from adv.tenancy.models import Membership, Tenant
from clients.models import Client
from notifications.ledger import claim
from notifications.models import ReminderSent
from notifications.services import notify

from . import access
from .messages import CHASE_EVENT, DIGEST_EVENT
from .models import RequirementReminderKind
from .requirements import ChecklistItem, ChecklistStatus, MissingFilters, checklist, missing_documents


def can_chase(member: Membership) -> bool:
    """Who may chase colleagues for client documents: those who keep client records."""
    return access.can_edit_clients(member)


@dataclass
class ChaseResult:
    notified: list[tuple[Membership, int]] = field(default_factory=list)  # (person, number of documents)
    already_chased: list[Membership] = field(default_factory=list)  # everything they owe was chased at this step
    own_items: int = 0  # what the actor owes themselves (nobody is chased for it)
    unassigned: int = 0  # no active owner / ADV on the client

    @property
    def chased_anyone(self) -> bool:
        return bool(self.notified)


def iso_week(day: datetime.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def item_line(item: ChecklistItem) -> str:
    if item.status == ChecklistStatus.EXPIRED and item.expires_on:
        state = _("expiré le %(date)s") % {"date": date_format(item.expires_on, "SHORT_DATE_FORMAT")}
    else:
        state = _("manquant")
    return f"- {item.client.display_name} : {item.document_type.name} ({state})"


def _item_record(item: ChecklistItem) -> dict:
    return {
        "client": str(item.client.pk),
        "client_name": item.client.display_name,
        "requirement": str(item.requirement.pk),
        "document_type": item.document_type.name,
        "status": item.status,
        "expires_on": item.expires_on.isoformat() if item.expires_on else None,
    }


def _claim(*, membership: Membership, kind: str, subject: str, step: str, sent_by: Membership | None, items: list) -> bool:
    """Record this step in the reminder ledger; False when it is there already (sent, or being
    sent by a concurrent transaction, which this claim waits for)."""
    return claim(
        kind=kind, subject=subject, step=step, recipient=membership, sent_by=sent_by,
        details=[_item_record(i) for i in items],
    )


def chased_today(client: Client, today: datetime.date) -> list[Membership]:
    """Who was chased for this client's documents today (by anyone)."""
    reminders = ReminderSent.objects.select_related("recipient__user").filter(
        tenant_id=require_tenant_id(), kind=RequirementReminderKind.CHASE, subject=str(client.pk), step=today.isoformat()
    )
    return [reminder.recipient for reminder in reminders]


def _url(name: str, query: str = "", **kwargs) -> str:
    tenant = Tenant.objects.only("slug").get(pk=require_tenant_id())
    try:
        return reverse(name, kwargs={"tenant_slug": tenant.slug, **kwargs}) + query
    except NoReverseMatch:
        return ""


def _report_url(person: Membership) -> str:
    return _url("clients:missing_documents", f"?responsible={person.pk}")


def _client_url(client: Client) -> str:
    return _url("clients:detail", pk=client.pk) or _url("clients:checklist_panel", client_pk=client.pk)


def _by_person(items: Iterable[ChecklistItem], result: ChaseResult, actor: Membership | None) -> dict:
    people: dict = {}
    for item in items:
        if item.is_present:
            continue
        if item.responsible is None:
            result.unassigned += 1
        elif actor is not None and item.responsible.pk == actor.pk:
            result.own_items += 1
        else:
            people.setdefault(item.responsible.pk, (item.responsible, []))[1].append(item)
    return people


def _chase(*, actor: Membership, items: list[ChecklistItem], today: datetime.date, single_client: Client | None) -> ChaseResult:
    result = ChaseResult()
    for person, owed in _by_person(items, result, actor).values():
        by_client: dict = {}
        for item in owed:
            by_client.setdefault(item.client.pk, []).append(item)
        claimed = []
        for client_items in by_client.values():
            subject = str(client_items[0].client.pk)
            if _claim(
                membership=person, kind=RequirementReminderKind.CHASE, subject=subject, step=today.isoformat(),
                sent_by=actor, items=client_items,
            ):
                claimed.extend(client_items)
        if not claimed:
            result.already_chased.append(person)
            continue
        notify(
            recipients=[person],
            event=CHASE_EVENT,
            context={"count": str(len(claimed)), "items": "\n".join(item_line(i) for i in claimed)},
            target=single_client,
            actor=actor,
            url=_client_url(single_client) if single_client is not None else _report_url(person),
        )
        result.notified.append((person, len(claimed)))
        from notifications.signals import chase_sent

        per_client: dict = {}
        for item in claimed:
            per_client.setdefault(item.client.pk, []).append(item)
        for client_id, client_items in per_client.items():
            chase_sent.send(
                sender=Client, object_type="client", object_id=str(client_id), responsible_ids=[str(person.pk)],
                actor_id=str(actor.pk), text="\n".join(item_line(i) for i in client_items), code="documents",
            )
    result.notified.sort(key=lambda pair: str(pair[0].user))
    return result


@transaction.atomic
def client_documents_chase(*, actor: Membership, client: Client, today: datetime.date) -> ChaseResult:
    """One click on a client: each person responsible for a missing or expired document of this
    client is notified once, with the list of what they owe; at most once per client and day."""
    access.require(actor, can_chase(actor))
    client = Client.objects.select_related("owner__user", "adv_owner__user").get(pk=client.pk)
    return _chase(actor=actor, items=checklist(client, today=today), today=today, single_client=client)


def parse_row_keys(keys: Iterable[str]) -> set[tuple[str, str]]:
    """Row keys "<client id>:<requirement id>" from a form; malformed ones are dropped."""
    parsed = set()
    for key in keys:
        client_id, _sep, requirement_id = (key or "").partition(":")
        try:
            parsed.add((str(uuid.UUID(client_id)), str(uuid.UUID(requirement_id))))
        except ValueError:
            continue
    return parsed


@transaction.atomic
def missing_documents_chase(*, actor: Membership, row_keys: Iterable[str], today: datetime.date) -> ChaseResult:
    """Grouped chase of the selected report rows: one notification per responsible person, with
    every selected document they owe; a client already chased today for them is skipped."""
    access.require(actor, can_chase(actor))
    keys = parse_row_keys(row_keys)
    if not keys:
        return ChaseResult()
    rows = missing_documents(today=today, filters=MissingFilters(client_ids=tuple({c for c, _r in keys})))
    selected = [row for row in rows if (str(row.client.pk), str(row.requirement.pk)) in keys]
    return _chase(actor=actor, items=selected, today=today, single_client=None)


@transaction.atomic
def weekly_digest_send(*, today: datetime.date) -> int:
    """Send each owner / ADV of the active tenant the list of what they still owe, once per ISO
    week. Returns the number of people notified this time (0 on a second run in the same week)."""
    week = iso_week(today)
    result = ChaseResult()
    sent = 0
    for person, owed in _by_person(missing_documents(today=today), result, actor=None).values():
        if not _claim(
            membership=person, kind=RequirementReminderKind.WEEKLY_DIGEST, subject="", step=week, sent_by=None, items=owed
        ):
            continue
        notify(
            recipients=[person],
            event=DIGEST_EVENT,
            context={"week": week, "count": str(len(owed)), "items": "\n".join(item_line(i) for i in owed)},
            url=_report_url(person),
        )
        sent += 1
    return sent


def chase_summary(result: ChaseResult) -> tuple[str, str]:
    """(message level, French sentence) describing a chase to the person who clicked."""
    parts = []
    if result.notified:
        names = ", ".join(
            _("%(name)s (%(count)s document(s))") % {"name": person.user, "count": count} for person, count in result.notified
        )
        parts.append(_("Relance envoyée à %(names)s.") % {"names": names})
    if result.already_chased:
        names = ", ".join(str(person.user) for person in result.already_chased)
        parts.append(_("Déjà relancé(s) aujourd'hui pour ces documents : %(names)s.") % {"names": names})
    if result.own_items:
        parts.append(_("Vous êtes vous-même responsable de %(count)s document(s).") % {"count": result.own_items})
    if result.unassigned:
        parts.append(
            _("%(count)s document(s) sans responsable : désignez un commercial ou un ADV sur la fiche client.")
            % {"count": result.unassigned}
        )
    if not parts:
        return "info", _("Rien à relancer : aucun document manquant ou expiré dans la sélection.")
    return ("success" if result.notified else "warning"), " ".join(parts)

"""Demo data of the notifications core: a few notifications for the demo logins, and one
email that failed so that the outbox page shows what a failure looks like.

Idempotent: nothing is added to a user who already has notifications. Rows are written
directly (not through `notify`) so that loading the demo sends no email.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django.utils.formats import date_format

from .models import Notification, OutboxEmail, OutboxStatus

User = get_user_model()

# (email of the recipient, event, title, body, minutes ago, read). The texts name this month and its
# closing calendar ({month}, {submission}, {approval}, {billing}), and people and documents of the
# demo firm: Léa Simon submitted this month's timesheet early (timesheets' demo), the Helios purchase
# order is on the client record (clients' demo).
ITEMS = [
    (
        "admin@demo.adv.test", "timesheet.submitted", "CRA {of_month} soumis par Léa Simon",
        "Léa Simon a soumis son CRA {of_month} (Renfort DevOps plateforme data).", 35, False,
    ),
    (
        "admin@demo.adv.test", "document.uploaded", "Nouveau document sur le client Helios Énergies SA",
        "Thomas Petit a déposé « Bon de commande 4500012345 » sur la fiche client.", 180, False,
    ),
    (
        "admin@demo.adv.test", "billing.calendar_published", "Calendrier de clôture {of_month} publié",
        "CRA à soumettre au plus tard le {submission}, validation manager le {approval}, clôture de la facturation "
        "le {billing}.", 60 * 26, True,
    ),
    (
        "consultant@demo.adv.test", "timesheet.reminder", "Votre CRA {of_month} est attendu",
        "Merci de soumettre votre CRA {of_month} au plus tard le {submission}.", 90, False,
    ),
    (
        "manager@demo.adv.test", "timesheet.submitted", "CRA à valider : Léa Simon ({month})",
        "Léa Simon a soumis son CRA {of_month} ; il attend votre validation.", 35, False,
    ),
]


def calendar_words(today) -> dict[str, str]:
    """This month's name and closing deadlines, in French words ("décembre", "lundi 28 décembre")."""
    from timesheets import services as timesheet_services  # the demo's calendar (an app above the core)

    row = timesheet_services.closing_calendar_ensure(month=today.replace(day=1))
    with translation.override("fr"):
        month = date_format(row.month, "F")
        return {
            "month": month,
            "of_month": ("d'" if month[0] in "aeiouy" else "de ") + month,  # "de décembre", "d'avril"
            "submission": _day(row.submission_deadline),
            "approval": _day(row.approval_deadline),
            "billing": _day(row.billing_close_deadline),
        }


def _day(day) -> str:
    """"lundi 28 décembre", "vendredi 1er octobre"."""
    return date_format(day, "l ") + ("1er" if day.day == 1 else str(day.day)) + date_format(day, " F")


def seed(tenant) -> None:
    now = timezone.now()
    words = calendar_words(timezone.localdate())
    users = {user.email: user for user in User.objects.filter(email__in={item[0] for item in ITEMS})}
    already = set(Notification.objects.filter(recipient__in=users.values()).values_list("recipient_id", flat=True))
    for email, event, title, body, minutes, read in ITEMS:
        user = users.get(email)
        if user is None or user.pk in already:
            continue
        created = now - timedelta(minutes=minutes)
        Notification.objects.create(
            recipient=user, event=event, title=title.format(**words), body=body.format(**words),
            url=f"/t/{tenant.slug}/", created_at=created, read_at=created + timedelta(minutes=5) if read else None,
        )
    if not OutboxEmail.objects.filter(idempotency_key="demo:failed-reminder").exists():
        OutboxEmail.objects.create(
            to=["hugo.leroy@exemple.test"],
            subject="Votre CRA {of_month} est attendu".format(**words),
            body="Bonjour Hugo,\n\nMerci de soumettre votre CRA {of_month} au plus tard le {submission}.".format(**words),
            template_key="",
            language="fr",
            status=OutboxStatus.FAILED,
            attempts=5,
            last_error="SMTPRecipientsRefused: {'hugo.leroy@exemple.test': (550, b'5.1.1 Mailbox unavailable')}",
            next_attempt_at=None,
            idempotency_key="demo:failed-reminder",
        )

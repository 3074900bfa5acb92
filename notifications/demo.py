"""Demo data of the notifications core: a few notifications for the demo logins, and one
email that failed so that the outbox page shows what a failure looks like.

Idempotent: nothing is added to a user who already has notifications. Rows are written
directly (not through `notify`) so that loading the demo sends no email.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from .models import Notification, OutboxEmail, OutboxStatus

User = get_user_model()

# (email of the recipient, event, title, body, minutes ago, read)
ITEMS = [
    (
        "admin@demo.adv.test", "timesheet.submitted", "CRA de février soumis par Camille Durand",
        "Camille Durand a soumis son CRA de février : 19 jours sur l'affaire Refonte SI.", 35, False,
    ),
    (
        "admin@demo.adv.test", "document.uploaded", "Nouveau document sur le client Acme Industrie",
        "Thomas Petit a déposé « Bon de commande 2026-014.pdf » sur la fiche client.", 180, False,
    ),
    (
        "admin@demo.adv.test", "billing.calendar_published", "Calendrier de clôture de février publié",
        "CRA à soumettre avant le 2 mars, validation manager le 3, facturation le 5.", 60 * 26, True,
    ),
    (
        "consultant@demo.adv.test", "timesheet.reminder", "Votre CRA de février est attendu",
        "Merci de soumettre votre CRA de février avant le 2 mars.", 90, False,
    ),
    (
        "manager@demo.adv.test", "timesheet.submitted", "CRA à valider : Camille Durand (février)",
        "Camille Durand a soumis son CRA de février ; il attend votre validation.", 35, False,
    ),
]


def seed(tenant) -> None:
    now = timezone.now()
    users = {user.email: user for user in User.objects.filter(email__in={item[0] for item in ITEMS})}
    already = set(Notification.objects.filter(recipient__in=users.values()).values_list("recipient_id", flat=True))
    for email, event, title, body, minutes, read in ITEMS:
        user = users.get(email)
        if user is None or user.pk in already:
            continue
        created = now - timedelta(minutes=minutes)
        Notification.objects.create(
            recipient=user, event=event, title=title, body=body,
            url=f"/t/{tenant.slug}/", created_at=created, read_at=created + timedelta(minutes=5) if read else None,
        )
    if not OutboxEmail.objects.filter(idempotency_key="demo:failed-reminder").exists():
        OutboxEmail.objects.create(
            to=["hugo.leroy@exemple.test"],
            subject="Votre CRA de février est attendu",
            body="Bonjour Hugo,\n\nMerci de soumettre votre CRA de février avant le 2 mars.",
            template_key="",
            language="fr",
            status=OutboxStatus.FAILED,
            attempts=5,
            last_error="SMTPRecipientsRefused: {'hugo.leroy@exemple.test': (550, b'5.1.1 Mailbox unavailable')}",
            next_attempt_at=None,
            idempotency_key="demo:failed-reminder",
        )

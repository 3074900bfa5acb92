"""Default messages (French and English) of the timesheets app, registered when the app is ready
(TimesheetsConfig.ready): what the timesheet pages send (client approval, rejection, reopening,
the client's decision) and the month-end close's reminders (`reminders`): the calendar's
announcement and its changes, reminders to consultants and approvers, escalations. Each firm may
reword them on the templates page."""

from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from notifications import defaults

defaults.register(
    "timesheet.client_approval_request",
    subject_fr="CRA de {{ consultant_name }} – {{ month }} – à valider",
    body_fr=(
        "Bonjour {{ contact_name }},\n\n"
        "{{ sender_name }} ({{ tenant_name }}) vous demande de valider le compte-rendu d'activité de "
        "{{ consultant_name }} pour {{ month }} sur l'affaire {{ deal_reference }} « {{ deal_title }} » : "
        "{{ total }}.\n\n"
        "Consultez le détail des jours et validez-le, ou refusez-le avec un commentaire, à cette adresse "
        "(aucun compte n'est nécessaire) :\n{{ url }}\n\n"
        "Ce lien est personnel, ne sert qu'une fois et expire le {{ expires_on }}.\n\n"
        "Merci,\n{{ tenant_name }}"
    ),
    subject_en="Timesheet of {{ consultant_name }} – {{ month }} – for your approval",
    body_en=(
        "Hello {{ contact_name }},\n\n"
        "{{ sender_name }} ({{ tenant_name }}) asks you to approve the timesheet of {{ consultant_name }} for "
        "{{ month }} on {{ deal_reference }} \"{{ deal_title }}\": {{ total }}.\n\n"
        "See the days and approve it, or refuse it with a comment, at this address (no account needed):\n{{ url }}\n\n"
        "This link is personal, works once and expires on {{ expires_on }}.\n\n"
        "Thank you,\n{{ tenant_name }}"
    ),
    placeholders=[
        "contact_name", "sender_name", "tenant_name", "consultant_name", "month", "deal_reference", "deal_title",
        "client_name", "total", "url", "expires_on",
    ],
    label=_("CRA : demande de validation au client"),
    is_event=False,
    sample={
        "contact_name": "Marc Olivier", "sender_name": "Sophie Bernard", "tenant_name": "Démo Conseil",
        "consultant_name": "Camille Durand", "month": "mai 2026", "deal_reference": "AFF-2026-0007",
        "deal_title": "Refonte du portail client", "client_name": "Helios Énergies", "total": "19 jour(s)",
        "url": "https://adv.example/approve/…/", "expires_on": "12 juin 2026",
    },
)
defaults.register(
    "timesheet.rejected",
    subject_fr="Votre CRA de {{ month }} est à corriger",
    body_fr="Bonjour {{ recipient_name }},\n\n{{ actor_name }} a refusé votre CRA de {{ month }} :\n« {{ reason }} »\n\n"
    "Corrigez-le puis soumettez-le à nouveau :\n{{ url }}",
    subject_en="Your timesheet for {{ month }} needs a correction",
    body_en="Hello {{ recipient_name }},\n\n{{ actor_name }} rejected your timesheet for {{ month }}:\n\"{{ reason }}\"\n\n"
    "Correct it and submit it again:\n{{ url }}",
    placeholders=["recipient_name", "actor_name", "month", "reason", "url"],
    label=_("CRA refusé par le manager"),
)
defaults.register(
    "timesheet.reopened",
    subject_fr="Votre CRA de {{ month }} a été rouvert",
    body_fr="Bonjour {{ recipient_name }},\n\n{{ actor_name }} (ADV) a rouvert votre CRA de {{ month }} :\n« {{ reason }} »\n\n"
    "Corrigez-le puis soumettez-le à nouveau :\n{{ url }}",
    subject_en="Your timesheet for {{ month }} was reopened",
    body_en="Hello {{ recipient_name }},\n\n{{ actor_name }} (sales administration) reopened your timesheet for {{ month }}:\n"
    "\"{{ reason }}\"\n\nCorrect it and submit it again:\n{{ url }}",
    placeholders=["recipient_name", "actor_name", "month", "reason", "url"],
    label=_("CRA rouvert par l'ADV"),
)
defaults.register(
    "timesheet.client_decided",
    subject_fr="CRA {{ month }} de {{ consultant_name }} ({{ deal_reference }}) : {{ decision }}",
    body_fr="Bonjour {{ recipient_name }},\n\nLe client a répondu pour le CRA de {{ consultant_name }} de {{ month }} "
    "sur l'affaire {{ deal_reference }} : {{ decision }}.\nCommentaire : {{ comment }}\n\n{{ url }}",
    subject_en="Timesheet {{ month }} of {{ consultant_name }} ({{ deal_reference }}): {{ decision }}",
    body_en="Hello {{ recipient_name }},\n\nThe client answered for the timesheet of {{ consultant_name }} for {{ month }} "
    "on {{ deal_reference }}: {{ decision }}.\nComment: {{ comment }}\n\n{{ url }}",
    placeholders=["recipient_name", "consultant_name", "month", "deal_reference", "decision", "comment", "url"],
    label=_("CRA : réponse du client"),
)

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

"""The registry of default message templates, French and English.

Every email and every notification event has a key and a default template here. Each feature
registers its own, at import time of its `apps.py` `ready()` (or of a module imported there):

    from notifications import defaults

    defaults.register(
        "deal.validated_provisionally",
        subject_fr="Affaire {{ deal_name }} validée provisoirement",
        body_fr="Bonjour {{ recipient_name }},\\n\\n{{ actor_name }} a validé …\\n\\n{{ url }}",
        subject_en="Deal {{ deal_name }} provisionally validated",
        body_en="Hello {{ recipient_name }}, …",
        placeholders=["deal_name", "recipient_name", "actor_name", "url"],
        label=_("Affaire validée provisoirement"),
    )

A tenant admin may override a template per language (`MessageTemplate`); the override may only
use the placeholders declared here. `notify()` supplies `recipient_name`, `actor_name`, `url`
and `tenant_name` itself when the template declares them; `email_enqueue()` supplies
`tenant_name`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .errors import UnknownTemplate
from .rendering import template_errors

LANGUAGES = ("fr", "en")
FALLBACK_LANGUAGE = "fr"


@dataclass(frozen=True)
class DefaultTemplate:
    key: str
    subjects: dict[str, str]
    bodies: dict[str, str]
    placeholders: tuple[str, ...]
    label: str | Promise = ""
    # True for events sent through notify() (the user's preferences apply, they appear on the
    # preferences page); False for direct emails such as invitations.
    is_event: bool = True
    # Default channels for an event when the user has set no preference.
    in_app: bool = True
    email: bool = True
    daily_digest: bool = False
    sample: dict[str, str] = field(default_factory=dict)

    def subject(self, language: str) -> str:
        return self.subjects.get(language) or self.subjects[FALLBACK_LANGUAGE]

    def body(self, language: str) -> str:
        return self.bodies.get(language) or self.bodies[FALLBACK_LANGUAGE]

    def sample_values(self) -> dict[str, str]:
        """Values shown in the preview of the templates page."""
        return {name: self.sample.get(name, f"[{name}]") for name in self.placeholders}


_registry: dict[str, DefaultTemplate] = {}


def register(
    key: str,
    subject_fr: str,
    body_fr: str,
    subject_en: str = "",
    body_en: str = "",
    *,
    placeholders: Iterable[str],
    label: str | Promise = "",
    is_event: bool = True,
    in_app: bool = True,
    email: bool = True,
    daily_digest: bool = False,
    sample: dict[str, str] | None = None,
) -> DefaultTemplate:
    """Register (or re-register identically) the default template of a message key."""
    template = DefaultTemplate(
        key=key,
        subjects={"fr": subject_fr, **({"en": subject_en} if subject_en else {})},
        bodies={"fr": body_fr, **({"en": body_en} if body_en else {})},
        placeholders=tuple(placeholders),
        label=label or key,
        is_event=is_event,
        in_app=in_app,
        email=email,
        daily_digest=daily_digest,
        sample=dict(sample or {}),
    )
    for text in [*template.subjects.values(), *template.bodies.values()]:
        errors = template_errors(text, template.placeholders)
        if errors:
            raise ValueError(f"Default template {key!r} is invalid: {'; '.join(map(str, errors))}")
    existing = _registry.get(key)
    if existing is not None and existing != template:
        raise ValueError(f"Message template {key!r} is already registered with another definition.")
    _registry[key] = template
    return template


def unregister(key: str) -> None:
    """Remove a key (tests that register throw-away events)."""
    _registry.pop(key, None)


def get(key: str) -> DefaultTemplate:
    try:
        return _registry[key]
    except KeyError:
        raise UnknownTemplate(f"No message template is registered under {key!r}.") from None


def all_templates() -> list[DefaultTemplate]:
    return sorted(_registry.values(), key=lambda t: str(t.label).lower())


def events() -> list[DefaultTemplate]:
    return [t for t in all_templates() if t.is_event]


# --- This app's own messages ---------------------------------------------------------------------

register(
    "invitation",
    subject_fr="Invitation à rejoindre {{ tenant_name }}",
    body_fr=(
        "Bonjour,\n\n"
        "{{ inviter_name }} vous invite à rejoindre {{ tenant_name }} sur adv, avec le rôle {{ role }}.\n\n"
        "Pour accepter l'invitation, ouvrez ce lien :\n{{ link }}\n\n"
        "Ce lien ne sert qu'une fois et reste valable jusqu'au {{ expires_on }}.\n"
        "Si vous ne vous attendiez pas à cette invitation, ignorez ce message."
    ),
    subject_en="Invitation to join {{ tenant_name }}",
    body_en=(
        "Hello,\n\n"
        "{{ inviter_name }} invites you to join {{ tenant_name }} on adv, with the role {{ role }}.\n\n"
        "To accept the invitation, open this link:\n{{ link }}\n\n"
        "The link works once and is valid until {{ expires_on }}.\n"
        "If you did not expect this invitation, ignore this message."
    ),
    placeholders=["tenant_name", "inviter_name", "role", "link", "expires_on"],
    label=_("Invitation à rejoindre la société"),
    is_event=False,
    sample={
        "tenant_name": "Alpha Conseil",
        "inviter_name": "Alice Martin",
        "role": "Consultant",
        "link": "https://adv.example/invitation/…",
        "expires_on": "31/01/2026",
    },
)

register(
    "daily_digest",
    subject_fr="{{ tenant_name }} : votre résumé du {{ date }} ({{ count }})",
    body_fr=(
        "Bonjour {{ recipient_name }},\n\n"
        "Voici les notifications de la journée chez {{ tenant_name }} :\n\n"
        "{{ items }}\n\n"
        "Toutes vos notifications : {{ url }}"
    ),
    subject_en="{{ tenant_name }}: your digest for {{ date }} ({{ count }})",
    body_en=(
        "Hello {{ recipient_name }},\n\n"
        "Here are the day's notifications at {{ tenant_name }}:\n\n"
        "{{ items }}\n\n"
        "All your notifications: {{ url }}"
    ),
    placeholders=["recipient_name", "tenant_name", "date", "count", "items", "url"],
    label=_("Résumé quotidien des notifications"),
    is_event=False,
    sample={
        "recipient_name": "Bob Durand",
        "tenant_name": "Alpha Conseil",
        "date": "15/01/2026",
        "count": "2",
        "items": "- CRA de janvier à valider\n- Nouveau document sur le client Acme",
        "url": "https://adv.example/t/alpha/notifications/",
    },
)

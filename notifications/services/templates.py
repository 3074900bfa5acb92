"""Message templates: the firm's wording of each email and notification, resolved and rendered."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from adv.tenancy.models import Membership

from .. import defaults
from ..errors import InvalidTemplate, NotFound
from ..models import (
    MessageTemplate,
)
from ..rendering import Rendered, TemplateSyntaxError, render_message, template_errors
from .common import require_admin

logger = logging.getLogger(__name__)

logger = logging.getLogger(__name__)


class Overrides:
    """The tenant's overrides of one message key, loaded once per language."""

    def __init__(self, key: str):
        self.key = key
        self._by_language: dict[str, MessageTemplate | None] = {}

    def get(self, language: str) -> MessageTemplate | None:
        if language not in self._by_language:
            self._by_language[language] = MessageTemplate.objects.filter(key=self.key, language=language).first()
        return self._by_language[language]


def message_render(
    *, key: str, language: str, context: Mapping[str, object], overrides: Overrides | None = None
) -> Rendered:
    """Render message `key` in `language` with the tenant's override, else the default.

    Only the placeholders the message declares are given to the template; a declared one the
    caller did not supply renders empty (and is logged). An override that no longer validates
    (its message's placeholders changed since) falls back to the default.
    """
    template = defaults.get(key)
    missing = [name for name in template.placeholders if name not in context]
    if missing:
        logger.warning("Message %s rendered without %s", key, ", ".join(missing))
    values = {name: "" if context.get(name) is None else str(context.get(name)) for name in template.placeholders}
    override = (overrides or Overrides(key)).get(language)
    if override is not None:
        try:
            return render_message(override.subject, override.body, values, language=language)
        except TemplateSyntaxError:
            logger.error("Tenant template %s/%s is invalid; the default is used", key, language)
    return render_message(template.subject(language), template.body(language), values, language=language)


def _template_field_errors(key: str, subject: str, body: str) -> dict[str, list[str]]:
    allowed = defaults.get(key).placeholders
    errors = {}
    if not subject.strip():
        errors["subject"] = [_("L'objet est obligatoire.")]
    elif "\n" in subject or "\r" in subject:
        errors["subject"] = [_("L'objet tient sur une seule ligne.")]
    else:
        errors["subject"] = template_errors(subject, allowed)
    errors["body"] = [_("Le texte est obligatoire.")] if not body.strip() else template_errors(body, allowed)
    return {name: messages for name, messages in errors.items() if messages}


def message_template_preview(*, key: str, language: str, subject: str, body: str) -> Rendered:
    """Render a draft with the message's sample values; raises InvalidTemplate."""
    errors = _template_field_errors(key, subject, body)
    if errors:
        raise InvalidTemplate(errors)
    return render_message(subject, body, defaults.get(key).sample_values(), language=language)


@transaction.atomic
def message_template_save(*, actor: Membership, key: str, language: str, subject: str, body: str) -> MessageTemplate:
    """Create or replace the tenant's wording of a message in one language."""
    require_admin(actor)
    defaults.get(key)
    if language not in defaults.LANGUAGES:
        raise NotFound(_("Langue inconnue."))
    subject = subject.strip()
    body = body.replace("\r\n", "\n").strip()
    errors = _template_field_errors(key, subject, body)
    if errors:
        raise InvalidTemplate(errors)
    template, _created = MessageTemplate.objects.update_or_create(
        key=key, language=language, defaults={"subject": subject, "body": body, "updated_by": actor.user}
    )
    return template


@transaction.atomic
def message_template_reset(*, actor: Membership, key: str, language: str) -> None:
    """Go back to the default wording."""
    require_admin(actor)
    defaults.get(key)
    MessageTemplate.objects.filter(key=key, language=language).delete()

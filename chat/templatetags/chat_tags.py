"""The chat's template tags: the words chat.js writes, in the reader's language (gettext, English
in chat/locale), given to the script as JSON (`{% chat_strings as strings %}` then
`{{ strings|json_script:"chat-strings" }}`: data, not script, so the CSP holds)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def chat_strings() -> dict:
    """What chat.js shows; `%(name)s`-style placeholders are filled in by the script."""
    return {
        "error": _("Erreur"),
        "typing": _("%(name)s écrit…"),
        "read_up_to": _("Lu jusqu'au n° %(seq)s"),
        "revoked": _("Cette conversation ne vous est plus accessible."),
        "system": _("Système"),
        "edited": _("(modifié)"),
        "chase": _("Relance"),
        "chase_resolved": _("Relance résolue"),
        "deleted": _("Message supprimé"),
        "edit": _("Modifier"),
        "delete": _("Supprimer"),
        "delete_confirm": _("Supprimer ce message ?"),
        "edit_prompt": _("Modifier le message"),
        "dnd_suffix": _("(ne pas déranger)"),
        "online": _("en ligne"),
        "away": _("absent"),
        "offline": _("hors ligne"),
        "dnd": _("ne pas déranger"),
        "until": _("jusqu'au %(date)s"),
    }

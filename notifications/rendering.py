"""A strict renderer for message templates: `{{ name }}` placeholders and nothing else.

Tenant admins write message templates; the Django template engine would let them reach
attributes, filters and tags (`{{ user.password }}`, `{% load %}`, `{{ x|safe }}`). This
renderer only replaces a bare identifier between double braces by the *string* value given for
it: no attribute or item lookup, no call, no filter, no tag. A template is validated against the
list of placeholders its message declares; at render time a name outside that list raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.html import escape, linebreaks, urlize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from adv.ui.french import typography

# Anything between double braces is a placeholder token; only a bare name is valid.
TOKEN = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Django/Jinja tag and comment syntax is refused so that nobody believes it works.
TAG = re.compile(r"\{%|%\}|\{#|#\}")


class TemplateSyntaxError(ValueError):
    """A template uses something other than the placeholders it may use."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: SafeString


def placeholders_in(text: str) -> list[str]:
    """The placeholder tokens of a template, stripped, in order of first appearance."""
    seen: dict[str, None] = {}
    for match in TOKEN.finditer(text or ""):
        seen.setdefault(match.group(1).strip(), None)
    return list(seen)


def template_errors(text: str, allowed: Iterable[str]) -> list[str]:
    """Human-readable problems of a template (empty when it is valid)."""
    allowed = set(allowed)
    errors: list[str] = []
    if TAG.search(text or ""):
        errors.append(_("Les balises {% … %} et {# … #} ne sont pas prises en charge : utilisez seulement {{ nom }}."))
    unknown = []
    for token in placeholders_in(text):
        if not NAME.match(token):
            errors.append(_("« {{ %(token)s }} » n'est pas un nom de variable valide.") % {"token": token})
        elif token not in allowed:
            unknown.append(token)
    if unknown:
        allowed_text = ", ".join(f"{{{{ {name} }}}}" for name in sorted(allowed)) or _("aucune")
        errors.append(
            _("Variables inconnues : %(unknown)s. Variables disponibles : %(allowed)s.")
            % {"unknown": ", ".join(f"{{{{ {name} }}}}" for name in unknown), "allowed": allowed_text}
        )
    # A lone "{{" or "}}" left after removing valid tokens is a typo the user should see.
    if "{{" in TOKEN.sub("", text or "") or "}}" in TOKEN.sub("", text or ""):
        errors.append(_("Accolades non appariées : une variable s'écrit {{ nom }}."))
    return errors


def validate_template(text: str, allowed: Iterable[str]) -> None:
    errors = template_errors(text, allowed)
    if errors:
        raise TemplateSyntaxError(errors)


def substitute(text: str, values: Mapping[str, str], *, escape_values: bool = False) -> str:
    """Replace each `{{ name }}` by `values[name]` (a string). Anything else raises."""

    def replace(match: re.Match) -> str:
        name = match.group(1).strip()
        if not NAME.match(name) or name not in values:
            raise TemplateSyntaxError([_("Variable inconnue : %(name)s.") % {"name": name}])
        value = str(values[name])
        return str(escape(value)) if escape_values else value

    return TOKEN.sub(replace, text or "")


def render_message(subject: str, body: str, values: Mapping[str, str], *, language: str = "") -> Rendered:
    """Render a subject and a plain-text body; the HTML version escapes everything.

    The body is plain text written by a person: in HTML it is escaped as a whole (template
    text and values alike), its URLs become links and its line breaks paragraphs. In French, the
    joins of template and values are put right ("de octobre" → "d'octobre", "1 février" → "1er
    février", "S.A.." → "S.A."), whoever wrote the template.
    """
    values = {name: str(value) for name, value in values.items()}
    # one line; no-break spaces (in "25 960,00 €") are kept
    rendered_subject = re.sub(r"[ \t\r\n\f\v]+", " ", substitute(subject, values)).strip()
    text = substitute(body, values)
    if language.startswith("fr"):
        rendered_subject, text = typography(rendered_subject), typography(text)
    html = mark_safe(linebreaks(urlize(text, nofollow=True, autoescape=True), autoescape=False))  # noqa: S308 - escaped by urlize
    return Rendered(subject=rendered_subject, text=text, html=html)

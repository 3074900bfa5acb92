"""Autocomplete pickers: a text box that suggests people or clients as the user types, instead
of a <select> that ships every member and every client of the firm with each page (2,103
members made the client list filter weigh 356 KB).

- `AutocompleteSelect` is the form widget: a hidden input holds the chosen id, a text input
  shows its label (rendered on the server, so it survives form errors, the Back button and
  pages without scripts), and `static/js/autocomplete.js` fetches the suggestions.
- `PickerField` / `MemberPickerField` are model choice fields using it: they validate the id
  against their queryset (one row read) and never list the queryset.
- `members_picker` answers the suggestions for people (at most PICKER_LIMIT, filtered by role
  group: never consultants); the client picker lives with the clients (clients/pickers.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Lower
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from adv.tenancy.context import require_tenant_id
from adv.tenancy.models import Membership, Role
from adv.tenancy.roles import (
    ADV_OWNER_ROLES,
    DEAL_OWNER_ROLES,
    OFFICE_ROLES,
    PROJECT_MANAGER_ROLES,
    SALES_OWNER_ROLES,
    TIMESHEET_QUEUE_ROLES,
)
from adv.ui.folding import fold, folded
from adv.ui.permissions import require_role

PICKER_LIMIT = 20
MIN_QUERY_LENGTH = 2  # shorter: the first PICKER_LIMIT in alphabetical order
ME = "me"

# The people a picker may offer, by the job being filled. Consultants hold none of them but their own:
# being staffed on a deal.
MEMBER_ROLE_GROUPS: dict[str, tuple[str, ...]] = {
    "sales": SALES_OWNER_ROLES,
    "adv": ADV_OWNER_ROLES,
    "owner": DEAL_OWNER_ROLES,
    "project_manager": PROJECT_MANAGER_ROLES,
    # a member's manager (`reports_to`) approves their timesheets: those who work the timesheet queue
    "manager": tuple(sorted(TIMESHEET_QUEUE_ROLES)),
    "consultant": (Role.CONSULTANT,),
}
# Who may ask: the office, which sees clients and deals (a consultant gets 403).
PICKER_ROLES = tuple(sorted(OFFICE_ROLES))

@dataclass(frozen=True)
class Option:
    value: str
    label: str
    detail: str = ""


def person_label(first_name: str, last_name: str, email: str) -> str:
    return f"{first_name} {last_name}".strip() or email


def member_label(membership: Membership) -> str:
    return f"{person_label(membership.user.first_name, membership.user.last_name, membership.user.email)} · {membership.get_role_display()}"


def member_options(*, roles, q: str = "", limit: int = PICKER_LIMIT) -> list[Option]:
    """Active members with one of `roles` whose name or email contains every word of `q`,
    in alphabetical order (one query, only the columns shown)."""
    queryset = Membership.objects.filter(tenant_id=require_tenant_id(), is_active=True, role__in=list(roles))
    if len(q.strip()) >= MIN_QUERY_LENGTH:
        queryset = queryset.annotate(
            first_key=folded("user__first_name"), last_key=folded("user__last_name"), email_key=Lower("user__email")
        )
        for word in q.split():
            word = fold(word)
            queryset = queryset.filter(Q(first_key__contains=word) | Q(last_key__contains=word) | Q(email_key__contains=word))
    rows = queryset.order_by("user__last_name", "user__first_name", "user__email", "id").values(
        "id", "role", "is_contractor", "user__first_name", "user__last_name", "user__email"
    )[:limit]
    labels = dict(Role.choices)
    return [
        Option(
            value=str(row["id"]),
            label=person_label(row["user__first_name"], row["user__last_name"], row["user__email"]),
            detail=_detail(row, labels),
        )
        for row in rows
    ]


def _detail(row: dict, labels: dict) -> str:
    if row["role"] == Role.CONSULTANT:  # staffing: what matters is whether they are employed or external
        return str(_("externe") if row["is_contractor"] else _("salarié"))
    return str(labels.get(row["role"], row["role"]))


def render_options(request, options: list[Option]) -> HttpResponse:
    """The suggestions as <li role="option"> items (escaped by the template), never cached."""
    response = render(request, "ui/widgets/_autocomplete_options.html", {"options": options})
    response["Cache-Control"] = "private, no-store"
    return response


@require_role(*PICKER_ROLES)
@require_GET
def members_picker(request, tenant_slug):
    """`?role=sales|adv|owner|project_manager|manager|consultant&q=…[&me=1]`: the people who may hold that job."""
    group = request.GET.get("role", "")
    if group not in MEMBER_ROLE_GROUPS:
        return HttpResponseBadRequest(_("Rôle inconnu : choisissez parmi %(groups)s.") % {"groups": ", ".join(MEMBER_ROLE_GROUPS)})
    q = request.GET.get("q", "")[:100]
    options = member_options(roles=MEMBER_ROLE_GROUPS[group], q=q)
    if request.GET.get("me") == "1" and (len(q.strip()) < MIN_QUERY_LENGTH or fold(q.strip()) in fold(_("Moi"))):
        options = [Option(value=ME, label=_("Moi")), *options][:PICKER_LIMIT]
    return render_options(request, options)


# --- The widget and its fields --------------------------------------------------------------------


class AutocompleteSelect(forms.Widget):
    """A text input suggesting `source` (`members` or `clients`, under /t/<firm>/pickers/) and
    a hidden input holding the chosen id. `params` narrow the suggestions (e.g. role=sales);
    `autosubmit` submits the form when a value is picked or cleared (list filters)."""

    template_name = "ui/widgets/autocomplete.html"

    def __init__(self, source: str, *, params: dict | None = None, placeholder=None, autosubmit: bool = False, attrs=None):
        super().__init__(attrs=attrs)
        self.source = source
        self.params = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        self.placeholder = placeholder
        self.autosubmit = autosubmit
        self.choices = ()

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.params = dict(self.params)
        return copy

    def format_value(self, value) -> str:
        value = getattr(value, "pk", value)
        return "" if value in (None, "") else str(value)

    def label_for(self, value: str) -> str:
        """The label of the current value: one row read through the field's queryset."""
        if not value:
            return ""
        if value == ME:
            return str(_("Moi"))
        queryset = getattr(self.choices, "queryset", None)
        field = getattr(self.choices, "field", None)
        if queryset is None:
            return ""
        try:
            uuid.UUID(value)
            found = queryset.filter(pk=value).first()
        except (ValueError, ValidationError):
            return ""
        return field.label_from_instance(found) if found is not None else ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["label"] = self.label_for(widget["value"])
        widget["source"] = self.source
        widget["params"] = urlencode(self.params)
        widget["autosubmit"] = self.autosubmit
        widget["placeholder"] = self.placeholder or gettext_lazy("Rechercher…")
        widget["listbox_id"] = f"{widget['attrs'].get('id') or name}_listbox"
        return context

    def render(self, name, value, attrs=None, renderer=None):
        # The project's template engine: the form renderer only sees Django's own widget templates.
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))  # noqa: S308 - an autoescaped template

    def value_from_datadict(self, data, files, name):
        return data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data


class PickerField(forms.ModelChoiceField):
    """A model choice rendered as an autocomplete: `queryset` says which ids are accepted."""

    def __init__(self, queryset, *, source: str, params: dict | None = None, placeholder=None, autosubmit=False, **kwargs):
        kwargs.setdefault("widget", AutocompleteSelect(source, params=params, placeholder=placeholder, autosubmit=autosubmit))
        super().__init__(queryset, **kwargs)

    def label_from_instance(self, obj) -> str:
        return str(obj)


class MemberPickerField(PickerField):
    """A member picker for the job `role` (a MEMBER_ROLE_GROUPS key). With `allow_me`, "me"
    (the member filtering) is a value of its own, kept as such in cleaned_data."""

    def __init__(self, queryset=None, *, role: str, allow_me: bool = False, **kwargs):
        if role not in MEMBER_ROLE_GROUPS:
            raise ValueError(f"Unknown role group {role!r}")
        self.allow_me = allow_me
        kwargs.setdefault("placeholder", gettext_lazy("Rechercher une personne…"))
        params = {"role": role, "me": "1" if allow_me else None}
        super().__init__(queryset if queryset is not None else Membership.objects.none(), source="members", params=params, **kwargs)

    def label_from_instance(self, obj: Membership) -> str:
        return member_label(obj)

    def to_python(self, value):
        if self.allow_me and value == ME:
            return ME
        return super().to_python(value)


class ClientPickerField(PickerField):
    """A client picker; `active_only` leaves archived clients out of the suggestions."""

    def __init__(self, queryset, *, active_only: bool = False, **kwargs):
        kwargs.setdefault("placeholder", gettext_lazy("Rechercher un client…"))
        params = {"scope": "active" if active_only else None}
        super().__init__(queryset, source="clients", params=params, **kwargs)

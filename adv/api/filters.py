"""Filter backends and filter sets of the API.

- `OrderingFilter`: `?ordering=name,-created_at`. A view lists its public sort keys in
  `ordering_fields`, either as names of model fields or as a mapping
  `{"email": "user__email"}` so that the API does not expose ORM paths. Every ordering ends
  with the primary key, so that pages never overlap or skip a row when values tie.
- Filter sets (django-filter) of the core resources.
"""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from rest_framework import filters

from adv.tenancy.models import Invitation, Membership, Role

from .models import ApiToken


class OrderingFilter(filters.OrderingFilter):
    ordering_description = "Sort keys, comma-separated, `-` for descending. One of:"

    @staticmethod
    def _mapping(view) -> dict[str, str]:
        fields = getattr(view, "ordering_fields", None) or ()
        if isinstance(fields, dict):
            return dict(fields)
        return {name: name for name in fields}

    def get_valid_fields(self, queryset, view, context=None):
        return [(name, name) for name in self._mapping(view)]

    def get_ordering(self, request, queryset, view):
        mapping = self._mapping(view)
        params = request.query_params.get(self.ordering_param)
        terms = []
        if params:
            for term in (part.strip() for part in params.split(",")):
                descending = term.startswith("-")
                name = term.lstrip("-")
                if name in mapping:
                    terms.append(("-" if descending else "") + mapping[name])
        if not terms:
            terms = list(self.get_default_ordering(view) or queryset.query.order_by or queryset.model._meta.ordering)
        if not any(term.lstrip("-") in ("pk", "id") for term in terms):
            terms.append("pk")
        return terms

    def get_schema_operation_parameters(self, view):
        names = list(self._mapping(view))
        if not names:
            return []
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": f"{force_str(self.ordering_description)} {', '.join(names)}.",
                "schema": {"type": "string"},
            }
        ]


class MembershipFilter(django_filters.FilterSet):
    role = django_filters.MultipleChoiceFilter(choices=Role.choices, help_text="One or more roles (repeat the parameter).")
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Membership
        fields = ["role", "is_active"]


class UserFilter(django_filters.FilterSet):
    class Meta:
        model = get_user_model()
        fields = ["is_active"]


INVITATION_STATUS_CHOICES = [
    ("pending", _("En attente")),
    ("accepted", _("Acceptée")),
    ("revoked", _("Annulée")),
    ("expired", _("Expirée")),
]


class InvitationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=INVITATION_STATUS_CHOICES, method="filter_status")
    role = django_filters.MultipleChoiceFilter(choices=Role.choices)

    class Meta:
        model = Invitation
        fields = ["status", "role"]

    def filter_status(self, queryset, name, value):
        now = timezone.now()
        open_ = Q(accepted_at__isnull=True, revoked_at__isnull=True)
        return queryset.filter(
            {
                "pending": open_ & Q(expires_at__gt=now),
                "accepted": Q(accepted_at__isnull=False),
                "revoked": Q(accepted_at__isnull=True, revoked_at__isnull=False),
                "expired": open_ & Q(expires_at__lte=now),
            }[value]
        )


TOKEN_STATUS_CHOICES = [
    ("active", _("Actif")),
    ("expired", _("Expiré")),
    ("revoked", _("Révoqué")),
]


class ApiTokenFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=TOKEN_STATUS_CHOICES, method="filter_status")
    membership = django_filters.UUIDFilter(field_name="membership_id", help_text="Tokens of one membership (admins).")

    class Meta:
        model = ApiToken
        fields = ["status", "membership"]

    def filter_status(self, queryset, name, value):
        now = timezone.now()
        live = Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        return queryset.filter(
            {
                "active": Q(revoked_at__isnull=True) & live,
                "expired": Q(revoked_at__isnull=True) & ~live,
                "revoked": Q(revoked_at__isnull=False),
            }[value]
        )

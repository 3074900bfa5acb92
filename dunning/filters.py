"""Filter sets of the dunning API: `?invoice=<uuid>&client=<uuid>&tone=formal_notice&is_automatic=true`."""

import django_filters

from .models import Reminder, Tone


class ReminderFilter(django_filters.FilterSet):
    invoice = django_filters.UUIDFilter(field_name="invoice_id")
    client = django_filters.UUIDFilter(field_name="invoice__client_id")
    tone = django_filters.MultipleChoiceFilter(choices=Tone.choices)
    is_automatic = django_filters.BooleanFilter()

    class Meta:
        model = Reminder
        fields = ["invoice", "client", "tone", "is_automatic"]

"""Filter set of the webhooks API: `?endpoint=<uuid>&status=failed`."""

import django_filters

from .models import Delivery, DeliveryStatus


class DeliveryFilter(django_filters.FilterSet):
    endpoint = django_filters.UUIDFilter(field_name="endpoint_id")
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    event_type = django_filters.CharFilter(field_name="event__type")

    class Meta:
        model = Delivery
        fields = ["endpoint", "status", "event_type"]

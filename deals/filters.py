"""Filter sets of the deals API (django-filter): `?status=provisional&deal_type=t_and_m&client=<uuid>`."""

from __future__ import annotations

import django_filters

from .models import Assignment, Deal, DealStatus, DealType, Milestone, MilestoneStatus, PurchaseOrder, Subscription


class DealFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=DealStatus.choices, help_text="One or more statuses (repeat the parameter).")
    deal_type = django_filters.MultipleChoiceFilter(choices=DealType.choices, help_text="One or more types (repeat the parameter).")
    client = django_filters.UUIDFilter(field_name="client_id", help_text="Deals of this client.")
    sales_owner = django_filters.UUIDFilter(field_name="sales_owner_id", help_text="Membership id of the sales owner.")
    project_manager = django_filters.UUIDFilter(field_name="project_manager_id")
    provisional = django_filters.BooleanFilter(method="filter_provisional", help_text="true: provisional deals only; false: the others.")

    class Meta:
        model = Deal
        fields = ["status", "deal_type", "client", "sales_owner", "project_manager", "provisional"]

    def filter_provisional(self, queryset, name, value):
        if value:
            return queryset.filter(status=DealStatus.PROVISIONAL)
        return queryset.exclude(status=DealStatus.PROVISIONAL)


class AssignmentFilter(django_filters.FilterSet):
    deal = django_filters.UUIDFilter(field_name="deal_id")
    consultant = django_filters.UUIDFilter(field_name="consultant_id")
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Assignment
        fields = ["deal", "consultant", "is_active"]


class MilestoneFilter(django_filters.FilterSet):
    deal = django_filters.UUIDFilter(field_name="deal_id")
    status = django_filters.MultipleChoiceFilter(choices=MilestoneStatus.choices, help_text="One or more statuses (repeat the parameter).")
    project_manager = django_filters.UUIDFilter(field_name="project_manager_id")

    class Meta:
        model = Milestone
        fields = ["deal", "status", "project_manager"]


class SubscriptionFilter(django_filters.FilterSet):
    deal = django_filters.UUIDFilter(field_name="deal_id")
    is_active = django_filters.BooleanFilter()
    next_billing_before = django_filters.DateFilter(field_name="next_billing_date", lookup_expr="lte", help_text="Due for billing on or before this date.")

    class Meta:
        model = Subscription
        fields = ["deal", "is_active", "next_billing_before"]


class PurchaseOrderFilter(django_filters.FilterSet):
    deal = django_filters.UUIDFilter(field_name="deal_id")

    class Meta:
        model = PurchaseOrder
        fields = ["deal"]

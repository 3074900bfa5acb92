"""REST API of deals: `/api/v1/deals/`, `/api/v1/assignments/`, `/api/v1/milestones/`,
`/api/v1/subscriptions/`, `/api/v1/purchase-orders/`.

Thin, like every viewset (see adv/api/viewsets.py): parse with an input serializer, call one
service with `actor=request.membership`, render with an output serializer. Roles
(deals/rules.py): consultants get 403 on deals, milestones, subscriptions and purchase orders,
and see only their own assignments, without any rate; accountants, project managers and
managers read; admin, ADV and sales write; admin and ADV validate and sign. A transition the
lifecycle forbids answers 409 `invalid_transition`; signing without the required documents
answers 409 `missing_documents` with the list (`missing`).
"""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from adv.api.permissions import HasRole, IsTenantMember, RoleCanWrite
from adv.api.viewsets import TenantGenericViewSet
from adv.tenancy.roles import DOCUMENT_ROLES

from . import access, rules, selectors, services
from .filters import AssignmentFilter, DealFilter, MilestoneFilter, PurchaseOrderFilter, SubscriptionFilter
from .models import Assignment, Deal, Milestone, PurchaseOrder, Subscription
from .serializers import (
    AssignmentCreateSerializer,
    AssignmentSerializer,
    AssignmentWriteSerializer,
    DealCreateSerializer,
    DealLostSerializer,
    DealSerializer,
    DealSignSerializer,
    DealUpdateSerializer,
    MilestoneAttachSerializer,
    MilestoneEventSerializer,
    MilestoneScheduleSerializer,
    MilestoneSerializer,
    MissingDocumentsProblemSerializer,
    MissingDocumentsSerializer,
    PurchaseOrderCreateSerializer,
    PurchaseOrderSerializer,
    PurchaseOrderWriteSerializer,
    SubscriptionCreateSerializer,
    SubscriptionSerializer,
    SubscriptionWriteSerializer,
)

PROBLEM = "application/problem+json"
CanViewDeals = HasRole.of(*sorted(access.VIEW_ROLES))
TRANSITION_CONFLICT = OpenApiResponse(
    MissingDocumentsProblemSerializer, description="`invalid_transition`: the lifecycle does not allow it from the current status."
)
SIGN_CONFLICT = OpenApiResponse(
    MissingDocumentsProblemSerializer,
    description="`missing_documents`: the deal lacks required documents (listed in `missing`); sign with an "
    "`override_reason` to record the signature anyway. `invalid_transition`: the deal is not draft or provisional.",
)


class _DealsApiMixin:
    """Role gate of the deals API (its problems' details, every invalid field and what is
    missing, come from the errors themselves: adv/api/exceptions.py)."""

    permission_classes = [IsTenantMember, CanViewDeals, RoleCanWrite]
    write_roles = tuple(sorted(access.EDIT_ROLES))


@extend_schema_view(
    list=extend_schema(description="Deals, each with `is_provisional`, `provisional_days` and `missing_for_signature`."),
    retrieve=extend_schema(description="One deal."),
    create=extend_schema(
        request=DealCreateSerializer, responses={201: DealSerializer},
        description="Create a deal (status draft, reference numbered per firm and year).",
    ),
    partial_update=extend_schema(
        request=DealUpdateSerializer, responses=DealSerializer,
        description="Change the fields sent. The type is locked once the deal leaves draft (400 `type_locked`); a closed or "
        "lost deal does not change (400 `deal_finished`).",
    ),
    validate_provisionally=extend_schema(
        request=None, responses={200: DealSerializer, (409, PROBLEM): TRANSITION_CONFLICT},
        description="Validate a draft deal without a signature: consultants may be staffed and log time; the sales owner is "
        "chased until it is signed (admin and ADV).",
    ),
    sign=extend_schema(
        request=DealSignSerializer, responses={200: DealSerializer, (409, PROBLEM): SIGN_CONFLICT},
        description="Record the signature of a draft or provisional deal (admin and ADV).",
    ),
    activate=extend_schema(request=None, responses={200: DealSerializer, (409, PROBLEM): TRANSITION_CONFLICT}),
    close=extend_schema(request=None, responses={200: DealSerializer, (409, PROBLEM): TRANSITION_CONFLICT}),
    mark_lost=extend_schema(
        request=DealLostSerializer, responses={200: DealSerializer, (409, PROBLEM): TRANSITION_CONFLICT},
        description="A draft or provisional deal that will not be signed; its assignments end.",
    ),
    missing_documents=extend_schema(
        request=None, responses=MissingDocumentsSerializer, description="What the deal lacks to be signed (empty: nothing)."
    ),
)
class DealViewSet(_DealsApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """Deals (affaires): time and materials, fixed price or subscription, with their lifecycle
    draft → provisional → signed → active → closed, or lost."""

    serializer_class = DealSerializer
    filterset_class = DealFilter
    search_fields = ["reference", "title", "client__legal_name", "client__trade_name"]
    ordering_fields = {
        "reference": "reference",
        "title": "title",
        "status": "status",
        "start_date": "start_date",
        "ordered_amount": "ordered_amount",
        "provisional_since": "provisional_since",
        "signed_on": "signed_on",
        "created_at": "created_at",
        "updated_at": "updated_at",
    }
    ordering = ["-created_at"]

    def safely_get_queryset(self):
        return selectors.deal_queryset(actor=self.request.membership).prefetch_related(
            "invoice_recipients", Prefetch("signature_proofs", queryset=selectors.signature_proofs_queryset())
        )

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        deals = selectors.decorate(list(page if page is not None else queryset))
        data = DealSerializer(deals, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        return self._render(self.get_object())

    def _render(self, deal: Deal, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=deal.pk)
        return Response(DealSerializer(selectors.decorate([fresh])[0]).data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = DealCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        client = fields.pop("client")
        return self._render(services.deal_create(actor=request.membership, client=client, **fields), status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        deal = self.get_object()
        serializer = DealUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        return self._render(services.deal_update(actor=request.membership, deal=deal, **serializer.validated_data))

    @action(detail=True, methods=["post"], url_path="validate-provisionally", url_name="validate-provisionally")
    def validate_provisionally(self, request, *args, **kwargs):
        return self._render(services.deal_validate_provisionally(actor=request.membership, deal=self.get_object()))

    @action(detail=True, methods=["post"])
    def sign(self, request, *args, **kwargs):
        deal = self.get_object()
        serializer = DealSignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._render(services.deal_sign(actor=request.membership, deal=deal, **serializer.validated_data))

    @action(detail=True, methods=["post"])
    def activate(self, request, *args, **kwargs):
        return self._render(services.deal_activate(actor=request.membership, deal=self.get_object()))

    @action(detail=True, methods=["post"])
    def close(self, request, *args, **kwargs):
        return self._render(services.deal_close(actor=request.membership, deal=self.get_object()))

    @action(detail=True, methods=["post"], url_path="mark-lost", url_name="mark-lost")
    def mark_lost(self, request, *args, **kwargs):
        deal = self.get_object()
        serializer = DealLostSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._render(services.deal_mark_lost(actor=request.membership, deal=deal, reason=serializer.validated_data["reason"]))

    @action(detail=True, methods=["get"], url_path="missing-documents", url_name="missing-documents")
    def missing_documents(self, request, *args, **kwargs):
        deal = self.get_object()
        missing = rules.missing_for_signature(deal) if deal.status in ("draft", "provisional") else []
        return Response({"missing": missing})

    @extend_schema(methods=["GET"], request=None, responses=MilestoneSerializer(many=True), description="The deal's milestones.")
    @extend_schema(
        methods=["PUT"], request=MilestoneScheduleSerializer, responses=MilestoneSerializer(many=True),
        description="Replace the not-yet-invoiced milestones of a fixed-price deal in one go. The schedule must add up to "
        "the ordered amount (400 `schedule_does_not_add_up`); each milestone has a due date or an event.",
    )
    @action(detail=True, methods=["get", "put"])
    def milestones(self, request, *args, **kwargs):
        deal = self.get_object()
        if request.method == "PUT":
            serializer = MilestoneScheduleSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            items = [dict(item) for item in serializer.validated_data["milestones"]]
            services.milestone_schedule_replace(actor=request.membership, deal=deal, items=items)
        milestones = selectors.milestone_queryset(actor=request.membership).filter(deal=deal).order_by("due_date", "created_at", "id")
        return Response(MilestoneSerializer(milestones, many=True).data)


@extend_schema_view(
    list=extend_schema(description="Staffing. Consultants see their own assignments only, and no rate at all."),
    create=extend_schema(
        request=AssignmentCreateSerializer, responses={201: AssignmentSerializer},
        description="Staff a consultant on a validated (at least provisionally) deal, within its dates, at a positive rate.",
    ),
    partial_update=extend_schema(request=AssignmentWriteSerializer, responses=AssignmentSerializer),
)
class AssignmentViewSet(_DealsApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """Consultants staffed on deals (daily rate, period, planned days, reception number)."""

    permission_classes = [IsTenantMember, RoleCanWrite]
    write_roles = tuple(sorted(access.STAFF_ROLES))
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter
    ordering_fields = {"start_date": "start_date", "end_date": "end_date", "created_at": "created_at", "updated_at": "updated_at"}
    ordering = ["start_date"]

    def safely_get_queryset(self):
        return selectors.assignment_queryset(actor=self.request.membership)

    def get_serializer(self, *args, **kwargs):
        if getattr(self, "swagger_fake_view", False):  # the schema documents every field
            show_rates = True
        else:
            show_rates = selectors.rates_visible(getattr(self.request, "membership", None))
        kwargs.setdefault("show_rates", show_rates)
        return super().get_serializer(*args, **kwargs)

    def _render(self, assignment: Assignment, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=assignment.pk)).data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = AssignmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        deal, consultant = fields.pop("deal"), fields.pop("consultant")
        assignment = services.assignment_create(actor=request.membership, deal=deal, consultant=consultant, **fields)
        return self._render(assignment, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        assignment = self.get_object()
        serializer = AssignmentWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        return self._render(services.assignment_update(actor=request.membership, assignment=assignment, **serializer.validated_data))


@extend_schema_view(
    attach_document=extend_schema(
        request=MilestoneAttachSerializer, responses=MilestoneSerializer,
        description="Attach the document the milestone requires (e.g. the PV de recette): a due milestone becomes ready.",
    ),
    record_event=extend_schema(
        request=MilestoneEventSerializer, responses=MilestoneSerializer,
        description="Record that the milestone's triggering event happened: it becomes due (ready, or blocked without its document).",
    ),
)
class MilestoneViewSet(_DealsApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """Milestones of fixed-price deals (planned → due → ready / blocked → invoiced). The schedule
    is replaced through `PUT /deals/{id}/milestones/`."""

    write_roles = tuple(sorted(DOCUMENT_ROLES))
    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilter
    ordering_fields = {"due_date": "due_date", "amount": "amount", "status": "status", "blocked_since": "blocked_since", "created_at": "created_at"}
    ordering = ["due_date"]

    def safely_get_queryset(self):
        return selectors.milestone_queryset(actor=self.request.membership)

    def _render(self, milestone: Milestone) -> Response:
        return Response(MilestoneSerializer(self.get_queryset().get(pk=milestone.pk)).data)

    @action(detail=True, methods=["post"], url_path="attach-document", url_name="attach-document")
    def attach_document(self, request, *args, **kwargs):
        milestone = self.get_object()
        serializer = MilestoneAttachSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = serializer.validated_data["document"]
        return self._render(services.milestone_attach_document(actor=request.membership, milestone=milestone, document=document))

    @action(detail=True, methods=["post"], url_path="record-event", url_name="record-event")
    def record_event(self, request, *args, **kwargs):
        milestone = self.get_object()
        serializer = MilestoneEventSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        occurred_on = serializer.validated_data["occurred_on"]
        return self._render(services.milestone_record_event(actor=request.membership, milestone=milestone, occurred_on=occurred_on))


@extend_schema_view(
    create=extend_schema(request=SubscriptionCreateSerializer, responses={201: SubscriptionSerializer}),
    partial_update=extend_schema(request=SubscriptionWriteSerializer, responses=SubscriptionSerializer),
)
class SubscriptionViewSet(_DealsApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """Recurring amounts of subscription deals (period, billed in advance or in arrears, next billing date)."""

    serializer_class = SubscriptionSerializer
    filterset_class = SubscriptionFilter
    ordering_fields = {"start_date": "start_date", "next_billing_date": "next_billing_date", "created_at": "created_at"}
    ordering = ["next_billing_date"]

    def safely_get_queryset(self):
        return selectors.subscription_queryset(actor=self.request.membership)

    def _render(self, subscription: Subscription, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(SubscriptionSerializer(self.get_queryset().get(pk=subscription.pk)).data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = SubscriptionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        deal = fields.pop("deal")
        return self._render(services.subscription_save(actor=request.membership, deal=deal, **fields), status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        subscription = self.get_object()
        serializer = SubscriptionWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        saved = services.subscription_save(
            actor=request.membership, deal=subscription.deal, subscription=subscription, **serializer.validated_data
        )
        return self._render(saved)


@extend_schema_view(
    create=extend_schema(request=PurchaseOrderCreateSerializer, responses={201: PurchaseOrderSerializer}),
    partial_update=extend_schema(request=PurchaseOrderWriteSerializer, responses=PurchaseOrderSerializer),
)
class PurchaseOrderViewSet(_DealsApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """The client's purchase orders (bons de commande) on deals: number, amount, validity."""

    serializer_class = PurchaseOrderSerializer
    filterset_class = PurchaseOrderFilter
    search_fields = ["number"]
    ordering_fields = {"number": "number", "valid_from": "valid_from", "valid_until": "valid_until", "created_at": "created_at"}
    ordering = ["number"]

    def safely_get_queryset(self):
        return selectors.purchase_order_queryset(actor=self.request.membership)

    def _render(self, purchase_order: PurchaseOrder, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(PurchaseOrderSerializer(self.get_queryset().get(pk=purchase_order.pk)).data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = PurchaseOrderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        deal = fields.pop("deal")
        return self._render(services.purchase_order_save(actor=request.membership, deal=deal, **fields), status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        purchase_order = self.get_object()
        serializer = PurchaseOrderWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        saved = services.purchase_order_save(
            actor=request.membership, deal=purchase_order.deal, purchase_order=purchase_order, **serializer.validated_data
        )
        return self._render(saved)


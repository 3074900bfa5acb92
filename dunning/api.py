"""REST API of collections: `/api/v1/dunning/plans/` (the firm's plan; `current/` reads it, or the
defaults, and PATCHes it), `/api/v1/dunning/steps/` (the plan's steps), `/api/v1/dunning/reminders/`
(reminders sent, `?invoice=&client=`), `/api/v1/dunning/invoices/<id>/` (an invoice's dunning
state) with the actions `remind/` ("relancer maintenant"), `pause/`, `resume/` and `promise/`.

Roles (dunning/access.py): admin, ADV and accountant read; admin and ADV write (the accountant
gets 403 `role_cannot_write`); other roles get 403 `role_required`. Another firm's ids answer 404.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from adv.api.permissions import HasRole, IsTenantMember, RoleCanWrite
from adv.api.viewsets import TenantGenericViewSet
from billing.models import Invoice, InvoiceKind

from . import access, selectors, services
from .filters import ReminderFilter
from .models import DunningPlan, DunningStep, Reminder
from .serializers import (
    InvoiceDunningSerializer,
    PauseCreateSerializer,
    PauseSerializer,
    PlanSerializer,
    PlanUpdateSerializer,
    PromiseCreateSerializer,
    PromiseSerializer,
    ReminderSerializer,
    StepSerializer,
    StepWriteSerializer,
)

CanRead = HasRole.of(*sorted(access.READ_ROLES))


class _DunningApiMixin:
    permission_classes = [IsTenantMember, CanRead, RoleCanWrite]
    write_roles = tuple(sorted(access.ACT_ROLES))

    def _out(self, serializer_class, instance, status_code=status.HTTP_200_OK, **kwargs) -> Response:
        return Response(serializer_class(instance, context=self.get_serializer_context(), **kwargs).data, status=status_code)


@extend_schema(tags=["dunning"])
@extend_schema_view(
    list=extend_schema(description="The firm's saved plan (empty until it is first saved: see `current/`)."),
    retrieve=extend_schema(description="The plan with its steps."),
)
class DunningPlanViewSet(_DunningApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    serializer_class = PlanSerializer
    ordering = ["created_at"]

    def safely_get_queryset(self):
        return DunningPlan.objects.select_related("signatory")

    @extend_schema(
        methods=["GET"], responses=PlanSerializer, description="The plan in force: the saved one, or the defaults."
    )
    @extend_schema(methods=["PATCH"], request=PlanUpdateSerializer, responses=PlanSerializer,
                   description="Change the plan (created with the default steps the first time).")
    @action(detail=False, methods=["get", "patch"])
    def current(self, request, **kwargs):
        if request.method == "PATCH":
            data = {**PlanSerializer(selectors.plan()).data, **request.data}
            data["signatory"] = data.get("signatory")
            serializer = PlanUpdateSerializer(data=data)
            serializer.is_valid(raise_exception=True)
            services.plan_update(actor=request.membership, **serializer.validated_data)
        return self._out(PlanSerializer, selectors.plan())


@extend_schema(tags=["dunning"])
@extend_schema_view(
    create=extend_schema(request=StepWriteSerializer, responses={201: StepSerializer},
                         description="Add a step; `days_after_due` below 1 answers 400 `step_before_due_date`."),
    update=extend_schema(request=StepWriteSerializer, responses=StepSerializer),
)
class DunningStepViewSet(
    _DunningApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, TenantGenericViewSet
):
    serializer_class = StepSerializer
    ordering = ["days_after_due"]
    http_method_names = ["get", "post", "put", "delete", "head", "options"]

    def safely_get_queryset(self):
        return DunningStep.objects.all()

    def create(self, request, *args, **kwargs):
        serializer = StepWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        step = services.step_add(actor=request.membership, **serializer.validated_data)
        return self._out(StepSerializer, step, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        step = self.get_object()
        serializer = StepWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._out(StepSerializer, services.step_update(actor=request.membership, step=step, **serializer.validated_data))

    def destroy(self, request, *args, **kwargs):
        services.step_delete(actor=request.membership, step=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["dunning"])
@extend_schema_view(list=extend_schema(description="Reminders sent, newest first; `?invoice=`, `?client=`."))
class ReminderViewSet(_DunningApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    serializer_class = ReminderSerializer
    filterset_class = ReminderFilter
    search_fields = ["invoice__number"]
    ordering_fields = {"sent_at": "sent_at", "days_late": "days_late"}
    ordering = ["-sent_at"]

    def safely_get_queryset(self):
        return Reminder.objects.select_related("invoice")


@extend_schema(tags=["dunning"])
class DunningInvoiceViewSet(_DunningApiMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """An issued invoice's dunning: its state, and the actions on it."""

    serializer_class = InvoiceDunningSerializer
    model = Invoice  # the serializer is not a model serializer: the schema's path id is an invoice's

    def safely_get_queryset(self):
        return Invoice.objects.filter(kind=InvoiceKind.INVOICE, number__isnull=False).select_related("client")

    def _state(self, invoice) -> dict:
        state = selectors.invoice_dunning(invoice, timezone.localdate())
        upcoming = state.next
        return {
            "invoice": invoice.pk,
            "overdue": state.overdue,
            "days_late": state.days_late,
            "paused": state.paused,
            "next_step": (
                {"step": upcoming[0].id, "tone": upcoming[0].tone, "days_after_due": upcoming[0].days_after_due,
                 "date": upcoming[1].isoformat()} if upcoming else None
            ),
            "reminders": state.reminders,
            "pauses": state.pauses,
            "promises": state.promises,
        }

    def _create(self, request, input_serializer, service, output_serializer):
        """Read the body with `input_serializer`, call `service` on the invoice, answer 201."""
        invoice = self.get_object()  # another firm's invoice: 404 before the body is read
        serializer = input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = service(actor=request.membership, invoice=invoice, **serializer.validated_data)
        return self._out(output_serializer, created, status.HTTP_201_CREATED)

    def retrieve(self, request, *args, **kwargs):
        return self._out(InvoiceDunningSerializer, self._state(self.get_object()))

    @extend_schema(request=None, responses={201: ReminderSerializer},
                   description="\"Relancer maintenant\": the plan's next step goes now (409 `already_reminded` twice a day, `disputed`, `not_overdue`).")
    @action(detail=True, methods=["post"])
    def remind(self, request, **kwargs):
        reminder = services.reminder_send_now(actor=request.membership, invoice=self.get_object())
        return self._out(ReminderSerializer, reminder, status.HTTP_201_CREATED)

    @extend_schema(request=PauseCreateSerializer, responses={201: PauseSerializer},
                   description="Pause the reminders (until a date, or until resumed), or record a dispute.")
    @action(detail=True, methods=["post"])
    def pause(self, request, **kwargs):
        return self._create(request, PauseCreateSerializer, services.pause_create, PauseSerializer)

    @extend_schema(request=None, responses=InvoiceDunningSerializer,
                   description="End the open pauses and dispute (409 `not_paused` when there is none).")
    @action(detail=True, methods=["post"])
    def resume(self, request, **kwargs):
        invoice = self.get_object()
        services.pause_end(actor=request.membership, invoice=invoice)
        return self._out(InvoiceDunningSerializer, self._state(invoice))

    @extend_schema(request=PromiseCreateSerializer, responses={201: PromiseSerializer},
                   description="Record a payment promise: reminders wait until the day after its date.")
    @action(detail=True, methods=["post"])
    def promise(self, request, **kwargs):
        return self._create(request, PromiseCreateSerializer, services.promise_record, PromiseSerializer)

"""REST API of the bulk billing actions run by the workers (billing/jobs.py): `pre-invoices/issue/` and
`invoices/send/` answer 202 with the job (its `url` also in `Location`), followed with
GET `billing-jobs/{id}/` until its `status` is `done` or `failed`. Beside api.py, which is full."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action

from adv.api.viewsets import TenantGenericViewSet

from . import jobs
from .api import _BillingApiMixin, job_accepted
from .models import BillingJob
from .serializers import BillingJobSerializer


@extend_schema(tags=["billing"])
@extend_schema_view(
    list=extend_schema(description="Bulk issues and sends, latest first."),
    retrieve=extend_schema(
        description="One bulk issue or send, with its progress; `succeeded` and `refused` (per id, the reasons) "
        "are complete once `status` is `done` (or `failed`, with `error`)."
    ),
    resume=extend_schema(
        request=None, responses={202: BillingJobSerializer}, description="Queue a job whose task was lost again."
    ),
)
class BillingJobViewSet(_BillingApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """Bulk issues and sends."""

    serializer_class = BillingJobSerializer
    ordering_fields = {"created_at": "created_at"}
    ordering = ["-created_at"]

    def safely_get_queryset(self):
        return BillingJob.objects.all()

    @action(detail=True, methods=["post"])
    def resume(self, request, *args, **kwargs):
        return job_accepted(self, jobs.job_resume(actor=request.membership, job=self.get_object()))

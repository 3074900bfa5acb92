"""The base classes every API view uses: tenant scoping cannot be bypassed, writes need a role."""

import pytest
from rest_framework.test import APIRequestFactory

from adv.api.permissions import RoleCanWrite, can_write
from adv.api.serializers import MembershipSerializer
from adv.api.viewsets import TenantGenericViewSet, TenantReadOnlyViewSet, require_request_tenant
from adv.tenancy.context import tenant_context
from adv.tenancy.errors import TenantContextMissing
from adv.tenancy.models import Membership, Role


@pytest.mark.parametrize("method", ["get_queryset", "get_object"])
def test_a_viewset_cannot_override_the_scoped_lookups(method):
    with pytest.raises(TypeError, match="safely_get_queryset"):
        type("Leaky", (TenantReadOnlyViewSet,), {method: lambda self: None})


def test_a_mixin_cannot_sneak_an_override_in_either():
    class LeakyMixin:
        def get_queryset(self):
            return Membership.cross_tenant_objects.all()

    with pytest.raises(TypeError, match="get_queryset"):
        type("Leaky", (LeakyMixin, TenantGenericViewSet), {})


def test_a_viewset_cannot_declare_a_class_level_queryset():
    with pytest.raises(TypeError, match="class-level queryset"):
        type("Leaky", (TenantReadOnlyViewSet,), {"queryset": Membership.cross_tenant_objects.none()})


def test_a_well_behaved_viewset_is_accepted():
    class Members(TenantReadOnlyViewSet):
        serializer_class = MembershipSerializer

        def safely_get_queryset(self):
            return Membership.objects.all()

    assert Members.safely_get_queryset is not TenantGenericViewSet.safely_get_queryset


@pytest.mark.django_db
def test_the_queryset_carries_the_explicit_tenant_predicate(alice, carol):
    # given a viewset whose own queryset forgot to narrow anything
    class Members(TenantReadOnlyViewSet):
        serializer_class = MembershipSerializer

        def safely_get_queryset(self):
            return Membership.cross_tenant_objects.all()

    request = APIRequestFactory().get("/")
    request.tenant = alice.tenant
    view = Members(request=request, format_kwarg=None)
    # when it runs inside alice's tenant, then the base class keeps alice's rows only
    with tenant_context(alice.tenant):
        queryset = view.get_queryset()
        assert f'"tenancy_membership"."tenant_id" = {alice.tenant.id}' in str(queryset.query)
        assert list(queryset) == [alice.membership]


@pytest.mark.django_db
def test_a_view_running_outside_its_tenant_context_fails_closed(alice, carol):
    request = APIRequestFactory().get("/")
    request.tenant = alice.tenant
    with pytest.raises(TenantContextMissing):
        require_request_tenant(request)
    with tenant_context(carol.tenant), pytest.raises(TenantContextMissing):
        require_request_tenant(request)


class _View:
    write_roles = None


def _request(method: str, role: str):
    request = getattr(APIRequestFactory(), method)("/")
    request.membership = Membership(role=role)
    return request


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ACCOUNTANT])
def test_every_role_but_the_accountant_may_write_by_default(role):
    assert RoleCanWrite().has_permission(_request("post", role), _View())


def test_the_accountant_reads_but_never_writes():
    permission = RoleCanWrite()
    assert permission.has_permission(_request("get", Role.ACCOUNTANT), _View())
    for method in ("post", "put", "patch", "delete"):
        assert not permission.has_permission(_request(method, Role.ACCOUNTANT), _View())
    assert not can_write(Membership(role=Role.ACCOUNTANT))


def test_a_view_may_restrict_writes_to_some_roles():
    view = _View()
    view.write_roles = (Role.ADMIN,)
    assert RoleCanWrite().has_permission(_request("patch", Role.ADMIN), view)
    assert not RoleCanWrite().has_permission(_request("patch", Role.ADV), view)
    assert RoleCanWrite().has_permission(_request("get", Role.ADV), view)

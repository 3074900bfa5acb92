"""Tenant resolution: the tenant comes from the request, never from a remembered preference.

- UI (and the session-authenticated API): path prefix `/t/<slug>/`; the user must hold an
  active membership there, else 404, exactly like an unknown firm.
- API with `Authorization: Bearer <token>` under `/api/v1/`: the token names its membership.

The rest of the request (the view) runs inside `tenant_context`, i.e. one transaction in which
PostgreSQL knows the tenant. Responses must therefore be fully rendered inside the view.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pghistory
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .context import lookup_by_key, tenant_context
from .models import Membership, Tenant

TENANT_PATH = re.compile(r"^/t/(?P<slug>[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?P<rest>/.*)?$")
API_PREFIX = "/api/v1/"
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)

def problem_response(status: int, code: str, title: str, detail: str = "") -> JsonResponse:
    """An RFC 9457 problem document, for errors raised before DRF sees the request."""
    body = {"type": f"https://adv.invalid/problems/{code}", "title": title, "status": status, "code": code}
    if detail:
        body["detail"] = detail
    response = JsonResponse(body, status=status, content_type="application/problem+json")
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


class TenantMiddleware:
    # Pages a user must reach to satisfy the tenant's two-factor requirement.
    TWO_FACTOR_EXEMPT = ("/account/two-factor/",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant = None
        request.membership = None
        request.api_token = None
        match = TENANT_PATH.match(request.path_info)
        if match:
            return self._tenant_path_request(request, match["slug"], match["rest"] or "/")
        authorization = request.headers.get("Authorization", "")
        if request.path_info.startswith(API_PREFIX) and authorization:
            return self._token_request(request, authorization)
        return self.get_response(request)

    # -- /t/<slug>/... ---------------------------------------------------------------------
    def _tenant_path_request(self, request, slug: str, rest: str):
        is_api = rest.startswith(API_PREFIX)
        tenant = Tenant.objects.filter(slug=slug, is_active=True).first()
        if tenant is None:
            if is_api:
                return problem_response(404, "not_found", _("Introuvable."))
            raise Http404(_("Cette page n'existe pas."))
        if not request.user.is_authenticated:
            if is_api:
                return problem_response(401, "not_authenticated", _("Authentification requise."))
            return redirect_to_login(request.get_full_path())
        with tenant_context(tenant):
            membership = (
                Membership.objects.select_related("user", "tenant")
                .filter(user=request.user, is_active=True)
                .first()
            )
            if membership is None:
                # Not a member: the same answer as a firm that does not exist.
                if is_api:
                    return problem_response(404, "not_found", _("Introuvable."))
                raise Http404(_("Cette page n'existe pas."))
            request.tenant = tenant
            request.membership = membership
            if self._needs_second_factor(request, membership, rest):
                if is_api:
                    return problem_response(
                        403,
                        "second_factor_required",
                        _("Votre cabinet exige la double authentification pour votre rôle."),
                        _("Activez-la et validez un code dans l'application, puis réessayez."),
                    )
                return redirect(f"{reverse('two_factor_setup')}?next={request.get_full_path()}")
            with pghistory.context(tenant=str(tenant.id), user=str(request.user.pk), url=request.path):
                return self._respond_in_time_zone(request, tenant)

    def _respond_in_time_zone(self, request, tenant: Tenant):
        """Run the view in the firm's time zone: its 'today', its deadlines, the times it shows."""
        timezone.activate(tenant.time_zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def _needs_second_factor(self, request, membership, rest: str) -> bool:
        """Pages and the session API alike: only the enrolment pages (outside /t/) stay reachable."""
        return membership.must_use_second_factor and not request.user.is_verified()

    # -- /api/v1/ with a bearer token -----------------------------------------------------------
    def _token_request(self, request, authorization: str):
        from adv.api.tokens import hash_token, parse_bearer

        raw = parse_bearer(authorization)
        if raw is None:
            return problem_response(
                401, "invalid_token", _("Jeton invalide."), _("En-tête attendu : Authorization: Bearer <jeton>.")
            )
        from adv.api.models import ApiToken

        key_hash = hash_token(raw)
        with lookup_by_key(key_hash):
            # The token row only: its membership is not visible before its tenant is active.
            token_id, tenant_id = (
                ApiToken.cross_tenant_objects.filter(key_hash=key_hash).values_list("pk", "tenant_id").first()
                or (None, None)
            )
        if token_id is None:
            return problem_response(401, "invalid_token", _("Jeton inconnu, expiré ou révoqué."))
        with tenant_context(tenant_id):
            token = ApiToken.objects.select_related("membership__user", "tenant").get(pk=token_id)
            if not token.is_usable or not token.tenant.is_active:
                return problem_response(401, "invalid_token", _("Jeton inconnu, expiré ou révoqué."))
            if token.membership.must_use_second_factor and not token.second_factor_verified:
                # Minted by a password-only session (before the firm required a second factor).
                return problem_response(
                    403,
                    "second_factor_required",
                    _("Ce jeton a été créé sans double authentification, que votre cabinet exige désormais."),
                    _("Créez un nouveau jeton depuis une session validée par un code."),
                )
            request.tenant = token.tenant
            request.membership = token.membership
            request.api_token = token
            now = timezone.now()
            if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
                ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            with pghistory.context(tenant=str(token.tenant_id), user=str(token.membership.user_id), token=str(token.pk)):
                return self._respond_in_time_zone(request, token.tenant)

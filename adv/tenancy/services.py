"""Every write on tenants, memberships and invitations. One function per business action.

Each runs in one transaction, checks the actor's right and the object's state, writes, and
registers its side effects (emails) to run after commit.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .context import lookup_by_key, require_tenant_id, tenant_context
from .errors import Conflict, DomainError, NotFound, PermissionDenied, TenancyErrorCode
from .models import ClearanceLevel, Invitation, Membership, Role, Tenant
from .signals import tenant_created

User = get_user_model()


def _require_admin(actor: Membership) -> None:
    if actor is None or not actor.is_active or actor.role != Role.ADMIN:
        raise PermissionDenied(_("Réservé aux administrateurs de la société."))


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


# --- Tenants ------------------------------------------------------------------------------------


@transaction.atomic
def tenant_create(
    *, slug: str, name: str, admin_email: str, admin_password: str | None = None, **identity
) -> tuple[Tenant, Membership]:
    """Create a firm and its first administrator (an existing user keeps their password)."""
    slug = slug.strip().lower()
    if Tenant.objects.filter(slug=slug).exists():
        raise Conflict(_("L'identifiant « %(slug)s » est déjà pris.") % {"slug": slug}, code=TenancyErrorCode.SLUG_TAKEN, field="slug")
    tenant = Tenant(slug=slug, name=name, legal_name=identity.pop("legal_name", "") or name, **identity)
    try:
        tenant.full_clean()
    except ValidationError as exc:
        raise DomainError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()), code=TenancyErrorCode.INVALID_TENANT)
    tenant.save()
    user = User.objects.filter(email__iexact=admin_email.strip()).first()
    if user is None:
        if admin_password:
            validate_password(admin_password)
        user = User.objects.create_user(email=admin_email, password=admin_password)
    with tenant_context(tenant):
        membership = Membership.objects.create(user=user, role=Role.ADMIN, clearance_level=ClearanceLevel.RESTRICTED)
        tenant_created.send(sender=Tenant, tenant=tenant)
    return tenant, membership


@transaction.atomic
def tenant_update(*, actor: Membership, tenant: Tenant, **fields) -> Tenant:
    _require_admin(actor)
    if actor.tenant_id != tenant.id:
        raise NotFound()
    for name, value in fields.items():
        setattr(tenant, name, value)
    try:
        tenant.full_clean()
    except ValidationError as exc:
        raise DomainError(
            "; ".join(" ".join(v) for v in exc.message_dict.values()), code=TenancyErrorCode.INVALID_TENANT
        ) from exc
    tenant.save()
    return tenant


# --- Memberships --------------------------------------------------------------------------------


def _check_reports_to(membership_id, reports_to: Membership | None) -> None:
    """A manager is an active member of the same firm, and no cycle forms."""
    if reports_to is not None and (reports_to.tenant_id != require_tenant_id() or not reports_to.is_active):
        raise DomainError(_("Le manager doit être un membre actif de la société."), code=TenancyErrorCode.INVALID_MANAGER, field="reports_to")
    seen = {membership_id}
    current = reports_to
    while current is not None:
        if current.id in seen:
            raise DomainError(_("Ce rattachement créerait une boucle hiérarchique."), code=TenancyErrorCode.REPORTS_TO_CYCLE, field="reports_to")
        seen.add(current.id)
        current = current.reports_to


@transaction.atomic
def membership_update(
    *,
    actor: Membership,
    membership: Membership,
    role: str | None = None,
    clearance_level: int | None = None,
    reports_to: Membership | None | type[...] = ...,
    is_active: bool | None = None,
) -> Membership:
    _require_admin(actor)
    membership = Membership.objects.select_for_update(of=("self",)).get(pk=membership.pk)
    if role is not None:
        if role not in Role.values:
            raise DomainError(_("Rôle inconnu."), code=TenancyErrorCode.INVALID_ROLE, field="role")
        membership.role = role
    if clearance_level is not None:
        if clearance_level not in ClearanceLevel.values:
            raise DomainError(_("Le niveau d'habilitation va de 1 à 4."), code=TenancyErrorCode.INVALID_CLEARANCE, field="clearance_level")
        membership.clearance_level = clearance_level
    if reports_to is not ...:
        _check_reports_to(membership.id, reports_to)
        membership.reports_to = reports_to
    if is_active is not None:
        membership.is_active = is_active
    if membership.id == actor.id and (membership.role != Role.ADMIN or not membership.is_active):
        remaining = Membership.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=membership.pk).exists()
        if not remaining:
            raise Conflict(_("La société doit garder au moins un administrateur actif."), code=TenancyErrorCode.LAST_ADMIN)
    membership.save()
    return membership


# --- Invitations ------------------------------------------------------------------------------


@transaction.atomic
def invitation_create(
    *,
    actor: Membership,
    email: str,
    role: str,
    clearance_level: int = ClearanceLevel.PUBLIC,
    reports_to: Membership | None = None,
) -> tuple[Invitation, str]:
    """Invite someone by email. Returns the invitation and the raw token (sent, never stored)."""
    _require_admin(actor)
    email = email.strip().lower()
    if Membership.objects.filter(user__email__iexact=email).exists():
        raise Conflict(_("Cette personne est déjà membre de la société."), code=TenancyErrorCode.ALREADY_MEMBER, field="email")
    if role not in Role.values:
        raise DomainError(_("Rôle inconnu."), code=TenancyErrorCode.INVALID_ROLE, field="role")
    _check_reports_to(None, reports_to)
    # A new invitation replaces a pending one for the same address.
    Invitation.objects.filter(email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    raw = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email,
        role=role,
        clearance_level=clearance_level,
        reports_to=reports_to,
        invited_by=actor.user,
        key_hash=_hash(raw),
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALIDITY_DAYS),
    )
    _send_invitation_email(invitation, raw, actor)
    return invitation, raw


def _send_invitation_email(invitation: Invitation, raw: str, actor: Membership) -> None:
    from django.urls import reverse

    from notifications.services import email_enqueue

    link = settings.SITE_URL + reverse("invitation_accept", kwargs={"token": raw})
    tenant = actor.tenant
    email_enqueue(
        to=[invitation.email],
        template_key="invitation",
        context={
            "tenant_name": tenant.name,
            "inviter_name": str(actor.user),
            "role": invitation.get_role_display(),
            "link": link,
            "expires_on": timezone.localtime(invitation.expires_at).strftime("%d/%m/%Y"),
        },
        idempotency_key=f"invitation:{invitation.id}",
    )


@transaction.atomic
def invitation_revoke(*, actor: Membership, invitation: Invitation) -> Invitation:
    _require_admin(actor)
    invitation = Invitation.objects.select_for_update(of=("self",)).get(pk=invitation.pk)
    if invitation.accepted_at:
        raise Conflict(_("Cette invitation a déjà été acceptée."), code=TenancyErrorCode.INVITATION_ACCEPTED)
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])
    return invitation


def invitation_find(raw: str) -> Invitation | None:
    """The invitation behind a link, whatever its state; None when the token is unknown."""
    key_hash = _hash(raw)
    with lookup_by_key(key_hash):
        return Invitation.cross_tenant_objects.select_related("tenant").filter(key_hash=key_hash).first()


@transaction.atomic
def invitation_accept(*, raw_token: str, user=None, password: str | None = None, first_name: str = "", last_name: str = "") -> Membership:
    """Accept an invitation: an existing user (logged in, same email) or a new account.

    Single-use: the invitation row is locked and marked accepted in the same transaction.
    """
    invitation = invitation_find(raw_token)
    if invitation is None:
        raise NotFound(_("Ce lien d'invitation n'existe pas."), code=TenancyErrorCode.INVITATION_UNKNOWN)
    with tenant_context(invitation.tenant_id):
        invitation = Invitation.objects.select_for_update(of=("self",)).get(pk=invitation.pk)
        if not invitation.is_usable:
            raise Conflict(
                {
                    "accepted": _("Cette invitation a déjà été utilisée."),
                    "revoked": _("Cette invitation a été annulée."),
                    "expired": _("Cette invitation a expiré : demandez-en une nouvelle."),
                }[invitation.status],
                code=f"invitation_{invitation.status}",
            )
        if user is not None and user.is_authenticated:
            if user.email.lower() != invitation.email.lower():
                raise PermissionDenied(
                    _("Cette invitation a été envoyée à %(email)s : connectez-vous avec cette adresse.")
                    % {"email": invitation.email},
                    code=TenancyErrorCode.INVITATION_OTHER_EMAIL,
                )
        else:
            user = User.objects.filter(email__iexact=invitation.email).first()
            if user is not None:
                raise PermissionDenied(
                    _("Un compte existe déjà pour %(email)s : connectez-vous pour accepter.") % {"email": invitation.email},
                    code=TenancyErrorCode.LOGIN_REQUIRED,
                )
            try:
                validate_password(password or "")
            except ValidationError as exc:
                raise DomainError(" ".join(exc.messages), code=TenancyErrorCode.WEAK_PASSWORD, field="password") from exc
            user = User.objects.create_user(
                email=invitation.email, password=password, first_name=first_name, last_name=last_name
            )
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    user=user,
                    role=invitation.role,
                    clearance_level=invitation.clearance_level,
                    reports_to=invitation.reports_to,
                )
        except IntegrityError as exc:
            raise Conflict(_("Vous êtes déjà membre de cette société."), code=TenancyErrorCode.ALREADY_MEMBER) from exc
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
        return membership

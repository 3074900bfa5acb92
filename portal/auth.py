"""Signing in to the portal: one-time links (hashed, single use, 15 minutes; an invitation's
first link lasts longer), or a password with an optional TOTP code; lockout after repeated
failures. Runs inside the firm's tenant context (the firm comes from the URL).

A failed attempt is written (the counter, the log line) and answered, never raised: a raised
error would roll the counter back with the transaction.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import TOTP

from adv.tenancy.errors import DomainError
from clients import crypto

from .errors import PortalErrorCode
from .models import ClientPortal, PortalActivity, PortalContact, PortalContactStatus, PortalLink, PortalLinkPurpose

LOGIN_LINK_VALIDITY = datetime.timedelta(minutes=15)
INVITATION_VALIDITY = datetime.timedelta(days=7)
MAX_FAILED_ATTEMPTS = 5
LOCKOUT = datetime.timedelta(minutes=15)
# A password check costs the same whether the address exists or not.
_DUMMY_PASSWORD = make_password("not-a-portal-password")


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def log(contact: PortalContact | None, action: str, *, ip: str | None, client_id=None, subject_id="", **detail) -> PortalActivity:
    """One line of the portal's action log (contact, time, address, what)."""
    return PortalActivity.objects.create(
        contact=contact, client_id=client_id or contact.client_id, action=action, subject_id=str(subject_id or ""),
        ip_address=ip, detail={key: str(value) for key, value in detail.items()},
    )


def portal_enabled(client_id) -> bool:
    return ClientPortal.objects.filter(client_id=client_id, enabled=True).exists()


def may_sign_in(contact: PortalContact) -> bool:
    return (
        contact.status != PortalContactStatus.REVOKED
        and contact.contact.is_active
        and portal_enabled(contact.client_id)
    )


def issue_link(contact: PortalContact, purpose: str) -> str:
    """A new one-time link for the contact; returns the raw secret (only its hash is kept)."""
    raw = secrets.token_urlsafe(32)
    validity = INVITATION_VALIDITY if purpose == PortalLinkPurpose.INVITATION else LOGIN_LINK_VALIDITY
    PortalLink.objects.create(
        contact=contact, client_id=contact.client_id, purpose=purpose, key_hash=hash_secret(raw),
        expires_at=timezone.now() + validity,
    )
    return raw


@dataclass
class SignIn:
    contact: PortalContact | None
    error: str = ""
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.contact is not None and not self.error


def _refused(code: PortalErrorCode, message: str) -> SignIn:
    return SignIn(None, str(code), message)


@transaction.atomic
def consume_link(raw: str, *, ip: str | None) -> SignIn:
    """Sign in with a one-time link: unknown, expired, used or revoked links change nothing but
    the log."""
    link = (
        PortalLink.objects.select_for_update(of=("self",)).select_related("contact__contact")
        .filter(key_hash=hash_secret(raw or "")).first()
    )
    if link is None:
        return _refused(PortalErrorCode.LINK_INVALID, _("Ce lien de connexion n'est pas valide."))
    contact = link.contact
    if link.used_at is not None:
        log(contact, "login_link_reused", ip=ip, subject_id=link.pk)
        return _refused(PortalErrorCode.LINK_USED, _("Ce lien a déjà servi : demandez-en un nouveau."))
    if link.expires_at <= timezone.now():
        log(contact, "login_link_expired", ip=ip, subject_id=link.pk)
        return _refused(PortalErrorCode.LINK_EXPIRED, _("Ce lien a expiré : demandez-en un nouveau."))
    if not may_sign_in(contact):
        log(contact, "login_refused_revoked", ip=ip, subject_id=link.pk)
        return _refused(PortalErrorCode.CONTACT_REVOKED, _("Votre accès au portail a été retiré. Contactez votre interlocuteur."))
    link.used_at = timezone.now()
    link.save(update_fields=["used_at", "updated_at"])
    _signed_in(contact, ip=ip, how=link.purpose)
    return SignIn(contact)


def _signed_in(contact: PortalContact, *, ip: str | None, how: str) -> None:
    contact.failed_attempts = 0
    contact.locked_until = None
    contact.last_login_at = timezone.now()
    if contact.status == PortalContactStatus.INVITED:
        contact.status = PortalContactStatus.ACTIVE
    contact.save(update_fields=["failed_attempts", "locked_until", "last_login_at", "status", "updated_at"])
    log(contact, "login", ip=ip, method=how)


def _live_contact(email: str) -> PortalContact | None:
    return (
        PortalContact.objects.select_related("contact")
        .exclude(status=PortalContactStatus.REVOKED)
        .filter(email=(email or "").strip().lower())
        .first()
    )


@transaction.atomic
def request_login_link(email: str, *, ip: str | None) -> tuple[PortalContact, str] | None:
    """The contact's new 15-minute link, or None when the address has no access (the page
    answers the same either way: it never tells who has an account)."""
    contact = _live_contact(email)
    if contact is None or not may_sign_in(contact):
        return None
    raw = issue_link(contact, PortalLinkPurpose.LOGIN)
    log(contact, "login_link_requested", ip=ip)
    return contact, raw


@transaction.atomic
def password_login(email: str, password: str, code: str, *, ip: str | None) -> SignIn:
    contact = _live_contact(email)
    if contact is not None:
        contact = PortalContact.objects.select_for_update(of=("self",)).select_related("contact").get(pk=contact.pk)
    now = timezone.now()
    if contact is None or not contact.password:
        check_password(password or "", _DUMMY_PASSWORD)
        return _refused(PortalErrorCode.BAD_CREDENTIALS, _("Adresse e-mail ou mot de passe incorrect."))
    if contact.locked_until and contact.locked_until > now:
        log(contact, "login_locked_out", ip=ip)
        return _refused(
            PortalErrorCode.LOCKED_OUT,
            _("Trop d'essais infructueux : réessayez dans 15 minutes, ou connectez-vous par un lien envoyé par e-mail."),
        )
    if not check_password(password or "", contact.password):
        return _failed(contact, ip=ip, reason="password")
    if contact.totp_enabled:
        if not (code or "").strip():
            return _refused(PortalErrorCode.SECOND_FACTOR_REQUIRED, _("Saisissez le code de votre application d'authentification."))
        if not totp_verify(contact, code):
            return _failed(contact, ip=ip, reason="totp")
    if not may_sign_in(contact):
        log(contact, "login_refused_revoked", ip=ip)
        return _refused(PortalErrorCode.CONTACT_REVOKED, _("Votre accès au portail a été retiré. Contactez votre interlocuteur."))
    _signed_in(contact, ip=ip, how="password")
    return SignIn(contact)


def _failed(contact: PortalContact, *, ip: str | None, reason: str) -> SignIn:
    contact.failed_attempts += 1
    fields = ["failed_attempts", "updated_at"]
    if contact.failed_attempts >= MAX_FAILED_ATTEMPTS:
        contact.locked_until = timezone.now() + LOCKOUT
        contact.failed_attempts = 0
        fields.append("locked_until")
        log(contact, "locked_out", ip=ip, reason=reason)
    else:
        log(contact, "login_failed", ip=ip, reason=reason)
    contact.save(update_fields=fields)
    if reason == "totp":
        return _refused(PortalErrorCode.BAD_SECOND_FACTOR, _("Code incorrect."))
    return _refused(PortalErrorCode.BAD_CREDENTIALS, _("Adresse e-mail ou mot de passe incorrect."))


@transaction.atomic
def password_set(contact: PortalContact, password: str, *, ip: str | None) -> PortalContact:
    """The contact chooses (or changes) a password; their other sessions end."""
    try:
        validate_password(password)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), code=PortalErrorCode.WEAK_PASSWORD, field="password") from None
    contact = PortalContact.objects.select_for_update(of=("self",)).get(pk=contact.pk)
    contact.password = make_password(password)
    contact.session_epoch += 1
    contact.save(update_fields=["password", "session_epoch", "updated_at"])
    log(contact, "password_set", ip=ip)
    return contact


# --- TOTP -------------------------------------------------------------------------------------


def _totp(secret_hex: str) -> TOTP:
    return TOTP(bytes.fromhex(secret_hex), step=30, digits=6)


def totp_new_secret() -> str:
    return secrets.token_hex(20)


def totp_verify(contact: PortalContact, code: str, *, secret_hex: str | None = None) -> bool:
    """Check a 6-digit code (one step of drift either way); a step already used is refused."""
    secret_hex = secret_hex or crypto.decrypt(contact.totp_secret_encrypted)
    code = (code or "").strip().replace(" ", "")
    if not secret_hex or not code.isdigit():
        return False
    totp = _totp(secret_hex)
    current = totp.t()
    for drift in (0, -1, 1):
        totp.drift = drift
        if totp.token() == int(code) and current + drift > contact.totp_last_step:
            contact.totp_last_step = current + drift
            contact.save(update_fields=["totp_last_step", "updated_at"])
            return True
    return False


@transaction.atomic
def totp_enable(contact: PortalContact, secret_hex: str, code: str, *, ip: str | None) -> PortalContact:
    contact = PortalContact.objects.select_for_update(of=("self",)).get(pk=contact.pk)
    if not totp_verify(contact, code, secret_hex=secret_hex):
        raise DomainError(_("Code incorrect : vérifiez l'heure de votre téléphone et réessayez."), code=PortalErrorCode.BAD_SECOND_FACTOR, field="code")
    contact.totp_secret_encrypted = crypto.encrypt(secret_hex)
    contact.totp_enabled = True
    contact.save(update_fields=["totp_secret_encrypted", "totp_enabled", "updated_at"])
    log(contact, "totp_enabled", ip=ip)
    return contact


def totp_uri(contact: PortalContact, secret_hex: str, issuer: str) -> str:
    import base64
    from urllib.parse import quote

    secret = base64.b32encode(bytes.fromhex(secret_hex)).decode().rstrip("=")
    label = quote(f"{issuer}:{contact.email}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}&digits=6&period=30"

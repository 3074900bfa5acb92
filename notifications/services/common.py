"""Small helpers every part of the notifications core uses: rights, the firm, languages, links."""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from adv.tenancy.context import require_tenant_id
from adv.tenancy.models import Membership, Role, Tenant

from .. import defaults
from ..errors import PermissionDenied

User = get_user_model()

User = get_user_model()


def require_admin(actor: Membership | None) -> None:
    if actor is None or not actor.is_active or actor.role != Role.ADMIN or actor.tenant_id != require_tenant_id():
        raise PermissionDenied(_("Réservé aux administrateurs de la société."))


def current_tenant() -> Tenant:
    return Tenant.objects.get(pk=require_tenant_id())


def language_code(language: str | None, fallback: str = defaults.FALLBACK_LANGUAGE) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else fallback


def absolute_url(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL + (url if url.startswith("/") else "/" + url)


def as_user(person) -> User | None:
    if person is None:
        return None
    if isinstance(person, Membership):
        return person.user
    return person


def email_domain() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "adv.localhost"

"""What the reminder messages say: links, names, months and days in the recipient's language."""


from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from adv.tenancy.context import require_tenant_id
from adv.tenancy.models import Membership, Tenant
from adv.ui.french import long_date
from notifications.services import notify


def _url(name: str, slug: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs={"tenant_slug": slug, **kwargs})
    except NoReverseMatch:
        return None


def timesheet_url(slug: str, month: datetime.date, member: Membership | None = None) -> str:
    """The recipient's own timesheet of `month` (the CRA pages)."""
    url = _url("timesheets:month", slug, year=month.year, month=month.month)
    if url:
        return url
    return _url("timesheets:mine", slug) or f"/t/{slug}/timesheets/"


def approval_queue_url(slug: str, month: datetime.date) -> str:
    url = _url("timesheets:queue", slug)
    return f"{url}?month={month:%Y-%m}" if url else f"/t/{slug}/timesheets/"


def closing_url(slug: str, name: str, month: datetime.date | None = None, **query) -> str:
    url = _url(f"timesheets:{name}", slug) or f"/t/{slug}/timesheets/closing/"
    params = {**({"month": f"{month:%Y-%m}"} if month else {}), **query}
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def language_for(user, tenant: Tenant) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    for language in (getattr(user, "language", ""), tenant.language):
        if language in codes:
            return language
    return settings.LANGUAGE_CODE


def format_month(month: datetime.date) -> str:
    return formats.date_format(month, "F Y")


def format_day(day: datetime.date) -> str:
    return long_date(day, "l j F Y")  # "lundi 1er février 2027"


def first_name(member: Membership) -> str:
    return member.user.first_name or str(member.user)


def full_name(member: Membership | None) -> str:
    if member is None:
        return ""
    return member.user.get_full_name() or member.user.email


def _manager_name(member: Membership) -> str:
    manager = member.reports_to if member.reports_to_id else None
    if manager is not None and manager.is_active:
        return full_name(manager)
    return str(_("l'ADV"))


def consultant_context(member: Membership, *, month: datetime.date, deadline: datetime.date, tenant: Tenant) -> dict:
    with translation.override(language_for(member.user, tenant)):
        return {
            "first_name": first_name(member),
            "month": format_month(month),
            "deadline": format_day(deadline),
            "manager": _manager_name(member),
        }


def approver_context(
    member: Membership, *, month: datetime.date, deadline: datetime.date, tenant: Tenant, consultants: list[Membership]
) -> dict:
    names = sorted(full_name(c) for c in consultants)
    with translation.override(language_for(member.user, tenant)):
        waiting = ngettext(
            "%(count)s CRA de votre équipe attend", "%(count)s CRA de votre équipe attendent", len(names)
        ) % {"count": len(names)}
        adv = str(_("l'ADV"))
        manager = full_name(member.reports_to) if member.reports_to_id and member.reports_to.is_active else ""
        adv_or_manager = _("%(adv)s ou %(manager)s") % {"adv": adv, "manager": manager} if manager else adv
    return {
        **consultant_context(member, month=month, deadline=deadline, tenant=tenant),
        "count": str(len(names)),
        "consultants": "\n".join(f"- {name}" for name in names),
        "waiting": waiting,
        "adv_or_manager": adv_or_manager,
    }


def current_tenant() -> Tenant:
    return Tenant.objects.get(pk=require_tenant_id())


def send(member: Membership, *, key: str, context: dict, url: str, actor: Membership | None = None, target=None) -> None:
    notify(recipients=[member], event=key, context=context, url=url, actor=actor, target=target)



"""How the firm's audit trail reads (the history engine's configuration for the firm itself, its
memberships and its members' user accounts), registered when the UI app is ready."""

from __future__ import annotations

from django.utils.formats import localize
from django.utils.translation import gettext, gettext_lazy

from adv import history
from adv.history import Relation, Tracked

AUDIT_EVENT_MODELS = ("tenancy.TenantEvent", "tenancy.MembershipEvent", "users.UserEvent")
USER = "users.User"


def _member_name(member) -> str:
    return str(member.user)


def _user_subject(event, data, names) -> str:
    user = names.get(USER, event.pgh_obj_id)
    return str(user) if user is not None else data.get("email", "")


def _member_subject(event, data, names) -> str:
    user = names.get(USER, data.get("user_id"))
    return str(user) if user is not None else gettext("membre supprimé")


# The audit trail shows dates as stored (ISO) and names actors as their account reads.
AUDIT = {
    "hidden": frozenset({"is_superuser"}),
    "relations": {
        "tenancy.Membership": Relation(show=_member_name, missing=gettext_lazy("membre supprimé"), select_related=("user",)),
        USER: Relation(),
    },
    "dates": False,
    "decimal": localize,
    "actor": str,
}

history.register(
    Tracked(
        "tenancy.TenantEvent", gettext_lazy("Société"),
        subject=lambda event, data, names: data.get("name") or names.extra["tenant"].name, **AUDIT,
    ),
    Tracked(
        "tenancy.MembershipEvent", gettext_lazy("Membre"), subject=_member_subject,
        creation=("role", "clearance_level", "reports_to_id", "is_active"), **AUDIT,
    ),
    Tracked(
        "users.UserEvent", gettext_lazy("Utilisateur"), subject=_user_subject,
        refers=lambda event, data: [(USER, event.pgh_obj_id)], **AUDIT,
    ),
)

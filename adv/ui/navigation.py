"""The sidebar navigation, as data: each feature registers its entries here (or in its own
AppConfig.ready) and the layout shows those the member's role may use.

    from adv.ui.navigation import NavItem, register
    register(NavItem("clients", _("Clients"), "bi-building", section=SECTION_MAIN, order=20))

An item whose URL name does not resolve (a feature not installed) is skipped, so entries can
be registered before their pages exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from adv.tenancy.models import Role

SECTION_MAIN = "main"
SECTION_ADMIN = "admin"

SECTIONS: dict[str, tuple[Promise | None, int]] = {
    SECTION_MAIN: (None, 0),
    SECTION_ADMIN: (_("Administration"), 90),
}

ALL_ROLES = frozenset(Role.values)


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: Promise | str
    icon: str  # a Bootstrap Icons class, e.g. "bi-people"
    section: str = SECTION_MAIN
    roles: frozenset[str] = ALL_ROLES
    order: int = 50
    exact: bool = False  # active only on its own URL (not on the pages below it)
    test_id: str = field(default="", compare=False)


@dataclass(frozen=True)
class NavLink:
    """A resolved item, ready for the template."""

    label: str
    icon: str
    url: str
    active: bool
    test_id: str


@dataclass(frozen=True)
class NavSection:
    key: str
    label: str | None
    links: list[NavLink]


_REGISTRY: list[NavItem] = []


def register(*items: NavItem) -> None:
    """Add entries; an entry for a URL name already registered replaces the earlier one."""
    for item in items:
        for index, existing in enumerate(_REGISTRY):
            if existing.url_name == item.url_name:
                _REGISTRY[index] = item
                break
        else:
            _REGISTRY.append(item)


def registered_items() -> list[NavItem]:
    return list(_REGISTRY)


def register_section(key: str, label: Promise | str | None, order: int) -> None:
    SECTIONS.setdefault(key, (label, order))


def _resolve(item: NavItem, tenant_slug: str) -> str | None:
    try:
        return reverse(item.url_name, kwargs={"tenant_slug": tenant_slug})
    except NoReverseMatch:
        return None


def navigation_for(*, role: str | None, tenant_slug: str, path: str) -> list[NavSection]:
    """The sections and links this role sees, the current page marked active."""
    if role is None:
        return []
    resolved: list[tuple[NavItem, str]] = []
    for item in sorted(_REGISTRY, key=lambda i: (SECTIONS.get(i.section, (None, 50))[1], i.order)):
        if role not in item.roles:
            continue
        url = _resolve(item, tenant_slug)
        if url is not None:
            resolved.append((item, url))
    # The longest matching URL wins, so that "Membres" is active on a member's page and
    # "Tableau de bord" (the tenant root) only on itself.
    best = ""
    for item, url in resolved:
        matches = path == url if item.exact else path.startswith(url)
        if matches and len(url) > len(best):
            best = url
    sections: dict[str, NavSection] = {}
    for item, url in resolved:
        label, _order = SECTIONS.get(item.section, (None, 50))
        section = sections.setdefault(item.section, NavSection(item.section, str(label) if label else None, []))
        section.links.append(
            NavLink(
                label=str(item.label),
                icon=item.icon,
                url=url,
                active=url == best,
                test_id=item.test_id or f"nav-{item.url_name.replace(':', '-')}",
            )
        )
    return list(sections.values())


ADMIN_ONLY = frozenset({Role.ADMIN})

register(
    NavItem("dashboard", _("Tableau de bord"), "bi-speedometer2", order=0, exact=True),
    NavItem("members", _("Membres"), "bi-people", section=SECTION_ADMIN, roles=ADMIN_ONLY, order=10),
    NavItem("invitations", _("Invitations"), "bi-envelope-plus", section=SECTION_ADMIN, roles=ADMIN_ONLY, order=20),
    NavItem(
        "firm_settings", _("Paramètres de la société"), "bi-building-gear", section=SECTION_ADMIN,
        roles=ADMIN_ONLY, order=30,
    ),
    NavItem("audit", _("Journal d'audit"), "bi-clock-history", section=SECTION_ADMIN, roles=ADMIN_ONLY, order=90),
)

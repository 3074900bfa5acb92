"""`{% fix_url check tenant.slug %}`: where to fix a pre-invoice check, in the reader's firm."""

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def fix_url(check, tenant_slug) -> str:
    fix = (check or {}).get("fix") if isinstance(check, dict) else None
    if not fix or not fix.get("view"):
        return ""
    try:
        url = reverse(fix["view"], kwargs={**(fix.get("kwargs") or {}), "tenant_slug": tenant_slug})
    except NoReverseMatch:
        return ""
    tab = fix.get("tab")
    return f"{url}?tab={tab}#{tab}" if tab else url


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key, "")

"""Template helpers of the account pages."""

import math
from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def whole_minutes(value) -> int:
    """A duration in whole minutes, rounded up (a 30-second wait reads "1 minute")."""
    if isinstance(value, timedelta):
        return max(1, math.ceil(value.total_seconds() / 60))
    return 0

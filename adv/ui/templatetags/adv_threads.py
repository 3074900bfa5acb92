"""`{% load adv_threads %}` … `{% include "chat/_row_thread.html" with thread=row_threads|thread_of:row.pk %}`: a report
row's conversation summary from the page's `adv.ui.threads.summaries` (one query a page)."""

from django import template

register = template.Library()


@register.filter
def thread_of(summaries, key):
    if not summaries:
        return None
    return summaries.get(key)

"""The reports' row summaries (adv.ui.threads): the cockpit, the unsigned deals and the missing
documents show each row's thread's last message and the reader's unread count, one query a page."""

from adv.ui import threads

from .selectors import thread_summaries

threads.register(thread_summaries)

"""Signals of the notifications floor, for the floors above it (never importing them)."""

from django.dispatch import Signal

# Someone was chased about a business object (a "Relancer" button, or a scheduled chase), besides
# the notification the chase sends. Sent inside the chasing transaction. Keywords: object_type
# ("client", "deal", "milestone", "invoice", "timesheet", "document"), object_id, responsible_ids
# (memberships), actor_id (None for a scheduled chase), text (what is missing), code (the blocker).
# The chat (chat/receivers.py) posts it in the object's thread, mentioning the responsible.
chase_sent = Signal()

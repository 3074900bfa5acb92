"""Default wording of the chat's notification: a mention (registered when the app is ready; firms
may reword it on the templates page). During do-not-disturb it goes to the digest only."""

from django.utils.translation import gettext_lazy as _

from notifications import defaults

defaults.register(
    "chat.mention",
    subject_fr="{{ actor_name }} vous a mentionné : {{ conversation_title }}",
    body_fr="Bonjour {{ recipient_name }},\n\n{{ actor_name }} vous a mentionné dans « {{ conversation_title }} » :\n\n{{ excerpt }}\n\n{{ url }}",
    subject_en="{{ actor_name }} mentioned you: {{ conversation_title }}",
    body_en="Hello {{ recipient_name }},\n\n{{ actor_name }} mentioned you in \"{{ conversation_title }}\":\n\n{{ excerpt }}\n\n{{ url }}",
    placeholders=["recipient_name", "actor_name", "conversation_title", "excerpt", "url"],
    label=_("Chat : mention"),
)

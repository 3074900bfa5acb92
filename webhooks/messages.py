"""Default message (French and English) of webhooks: an endpoint disabled after repeated failures,
sent to the firm's admins (registered when the app is ready)."""

from django.utils.translation import gettext_lazy as _

from notifications import defaults

defaults.register(
    "webhooks.endpoint_disabled",
    subject_fr="Webhook désactivé : {{ endpoint_url }}",
    body_fr=(
        "Bonjour {{ recipient_name }},\n\nLe webhook {{ endpoint_url }} n'a répondu correctement à aucun envoi depuis le "
        "{{ failing_since }} : il a été désactivé et ne reçoit plus d'événements.\n\n"
        "Corrigez le serveur qui les reçoit, puis réactivez le webhook et rejouez les envois en échec depuis son journal.\n\n{{ url }}"
    ),
    subject_en="Webhook disabled: {{ endpoint_url }}",
    body_en=(
        "Hello {{ recipient_name }},\n\nThe webhook {{ endpoint_url }} has answered no delivery successfully since "
        "{{ failing_since }}: it has been disabled and receives no more events.\n\n"
        "Fix the receiving server, then enable the webhook again and replay the failed deliveries from its log.\n\n{{ url }}"
    ),
    placeholders=["recipient_name", "endpoint_url", "failing_since", "url"],
    label=_("Webhook désactivé après des échecs répétés"),
    sample={"endpoint_url": "https://erp.example.com/hooks/adv", "failing_since": "05/11/2026 14:02"},
)

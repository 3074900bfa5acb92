"""The demo firm's chat: channels, the conversations where month-end blocks, one unread mention
for the ADV login."""


from adv.tenancy.context import tenant_context
from adv.tenancy.models import Membership
from chat import selectors
from chat.models import Conversation


def test_demo_conversations_and_the_adv_unread_mention(demo_tenant):
    with tenant_context(demo_tenant):
        adv = Membership.objects.select_related("user").get(user__email="adv@demo.adv.test")
        assert selectors.unread_total(actor=adv)["mentions"] >= 1
        kinds = set(Conversation.objects.values_list("object_type", flat=True))
        assert {"deal", "milestone", "invoice"} <= kinds
        assert Conversation.objects.filter(kind="channel", title="facturation").exists()

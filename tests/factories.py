"""factory-boy factories. Tenant-owned factories must be used inside `tenant_context`."""

import factory
from django.contrib.auth import get_user_model

from adv.tenancy.models import Membership, Tenant


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"firm-{n}")
    name = factory.Sequence(lambda n: f"Firm {n}")
    legal_name = factory.LazyAttribute(lambda o: f"{o.name} SAS")
    legal_form = "SAS"
    siren = "732829320"
    siret = "73282932000074"
    vat_number = "FR44732829320"
    city = "Paris"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):  # noqa: N805 (factory-boy passes the object)
        obj.set_password(extracted or "correct-horse-battery-staple")
        if create:
            obj.save(update_fields=["password"])


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = "consultant"
    clearance_level = 1


# The tenant-owned rows tests insert directly (no service creates them in that shape): the
# factories give the fields every such test repeats, the test passes what it is about.


class DocumentFactory(factory.django.DjangoModelFactory):
    """A document filed on a client (pass `client` and `document_type`; `deal` optional)."""

    class Meta:
        model = "documents.Document"

    title = factory.Sequence(lambda n: f"Document {n}")


class PurchaseOrderFactory(factory.django.DjangoModelFactory):
    """A purchase order of a deal (pass `deal`)."""

    class Meta:
        model = "deals.PurchaseOrder"

    number = factory.Sequence(lambda n: f"BC-{n}")


class ClientApprovalFactory(factory.django.DjangoModelFactory):
    """The client's approval of a timesheet for a deal (pass `timesheet` and `deal`), pending by default."""

    class Meta:
        model = "timesheets.ClientApproval"


class MessageTemplateFactory(factory.django.DjangoModelFactory):
    """A firm's own wording of a message (pass `key`)."""

    class Meta:
        model = "notifications.MessageTemplate"

    language = "fr"
    subject = "Objet"
    body = "Texte"

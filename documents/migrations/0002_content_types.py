"""The content types of the moved models follow them from `clients` to `documents`, so that what
points at one keeps pointing at it: notifications about a document (`target_content_type`), the
permissions of documents (`view_restricted_document` and its per-document grants). A fresh database
has no such row yet (post_migrate creates them afterwards): nothing to do then."""

from django.db import migrations

MODELS = [
    "documenttype", "document", "documentevent", "documentversion", "documentversionevent", "documentdownload",
    "documentuserobjectpermission", "documentuserobjectpermissionevent", "documentrequirement",
    "documentrequirementevent",
]


def _relabel(apps, source: str, target: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    taken = content_type.objects.filter(app_label=target, model__in=MODELS).values_list("model", flat=True)
    content_type.objects.filter(app_label=source, model__in=MODELS).exclude(model__in=list(taken)).update(app_label=target)


def forward(apps, schema_editor):
    _relabel(apps, "clients", "documents")


def backward(apps, schema_editor):
    _relabel(apps, "documents", "clients")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("documents", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]

"""The document models move to the documents app (0010 and documents/0001). Their pghistory
triggers are named after the model's app (pgtrigger: `<app>.<Model>:<trigger>` hashed into the
name), so the clients-named ones are dropped here and documents/0001_initial.py installs the same
triggers under their new names. Reversing reinstalls these."""

import pgtrigger.migrations
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0008_drop_requirement_reminder'),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(model_name='document', name='insert_insert'),
        pgtrigger.migrations.RemoveTrigger(model_name='document', name='update_update'),
        pgtrigger.migrations.RemoveTrigger(model_name='document', name='delete_delete'),
        pgtrigger.migrations.RemoveTrigger(model_name='documentversion', name='insert_insert'),
        pgtrigger.migrations.RemoveTrigger(model_name='documentversion', name='update_update'),
        pgtrigger.migrations.RemoveTrigger(model_name='documentuserobjectpermission', name='insert_insert'),
        pgtrigger.migrations.RemoveTrigger(model_name='documentuserobjectpermission', name='delete_delete'),
        pgtrigger.migrations.RemoveTrigger(model_name='documentrequirement', name='insert_insert'),
        pgtrigger.migrations.RemoveTrigger(model_name='documentrequirement', name='update_update'),
        pgtrigger.migrations.RemoveTrigger(model_name='documentrequirement', name='delete_delete'),
    ]

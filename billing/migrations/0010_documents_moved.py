"""The document models moved from the clients app to the documents app (same tables): the foreign
keys to them now name `documents.…`. State only: the columns and constraints do not change."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0009_billing_job_row_level_security'),
        ('documents', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='invoiceattachment',
                    name='document',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='documents.document'),
                ),
            ],
        ),
    ]

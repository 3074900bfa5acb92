"""The document models moved from the clients app to the documents app (same tables): the foreign
keys to them now name `documents.…`. State only: the columns and constraints do not change."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('documents', '0001_initial'),
        ('timesheets', '0007_drop_reminder'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='clientapproval',
                    name='signed_document',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='documents.document'),
                ),
                migrations.AlterField(
                    model_name='clientapprovalevent',
                    name='signed_document',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='documents.document'),
                ),
            ],
        ),
    ]

"""The document models moved from the clients app to the documents app (same tables): the foreign
keys to them now name `documents.…`. State only: the columns and constraints do not change."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('deals', '0006_drop_deal_reminder'),
        ('documents', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='dealsignaturedocument',
                    name='document',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='documents.document'),
                ),
                migrations.AlterField(
                    model_name='dealsignaturedocument',
                    name='version',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='documents.documentversion'),
                ),
                migrations.AlterField(
                    model_name='milestone',
                    name='document',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='milestones', to='documents.document', verbose_name='document'),
                ),
                migrations.AlterField(
                    model_name='milestone',
                    name='required_document_type',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='documents.documenttype', verbose_name='document exigé avant facturation'),
                ),
                migrations.AlterField(
                    model_name='milestoneevent',
                    name='document',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='documents.document', verbose_name='document'),
                ),
                migrations.AlterField(
                    model_name='milestoneevent',
                    name='required_document_type',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='documents.documenttype', verbose_name='document exigé avant facturation'),
                ),
                migrations.AlterField(
                    model_name='purchaseorder',
                    name='document',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='documents.document'),
                ),
                migrations.AlterField(
                    model_name='purchaseorderevent',
                    name='document',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='documents.document'),
                ),
            ],
        ),
    ]

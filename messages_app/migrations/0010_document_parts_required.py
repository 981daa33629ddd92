"""The document of every message, topic and confirmation is now known (0009): required from here on,
and identifiers, keys and slugs are unique within their document. Apart from 0009 so that PostgreSQL
does not alter tables with the rows 0009 updated still pending in the same transaction."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("messages_app", "0009_documents_own_their_parts"),
    ]

    operations = [
        migrations.AlterField(
            model_name="message",
            name="document",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="messages", to="messages_app.document"),
        ),
        migrations.AlterField(
            model_name="topic",
            name="document",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="topics", to="messages_app.document"),
        ),
        migrations.AlterField(
            model_name="rulesacknowledgement",
            name="document",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="messages_app.document"),
        ),
        migrations.AlterField(model_name="message", name="identifier", field=models.CharField(max_length=20)),
        migrations.AlterField(model_name="section", name="key", field=models.SlugField()),
        migrations.AlterField(model_name="topic", name="slug", field=models.SlugField()),
        migrations.RemoveConstraint(model_name="rulesacknowledgement", name="rules_ack_once_per_version"),
        migrations.AddConstraint(
            model_name="rulesacknowledgement",
            constraint=models.UniqueConstraint(fields=("user", "document", "rules_version"), name="rules_ack_once_per_document_version"),
        ),
        migrations.AddConstraint(
            model_name="message",
            constraint=models.UniqueConstraint(fields=("document", "identifier"), name="message_identifier_unique_in_document"),
        ),
        migrations.AddConstraint(
            model_name="section",
            constraint=models.UniqueConstraint(fields=("document", "key"), name="section_key_unique_in_document"),
        ),
        migrations.AddConstraint(
            model_name="topic",
            constraint=models.UniqueConstraint(fields=("document", "slug"), name="topic_slug_unique_in_document"),
        ),
    ]

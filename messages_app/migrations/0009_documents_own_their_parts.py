"""Each document owns its sections, messages and topics (identifiers, keys and slugs are unique within a
document, not across the library), its audience and its readers' confirmations of its rules.

Existing rows belong to the one document loaded so far: messages to their section's document, topics
to the document of the messages tagged with them, confirmations of the rules to the document whose
editions have those rules.
"""

import django.db.models.deletion
from django.db import migrations, models


def assign_documents(apps, schema_editor):
    Document = apps.get_model("messages_app", "Document")
    Edition = apps.get_model("messages_app", "Edition")
    Message = apps.get_model("messages_app", "Message")
    Topic = apps.get_model("messages_app", "Topic")
    RulesAcknowledgement = apps.get_model("messages_app", "RulesAcknowledgement")
    for message in Message.objects.select_related("section"):
        message.document_id = message.section.document_id
        message.save(update_fields=["document"])
    first = Document.objects.order_by("pk").first()
    for topic in Topic.objects.all():
        tagged = Message.objects.filter(topics=topic).values_list("document_id", flat=True).first()
        topic.document_id = tagged or (first.pk if first else None)
        if topic.document_id is None:
            topic.delete()  # an index entry of no document at all
        else:
            topic.save(update_fields=["document"])
    documents_of = dict(Edition.objects.values_list("rules_version", "document_id"))
    for acknowledgement in RulesAcknowledgement.objects.all():
        acknowledgement.document_id = documents_of.get(acknowledgement.rules_version) or (first.pk if first else None)
        if acknowledgement.document_id is None:
            acknowledgement.delete()
        else:
            acknowledgement.save(update_fields=["document"])


class Migration(migrations.Migration):

    dependencies = [
        ("messages_app", "0008_edition_notifications"),
        ("national_societies", "0009_edition_notifications"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="original_language",
            field=models.CharField(default="en", help_text="The language the document is written in.", max_length=8),
        ),
        migrations.AddField(
            model_name="document",
            name="audience_all",
            field=models.BooleanField(
                default=True,
                help_text="Off: only the organisations listed in its audience read it (for example the IFRC and the ICRC).",
                verbose_name="every organisation reads it",
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="audience",
            field=models.ManyToManyField(blank=True, related_name="+", to="national_societies.nationalsociety"),
        ),
        migrations.AddField(
            model_name="document",
            name="retired_at",
            field=models.DateTimeField(
                blank=True,
                null=True,
                help_text="A retired document leaves readers' library and search; its editors, reviewers and focal points still read it.",
            ),
        ),
        migrations.AddField(
            model_name="message",
            name="document",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="messages", to="messages_app.document"),
        ),
        migrations.AddField(
            model_name="topic",
            name="document",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="topics", to="messages_app.document"),
        ),
        migrations.AddField(
            model_name="rulesacknowledgement",
            name="document",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="messages_app.document"),
        ),
        migrations.RunPython(assign_documents, migrations.RunPython.noop),
    ]

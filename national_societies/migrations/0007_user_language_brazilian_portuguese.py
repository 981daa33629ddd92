"""Portuguese is Brazilian Portuguese ("pt-br"): the Portuguese of the Americas, and the variant whose
catalogues django-allauth and Django have for the sign-in and account pages."""

from django.db import migrations


def to_brazilian(apps, schema_editor):
    apps.get_model("national_societies", "User").objects.filter(language="pt").update(language="pt-br")


def to_generic(apps, schema_editor):
    apps.get_model("national_societies", "User").objects.filter(language="pt-br").update(language="pt")


class Migration(migrations.Migration):
    dependencies = [("national_societies", "0006_user_language")]
    operations = [migrations.RunPython(to_brazilian, to_generic)]

"""The organisations' official names in the interface languages: a field, filled for the shipped
organisations.

A frozen copy of `OFFICIAL_NAMES` in `national_societies/organisations_data.py` as it stood when this
migration was written (a migration never imports that module). Safe to run again; an organisation
missing here (deleted, or added by a platform admin) is left as it is. The reverse empties nothing:
the field goes with it.
"""

from django.db import migrations, models

# slug -> {language code: official name}
OFFICIAL_NAMES = {
    "argentina": {"es": "Cruz Roja Argentina"},
    "bolivia": {"es": "Cruz Roja Boliviana"},
    "brazil": {"pt-br": "Cruz Vermelha Brasileira"},
    "canada": {"fr": "Société canadienne de la Croix-Rouge"},
    "chile": {"es": "Cruz Roja Chilena"},
    "colombia": {"es": "Cruz Roja Colombiana"},
    "costa-rica": {"es": "Cruz Roja Costarricense"},
    "cuba": {"es": "Cruz Roja Cubana"},
    "dominican-republic": {"es": "Cruz Roja Dominicana"},
    "ecuador": {"es": "Cruz Roja Ecuatoriana"},
    "el-salvador": {"es": "Cruz Roja Salvadoreña"},
    "guatemala": {"es": "Cruz Roja Guatemalteca"},
    "haiti": {"fr": "Société Nationale de la Croix-Rouge Haïtienne"},
    "honduras": {"es": "Cruz Roja Hondureña"},
    "mexico": {"es": "Cruz Roja Mexicana"},
    "nicaragua": {"es": "Cruz Roja Nicaragüense"},
    "panama": {"es": "Cruz Roja Panameña"},
    "paraguay": {"es": "Cruz Roja Paraguaya"},
    "peru": {"es": "Cruz Roja Peruana"},
    "uruguay": {"es": "Cruz Roja Uruguaya"},
    "venezuela": {"es": "Cruz Roja Venezolana"},
    "ifrc-americas": {"es": "Oficina Regional de la FICR para las Américas", "fr": "Bureau régional de la FICR pour les Amériques", "pt-br": "Escritório Regional da FICV para as Américas"},
    "icrc-americas": {"es": "Delegaciones del CICR en las Américas", "fr": "Délégations du CICR dans les Amériques", "pt-br": "Delegações do CICR nas Américas"},
}


def fill_official_names(apps, schema_editor):
    NationalSociety = apps.get_model("national_societies", "NationalSociety")
    for slug, names in OFFICIAL_NAMES.items():
        NationalSociety.objects.filter(slug=slug).update(official_names=names)


class Migration(migrations.Migration):

    dependencies = (("national_societies", "0011_invitation_batches"),)

    operations = (
        migrations.AddField(
            model_name="nationalsociety",
            name="official_names",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="The organisation's official name in each language that has one; readers of other languages see the name in English.",
                verbose_name="official names",
            ),
        ),
        migrations.RunPython(fill_official_names, migrations.RunPython.noop),
    )

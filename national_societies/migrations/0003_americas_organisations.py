"""The organisations of the IFRC Americas region, with the IFRC and ICRC email domains.

The data is a frozen copy of `national_societies/organisations_data.py` as it stood when this
migration was written: a migration must give the same result whenever it runs, so it never imports
that module. Safe to run again (update_or_create by slug); the reverse leaves the rows in place.

Allowed domains of the National Societies are deliberately absent: platform admins add them in the
Django admin once each society has confirmed the domains its people use.
"""

from django.db import migrations

# slug, kind, name in English, local name, ISO 3166-1 alpha-2 code ("" for a regional office)
ORGANISATIONS = (
    ("antigua-and-barbuda", "national_society", "Antigua and Barbuda Red Cross Society", "Antigua and Barbuda Red Cross Society", "AG"),
    ("argentina", "national_society", "Argentine Red Cross", "Cruz Roja Argentina", "AR"),
    ("bahamas", "national_society", "Bahamas Red Cross Society", "Bahamas Red Cross Society", "BS"),
    ("barbados", "national_society", "Barbados Red Cross Society", "Barbados Red Cross Society", "BB"),
    ("belize", "national_society", "Belize Red Cross Society", "Belize Red Cross Society", "BZ"),
    ("bolivia", "national_society", "Bolivian Red Cross", "Cruz Roja Boliviana", "BO"),
    ("brazil", "national_society", "Brazilian Red Cross", "Cruz Vermelha Brasileira", "BR"),
    ("canada", "national_society", "Canadian Red Cross Society", "Société canadienne de la Croix-Rouge", "CA"),
    ("chile", "national_society", "Chilean Red Cross", "Cruz Roja Chilena", "CL"),
    ("colombia", "national_society", "Colombian Red Cross", "Cruz Roja Colombiana", "CO"),
    ("costa-rica", "national_society", "Costa Rican Red Cross", "Cruz Roja Costarricense", "CR"),
    ("cuba", "national_society", "Cuban Red Cross", "Cruz Roja Cubana", "CU"),
    ("dominica", "national_society", "Dominica Red Cross Society", "Dominica Red Cross Society", "DM"),
    ("dominican-republic", "national_society", "Dominican Red Cross", "Cruz Roja Dominicana", "DO"),
    ("ecuador", "national_society", "Ecuadorian Red Cross", "Cruz Roja Ecuatoriana", "EC"),
    ("el-salvador", "national_society", "Salvadorean Red Cross Society", "Cruz Roja Salvadoreña", "SV"),
    ("grenada", "national_society", "Grenada Red Cross Society", "Grenada Red Cross Society", "GD"),
    ("guatemala", "national_society", "Guatemalan Red Cross", "Cruz Roja Guatemalteca", "GT"),
    ("guyana", "national_society", "Guyana Red Cross Society", "Guyana Red Cross Society", "GY"),
    ("haiti", "national_society", "Haitian National Red Cross Society", "Société Nationale de la Croix-Rouge Haïtienne", "HT"),
    ("honduras", "national_society", "Honduran Red Cross", "Cruz Roja Hondureña", "HN"),
    ("jamaica", "national_society", "Jamaica Red Cross", "Jamaica Red Cross", "JM"),
    ("mexico", "national_society", "Mexican Red Cross", "Cruz Roja Mexicana", "MX"),
    ("nicaragua", "national_society", "Nicaraguan Red Cross", "Cruz Roja Nicaragüense", "NI"),
    ("panama", "national_society", "Red Cross Society of Panama", "Cruz Roja Panameña", "PA"),
    ("paraguay", "national_society", "Paraguayan Red Cross", "Cruz Roja Paraguaya", "PY"),
    ("peru", "national_society", "Peruvian Red Cross", "Cruz Roja Peruana", "PE"),
    ("saint-kitts-and-nevis", "national_society", "Saint Kitts and Nevis Red Cross Society", "Saint Kitts and Nevis Red Cross Society", "KN"),
    ("saint-lucia", "national_society", "Saint Lucia Red Cross", "Saint Lucia Red Cross", "LC"),
    ("saint-vincent-and-the-grenadines", "national_society", "Saint Vincent and the Grenadines Red Cross", "Saint Vincent and the Grenadines Red Cross", "VC"),
    ("suriname", "national_society", "Suriname Red Cross", "Het Surinaamse Rode Kruis", "SR"),
    ("trinidad-and-tobago", "national_society", "Trinidad and Tobago Red Cross Society", "Trinidad and Tobago Red Cross Society", "TT"),
    ("united-states", "national_society", "American Red Cross", "American Red Cross", "US"),
    ("uruguay", "national_society", "Uruguayan Red Cross", "Cruz Roja Uruguaya", "UY"),
    ("venezuela", "national_society", "Venezuelan Red Cross", "Cruz Roja Venezolana", "VE"),
    ("ifrc-americas", "ifrc", "IFRC Americas Regional Office", "Oficina Regional de la FICR para las Américas", ""),
    ("icrc-americas", "icrc", "ICRC delegations in the Americas", "Delegaciones del CICR en las Américas", ""),
)

# organisation slug, email domain
ALLOWED_DOMAINS = (
    ("ifrc-americas", "ifrc.org"),
    ("icrc-americas", "icrc.org"),
)


def create_organisations(apps, schema_editor):
    NationalSociety = apps.get_model("national_societies", "NationalSociety")
    AllowedDomain = apps.get_model("national_societies", "AllowedDomain")
    for slug, kind, name, local_name, country_code in ORGANISATIONS:
        NationalSociety.objects.update_or_create(
            slug=slug,
            defaults={
                "kind": kind,
                "name": name,
                "local_name": local_name,
                "country_code": country_code,
            },
        )
    for slug, domain in ALLOWED_DOMAINS:
        AllowedDomain.objects.update_or_create(
            domain=domain, defaults={"national_society": NationalSociety.objects.get(slug=slug)}
        )


class Migration(migrations.Migration):

    dependencies = [
        ("national_societies", "0002_organisations_and_memberships"),
    ]

    operations = [
        migrations.RunPython(create_organisations, migrations.RunPython.noop),
    ]

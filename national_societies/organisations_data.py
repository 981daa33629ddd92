"""The organisations the app ships with: the IFRC Americas region.

Plain data, no Django imports. The data migration `0003_americas_organisations` holds a frozen copy
of these tuples (a migration must not change when this module does): to change a shipped
organisation, edit it here *and* add a data migration with the new values.
`tests/national_societies/test_models.py` fails while the two disagree.

Allowed email domains of National Societies are not shipped: platform admins add them in the
Django admin once each society has confirmed the domains its staff and volunteers use.
"""

NATIONAL_SOCIETY = "national_society"
IFRC = "ifrc"
ICRC = "icrc"

# slug, kind, name in English, local name, ISO 3166-1 alpha-2 code ("" for a regional office)
ORGANISATIONS = (
    ("antigua-and-barbuda", NATIONAL_SOCIETY, "Antigua and Barbuda Red Cross Society", "Antigua and Barbuda Red Cross Society", "AG"),
    ("argentina", NATIONAL_SOCIETY, "Argentine Red Cross", "Cruz Roja Argentina", "AR"),
    ("bahamas", NATIONAL_SOCIETY, "Bahamas Red Cross Society", "Bahamas Red Cross Society", "BS"),
    ("barbados", NATIONAL_SOCIETY, "Barbados Red Cross Society", "Barbados Red Cross Society", "BB"),
    ("belize", NATIONAL_SOCIETY, "Belize Red Cross Society", "Belize Red Cross Society", "BZ"),
    ("bolivia", NATIONAL_SOCIETY, "Bolivian Red Cross", "Cruz Roja Boliviana", "BO"),
    ("brazil", NATIONAL_SOCIETY, "Brazilian Red Cross", "Cruz Vermelha Brasileira", "BR"),
    ("canada", NATIONAL_SOCIETY, "Canadian Red Cross Society", "Société canadienne de la Croix-Rouge", "CA"),
    ("chile", NATIONAL_SOCIETY, "Chilean Red Cross", "Cruz Roja Chilena", "CL"),
    ("colombia", NATIONAL_SOCIETY, "Colombian Red Cross", "Cruz Roja Colombiana", "CO"),
    ("costa-rica", NATIONAL_SOCIETY, "Costa Rican Red Cross", "Cruz Roja Costarricense", "CR"),
    ("cuba", NATIONAL_SOCIETY, "Cuban Red Cross", "Cruz Roja Cubana", "CU"),
    ("dominica", NATIONAL_SOCIETY, "Dominica Red Cross Society", "Dominica Red Cross Society", "DM"),
    ("dominican-republic", NATIONAL_SOCIETY, "Dominican Red Cross", "Cruz Roja Dominicana", "DO"),
    ("ecuador", NATIONAL_SOCIETY, "Ecuadorian Red Cross", "Cruz Roja Ecuatoriana", "EC"),
    ("el-salvador", NATIONAL_SOCIETY, "Salvadorean Red Cross Society", "Cruz Roja Salvadoreña", "SV"),
    ("grenada", NATIONAL_SOCIETY, "Grenada Red Cross Society", "Grenada Red Cross Society", "GD"),
    ("guatemala", NATIONAL_SOCIETY, "Guatemalan Red Cross", "Cruz Roja Guatemalteca", "GT"),
    ("guyana", NATIONAL_SOCIETY, "Guyana Red Cross Society", "Guyana Red Cross Society", "GY"),
    ("haiti", NATIONAL_SOCIETY, "Haitian National Red Cross Society", "Société Nationale de la Croix-Rouge Haïtienne", "HT"),
    ("honduras", NATIONAL_SOCIETY, "Honduran Red Cross", "Cruz Roja Hondureña", "HN"),
    ("jamaica", NATIONAL_SOCIETY, "Jamaica Red Cross", "Jamaica Red Cross", "JM"),
    ("mexico", NATIONAL_SOCIETY, "Mexican Red Cross", "Cruz Roja Mexicana", "MX"),
    ("nicaragua", NATIONAL_SOCIETY, "Nicaraguan Red Cross", "Cruz Roja Nicaragüense", "NI"),
    ("panama", NATIONAL_SOCIETY, "Red Cross Society of Panama", "Cruz Roja Panameña", "PA"),
    ("paraguay", NATIONAL_SOCIETY, "Paraguayan Red Cross", "Cruz Roja Paraguaya", "PY"),
    ("peru", NATIONAL_SOCIETY, "Peruvian Red Cross", "Cruz Roja Peruana", "PE"),
    ("saint-kitts-and-nevis", NATIONAL_SOCIETY, "Saint Kitts and Nevis Red Cross Society", "Saint Kitts and Nevis Red Cross Society", "KN"),
    ("saint-lucia", NATIONAL_SOCIETY, "Saint Lucia Red Cross", "Saint Lucia Red Cross", "LC"),
    ("saint-vincent-and-the-grenadines", NATIONAL_SOCIETY, "Saint Vincent and the Grenadines Red Cross", "Saint Vincent and the Grenadines Red Cross", "VC"),
    ("suriname", NATIONAL_SOCIETY, "Suriname Red Cross", "Het Surinaamse Rode Kruis", "SR"),
    ("trinidad-and-tobago", NATIONAL_SOCIETY, "Trinidad and Tobago Red Cross Society", "Trinidad and Tobago Red Cross Society", "TT"),
    ("united-states", NATIONAL_SOCIETY, "American Red Cross", "American Red Cross", "US"),
    ("uruguay", NATIONAL_SOCIETY, "Uruguayan Red Cross", "Cruz Roja Uruguaya", "UY"),
    ("venezuela", NATIONAL_SOCIETY, "Venezuelan Red Cross", "Cruz Roja Venezolana", "VE"),
    ("ifrc-americas", IFRC, "IFRC Americas Regional Office", "Oficina Regional de la FICR para las Américas", ""),
    ("icrc-americas", ICRC, "ICRC delegations in the Americas", "Delegaciones del CICR en las Américas", ""),
)

# slug -> {language code of settings.LANGUAGES: official name}: the names an organisation bears in the
# interface languages, in its own language(s) (Spanish for the Spanish-speaking societies, Portuguese
# for Brazil, French for Haiti and, beside English, Canada; the IFRC's and the ICRC's offices in
# Spanish, French and Portuguese, their acronyms FICR/FICV and CICR). A reader of another language sees
# the name in English. Migration 0012_nationalsociety_official_names holds a frozen copy.
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
    "ifrc-americas": {
        "es": "Oficina Regional de la FICR para las Américas",
        "fr": "Bureau régional de la FICR pour les Amériques",
        "pt-br": "Escritório Regional da FICV para as Américas",
    },
    "icrc-americas": {
        "es": "Delegaciones del CICR en las Américas",
        "fr": "Délégations du CICR dans les Amériques",
        "pt-br": "Delegações do CICR nas Américas",
    },
}

# organisation slug, email domain. Only the two international organisations: see the docstring.
ALLOWED_DOMAINS = (
    ("ifrc-americas", "ifrc.org"),
    ("icrc-americas", "icrc.org"),
)

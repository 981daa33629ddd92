"""Demo accounts for a newcomer's machine. Never created in production without --demo."""

DEMO_PASSWORD = "keymessages-demo"

DEMO_ACCOUNTS = (
    # email, first name, last name
    ("member@colombia.example.org", "Camila", "Rojas"),
    ("admin@colombia.example.org", "Andrés", "Gómez"),
    ("member@mexico.example.org", "Lucía", "Hernández"),
    ("admin@mexico.example.org", "Mateo", "Ramírez"),
    ("focal@ifrc.example.org", "Grace", "Thompson"),
    ("focal@icrc.example.org", "Étienne", "Moreau"),
    ("platform@ifrc.example.org", "Priya", "Singh"),
)

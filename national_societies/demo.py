"""Demo accounts for a newcomer's machine. Never created in production without --demo."""

DEMO_PASSWORD = "keymessages-demo"

# Role values of `Membership.Role`, spelled out so that this module stays plain data.
MEMBER = "member"
SOCIETY_ADMIN = "society_admin"
FOCAL_POINT = "focal_point"
PLATFORM_ADMIN = "platform_admin"

DEMO_ACCOUNTS = (
    # email, first name, last name, organisation slug, role
    ("member@colombia.example.org", "Camila", "Rojas", "colombia", MEMBER),
    ("admin@colombia.example.org", "Andrés", "Gómez", "colombia", SOCIETY_ADMIN),
    ("member@mexico.example.org", "Lucía", "Hernández", "mexico", MEMBER),
    ("admin@mexico.example.org", "Mateo", "Ramírez", "mexico", SOCIETY_ADMIN),
    ("focal@ifrc.example.org", "Grace", "Thompson", "ifrc-americas", FOCAL_POINT),
    ("focal@icrc.example.org", "Étienne", "Moreau", "icrc-americas", FOCAL_POINT),
    ("platform@ifrc.example.org", "Priya", "Singh", "ifrc-americas", PLATFORM_ADMIN),
)

# The document's owners (the IFRC/ICRC regional communications team) prepare and review its editions:
# members of their organisation, with a role on the document given by the library's demo command
# (`create_demo_editorial`). email, first name, last name, organisation slug, document slug, role on it.
DEMO_EDITORIAL_ACCOUNTS = (
    ("editor@ifrc.example.org", "Sofía", "Vargas", "ifrc-americas", "migration-americas", "editor"),
    ("reviewer@icrc.example.org", "Jonas", "Keller", "icrc-americas", "migration-americas", "reviewer"),
)

# Email domains the two demo societies may invite. Demo only: real domains are added by platform
# admins in the Django admin, never shipped in a migration.
DEMO_DOMAINS = (
    ("colombia", "colombia.example.org"),
    ("mexico", "mexico.example.org"),
)

# Privileged demo accounts (society admins, focal points, platform admin) sign in with TOTP on this
# documented base32 secret: add it to any authenticator app. Demo only.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"

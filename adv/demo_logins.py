"""The demo firm's logins, printed by `make run` and listed in the README."""

DEMO_TENANT_SLUG = "demo"
DEMO_PASSWORD = "demo-adv-2026"
DEMO_LOGINS = {
    "password": DEMO_PASSWORD,
    "users": [
        ("admin@demo.adv.test", "admin"),
        ("adv@demo.adv.test", "adv"),
        ("sales@demo.adv.test", "sales"),
        ("pm@demo.adv.test", "project_manager"),
        ("manager@demo.adv.test", "manager"),
        ("consultant@demo.adv.test", "consultant"),
        ("contractor@demo.adv.test", "consultant (external contractor)"),
        ("accountant@demo.adv.test", "accountant"),
    ],
}

# The client portal of the demo firm (/p/demo/): two contacts of Helios Énergies (portal/demo.py).
DEMO_PORTAL_LOGINS = {
    "password": "portail-demo-2026",
    "contacts": [
        ("marc.olivier@helios-energies.example", True),  # sees the group (Helios Solutions Numériques)
        ("claire.fontaine@helios-energies.example", False),
    ],
}

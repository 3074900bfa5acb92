"""The absence types every new firm starts with (editable afterwards); names in French."""

ABSENCE_TYPES = [
    ("conges-payes", "Congés payés"),
    ("rtt", "RTT"),
    ("maladie", "Maladie"),
    ("formation", "Formation"),
    ("intercontrat", "Intercontrat"),
]

"""A local e-invoicing platform: a test double of an accredited platform speaking the same API as
the XP Z12-013 connector (see app.py). Served by `python -m einvoicing.emulator` (started by
`make run` when no platform is configured) or mounted in-process in tests (transport.py)."""

"""The client pages, one module per job: `records` (the list, a client's page and its tabs,
identity, contacts, billing profile, history) and `importing` (the import of clients and contacts)."""

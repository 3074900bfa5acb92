"""The document pages, one module per job: `documents` (a client's documents: panel, upload,
detail, versions, downloads, grants), `checklist` (expected documents: the checklist panel, the
missing-documents report and chases, the proof of order), `configuration` (document types and
expected documents, for admins)."""

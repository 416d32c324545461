"""Shared base: model types, access checks, audit log, i18n helpers, documents, home registry."""

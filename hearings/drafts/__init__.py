"""Drafts for public comment: draft budgets (lines) and community charters (sections)."""

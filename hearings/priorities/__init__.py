"""Participatory budgeting on the site (issue 7)."""

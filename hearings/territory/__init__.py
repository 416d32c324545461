"""Oblasts, raions, municipalities (the tenants) and their villages."""

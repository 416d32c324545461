"""Aimak: public hearings, drafts for comment and participatory budgeting for municipalities."""
from .app import create_app

__all__ = ["create_app"]

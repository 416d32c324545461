"""Aimak: public hearings, drafts for comment and participatory budgeting for municipalities.

`create_app` is imported lazily so that `hearings.voting` stays usable without Flask.
"""


def create_app(*args, **kwargs):
    from .app import create_app as factory

    return factory(*args, **kwargs)


__all__ = ["create_app"]

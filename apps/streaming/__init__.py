"""A minimal streaming app: catalog, playback, uploads, accounts and a web page.

Run it with ``python -m apps.streaming [--host H] [--port P] [--data-dir D]``.
"""

__all__ = ["create_app"]


def __getattr__(name: str) -> object:
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(name)

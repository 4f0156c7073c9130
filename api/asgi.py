"""The ASGI app for `ceasefire serve` (and any ASGI server): `api.asgi:app`."""

from api.app import create_app

app = create_app()

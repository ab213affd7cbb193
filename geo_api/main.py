"""ASGI entry point for process managers: ``uvicorn geo_api.main:app --factory``.

Only wires parts together; settings come from the ``GEO_API_`` environment.
"""

from __future__ import annotations

from fastapi import FastAPI

from geo_api.app import create_app


def app() -> FastAPI:
    """Application factory for ``uvicorn --factory``."""
    return create_app()

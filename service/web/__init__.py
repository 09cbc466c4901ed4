"""招商工作台: the officers' web workbench under ``/app/`` (Jinja2 pages, htmx, ECharts).

``install_workbench(app)`` mounts the vendored static files at ``/app/static``, adds the pages
and renders the service's errors as pages under ``/app/``. Accounts are created with
``python -m service.web account add USERNAME``.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from .errors import install_error_pages
from .pages import router
from .templating import STATIC_DIR

__all__ = ["UPLOAD_PATHS", "install_workbench"]

#: Workbench paths that take file uploads (they get the upload size limit, not the JSON one).
UPLOAD_PATHS = ("/app/imports", "/app/models/train")


def install_workbench(app: FastAPI) -> None:
    """Mount the workbench on ``app`` (after the JSON routes and error handlers)."""
    app.mount("/app/static", StaticFiles(directory=STATIC_DIR), name="web-static")
    app.include_router(router)
    install_error_pages(app)

"""One router per resource."""

from __future__ import annotations

from fastapi import APIRouter

from .chains import router as chains_router
from .enterprises import router as enterprises_router
from .exports import router as exports_router
from .health import router as health_router
from .imports import router as imports_router
from .leads import router as leads_router
from .models import router as models_router
from .opportunity import router as opportunity_router
from .parks import router as parks_router
from .tenants import router as tenants_router

__all__ = ["routers"]

#: Every router, in the order the OpenAPI docs list them.
routers: list[APIRouter] = [
    health_router,
    parks_router,
    enterprises_router,
    leads_router,
    opportunity_router,  # before imports: its /imports/events|policies|standards win over /imports/{kind}
    imports_router,
    exports_router,
    tenants_router,
    chains_router,
    models_router,
]

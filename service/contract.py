"""The API contract: an OpenAPI document that says what the service returns, and ``/docs``
served from vendored Swagger UI files (no network at run time).

Every operation documents its error responses with the one error body (:class:`ErrorPublic`):
422 (request or data invalid), 401/403 (keys; reads may be closed), 404 (ids in the path),
409 (writes), 413 (bodies), 429 (the operations that take a heavy-work slot), 503 (index not
ready, database away). A method a path does not support answers 405 with an ``Allow`` header
listing the methods it does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

__all__ = ["ErrorPublic", "ProblemPublic", "allowed_methods", "install_contract"]

STATIC = Path(__file__).parent / "static"


class ProblemPublic(BaseModel):
    """One problem of a request, a record or an imported file."""

    file: str | None = Field(default=None, description="文件名")
    row: int | None = Field(default=None, description="表格中的行号（表头为第 1 行）")
    column: str | None = Field(default=None, description="列或字段")
    value: str | None = Field(default=None, description="原值")
    message: str = Field(description="问题")
    expected: str | None = Field(default=None, description="应为")


class ProblemCount(BaseModel):
    """How many problems of one kind."""

    column: str | None
    message: str
    count: int


class ErrorPublic(BaseModel):
    """Every error response: ``detail`` says what happened and what to do."""

    detail: str = Field(description="原因和做法（中文）")
    problems: list[ProblemPublic] | None = Field(
        default=None, description="数据问题（最多 PARKMATCH_MAX_PROBLEMS 个）"
    )
    problem_total: int | None = Field(default=None, description="问题总数")
    problem_counts: list[ProblemCount] | None = Field(default=None, description="按类型计数")
    problems_url: str | None = Field(default=None, description="下载全部问题（CSV）的地址")


_TEXT = {
    "401": "缺少 API 密钥（写操作，或设置为读取也需密钥）",
    "403": "API 密钥无效，或服务未配置密钥",
    "404": "园区、企业或其他对象不存在",
    "409": "与已有数据冲突（编号已存在等）",
    "413": "请求体或上传文件超过上限",
    "422": "请求参数、请求体或数据未通过校验；problems 列出每个问题",
    "429": "大计算量请求已达并发上限，请按 Retry-After 稍后重试",
    "503": "匹配索引尚未就绪或数据库暂不可用，请按 Retry-After 稍后重试",
}
_RETRY = {
    "Retry-After": {
        "description": "建议的重试等待秒数",
        "schema": {"type": "string"},
        "required": False,
    }
}
_OPEN = {"/health"}


def _error(code: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "description": _TEXT[code],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorPublic"}}},
    }
    if code in ("429", "503"):
        out["headers"] = _RETRY
    return out


def _api_routes(app: FastAPI) -> list[APIRoute]:
    """Every operation of the app: its own routes and those of the routers it includes."""
    from .routes import routers

    found = [r for r in app.routes if isinstance(r, APIRoute)]
    for router in routers:
        found += [r for r in router.routes if isinstance(r, APIRoute)]
    return found


def _depending_on(app: FastAPI, *calls: Any) -> set[tuple[str, str]]:
    """(method, path) of the operations that depend, directly or not, on one of ``calls``."""

    def needs(dependant: Any) -> bool:
        return any(d.call in calls or needs(d) for d in getattr(dependant, "dependencies", []))

    out = set()
    for route in _api_routes(app):
        if needs(route.dependant):
            out |= {(m.lower(), route.path_format) for m in route.methods or ()}
    return out


def _writers(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of the operations that need a key whatever the settings (writes, heavy)."""
    from .deps import require_writer

    return _depending_on(app, require_writer)


def _heavy(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of the operations that may take a heavy-work slot (429 when busy)."""
    from .deps import heavy_slot, heavy_slots

    return _depending_on(app, heavy_slot, heavy_slots)


def _document_errors(
    schema: dict[str, Any],
    *,
    writers: set[tuple[str, str]],
    heavy: set[tuple[str, str]],
    reads_open: bool,
) -> dict[str, Any]:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (ProblemPublic, ProblemCount, ErrorPublic):
        model_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(model_schema.pop("$defs", {}))
        components[model.__name__] = model_schema
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            codes = ["422", "503"]
            keyed = (method, path) in writers or (not reads_open and path not in _OPEN)
            if keyed:
                codes += ["401", "403"]
            else:  # the key is optional here: say so, and promise no 401/403
                operation.pop("security", None)
            if path not in _OPEN:
                codes.append("404")  # ids in the path or in the body that do not exist
            if method in ("post", "put", "patch", "delete"):
                codes.append("409")
            if method in ("post", "put", "patch"):
                codes.append("413")
            if (method, path) in heavy:
                codes.append("429")
            for code in codes:
                responses[code] = _error(code)
    return schema


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method some route of ``app`` answers on ``path`` (HEAD with GET)."""
    methods: set[str] = set()
    for route in _api_routes(app):
        if route.path_regex.match(path):
            methods |= set(route.methods or ())
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def install_contract(app: FastAPI) -> None:
    """The OpenAPI document with its error responses, ``/docs`` from local files, and the
    methods of each path for the ``Allow`` header of a 405 (``app.state.allowed_methods``)."""
    app.state.allowed_methods = lambda path: allowed_methods(app, path)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            settings = getattr(app.state, "settings", None)
            app.openapi_schema = _document_errors(
                schema,
                writers=_writers(app),
                heavy=_heavy(app),
                reads_open=bool(getattr(settings, "reads_open", True)),
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} · 接口文档",
            swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/swagger-ui/favicon-32x32.png",
            oauth2_redirect_url="/docs/oauth2-redirect",
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    async def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

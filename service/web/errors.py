"""Error pages of the workbench: the service's error contract, rendered as HTML under ``/app/``.

The JSON API's handlers (:mod:`service.errors`) stay the single place that decides the status and
the message; for a request under ``/app/`` their JSON answer is turned into a page that says the
same (unknown ids give a friendly 404 page, a data problem lists every problem, an index that is
still building refreshes itself). Elsewhere nothing changes.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from .auth import CsrfError, SignInRequiredError, web_context
from .templating import render

__all__ = ["install_error_pages"]

Handler = Callable[[Request, Exception], Awaitable[Response] | Response]

_TITLES = {
    400: "请求有误",
    401: "需要登录",
    403: "没有权限",
    404: "未找到",
    405: "不支持的操作",
    409: "与已有数据冲突",
    413: "文件过大",
    422: "输入有误",
    429: "请稍后重试",
    500: "服务器出错了",
    503: "暂时不可用",
}


def _is_page(request: Request) -> bool:
    path = request.url.path
    return (path == "/app" or path.startswith("/app/")) and not path.startswith("/app/static/")


def _page(request: Request, status: int, detail: Any, problems: list[Any]) -> Response:
    ctx = web_context(request)
    if isinstance(detail, list):  # FastAPI's own validation detail
        detail = "；".join(str(d.get("msg", d)) if isinstance(d, dict) else str(d) for d in detail)
    if status == 404 and detail in (None, "", "未找到该路径（接口列表见 /docs）"):
        detail = "没有这个页面：链接可能有误，或该页面已移动。"
    response = render(
        ctx,
        "error.html",
        {
            "status": status,
            "heading": _TITLES.get(status, "出错了"),
            "detail": detail,
            "problems": problems,
            "refresh": status == 503,
        },
        status_code=status,
        title=_TITLES.get(status, "出错了"),
    )
    return response


def _wrap(handler: Handler) -> Handler:
    async def html_or_json(request: Request, exc: Exception) -> Response:
        result = handler(request, exc)
        response = await result if isinstance(result, Awaitable) else result
        if not _is_page(request):
            return response
        try:
            body = json.loads(bytes(response.body))
        except (AttributeError, ValueError):
            return response
        page = _page(
            request,
            response.status_code,
            body.get("detail"),
            list(body.get("problems") or []),
        )
        for name in ("retry-after",):
            if name in response.headers:
                page.headers[name] = response.headers[name]
        return page

    return html_or_json


async def _sign_in(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequiredError)
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": exc.next_url})
    return RedirectResponse(exc.next_url, status_code=303)


async def _csrf(request: Request, exc: Exception) -> Response:
    return _page(
        request,
        403,
        "表单已过期或来源不明（缺少有效的 CSRF 令牌），未执行任何操作：请刷新页面后重试。",
        [],
    )


def install_error_pages(app: FastAPI) -> None:
    """Render the app's error answers as pages under ``/app/`` (call after the JSON handlers)."""
    for key, handler in list(app.exception_handlers.items()):
        app.exception_handlers[key] = _wrap(handler)
    app.add_exception_handler(SignInRequiredError, _sign_in)
    app.add_exception_handler(CsrfError, _csrf)

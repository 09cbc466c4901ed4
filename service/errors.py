"""Library errors → HTTP, in one place.

Every error response is JSON with a ``detail`` a person can act on (Chinese first); validation
errors add ``problems``, one per problem, each with ``row``, ``column``, ``value``, ``message``
and ``expected``:

=========================  =======  =====================================================
error                      status   when
=========================  =======  =====================================================
``SchemaError``            422      a table, record or profile breaks the schema
``ConfigError``            422      bad weights or other settings in a request
``UnknownIdError``         404      a park or enterprise that is not in the data
request validation         422      a parameter or body of the wrong type or range
``IndexNotReadyError``     503      no index yet, or it lags a write (``Retry-After``)
``FontNotFoundError``      503      a PDF report without a Chinese font on the server
missing / wrong API key    401/403  no ``X-API-Key`` / a key that is not configured
upload too large           413      over ``PARKMATCH_MAX_UPLOAD_MB``
conflict                   409      the id exists already
value the DB refuses       422      e.g. a NUL character for PostgreSQL
database unavailable       503      the database does not answer
anything else              500      a bug: logged with its traceback, never shown
=========================  =======  =====================================================
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from matcher import ConfigError, MatcherError, SchemaError, UnknownIdError
from matcher.report import FontNotFoundError

__all__ = ["IndexNotReadyError", "install_error_handlers", "problem"]

log = logging.getLogger("parkmatch.service")


class IndexNotReadyError(Exception):
    """The matcher index cannot answer yet (first build running, or no data)."""

    def __init__(self, detail: str, *, retry_after: int | None = 2) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retry_after = retry_after


def problem(
    message: str,
    *,
    column: str | None = None,
    row: int | None = None,
    value: Any = None,
    expected: str | None = None,
    file: str | None = None,
) -> dict[str, Any]:
    """One problem in the same shape as :meth:`matcher.exceptions.Problem.to_dict`."""
    return {
        "file": file,
        "row": row,
        "column": column,
        "value": None if value is None else str(value),
        "message": message,
        "expected": expected,
    }


_PYDANTIC_ZH = {
    "missing": "缺少必填项",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_parsing": "应为 true/false",
    "bool_type": "应为 true/false",
    "string_type": "应为文本",
    "string_too_short": "不能为空",
    "string_too_long": "文本过长",
    "greater_than_equal": "数值过小",
    "greater_than": "数值过小",
    "less_than_equal": "数值过大",
    "less_than": "数值过大",
    "enum": "不是可选值之一",
    "literal_error": "不是可选值之一",
    "json_invalid": "JSON 格式错误",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "extra_forbidden": "不认识的字段",
}


def _where(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        kind = {"body": "请求体", "query": "查询参数", "path": "路径参数", "header": "请求头"}
        head = kind[parts[0]]
        rest = ".".join(parts[1:])
        return f"{head} {rest}".strip()
    return ".".join(parts)


def _validation_problems(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        message = _PYDANTIC_ZH.get(str(err.get("type")), "取值无效")
        value = err.get("input")
        shown = None if isinstance(value, dict) or value is None else value
        out.append(
            problem(
                message,
                column=_where(tuple(err.get("loc", ()))),
                value=shown,
                expected=str(err.get("msg", "")),
            )
        )
    return out


def _json(status: int, content: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    return JSONResponse(status_code=status, content=jsonable_encoder(content), headers=headers)


def problem_counts(problems: list[Any]) -> list[dict[str, Any]]:
    """How many problems of each kind (column and message), most frequent first (≤ 50 kinds)."""
    counts = Counter((p.column, p.message) for p in problems)
    return [
        {"column": column, "message": message, "count": n}
        for (column, message), n in counts.most_common(50)
    ]


async def _schema_error(request: Request, exc: Exception) -> Any:
    assert isinstance(exc, SchemaError)
    shown = int(getattr(request.app.state.settings, "max_problems", 100))
    total = len(exc.problems)
    head = f"{exc.file}：" if exc.file else ""
    first = f"第一个：{exc.problems[0]}" if exc.problems else ""
    detail = f"{head}数据校验未通过，共 {total} 个问题，未写入任何数据。{first}"
    content: dict[str, Any] = {
        "detail": detail,
        "problems": [p.to_dict() for p in exc.problems[:shown]],
        "problem_total": total,
        "problem_counts": problem_counts(exc.problems),
    }
    report_id = getattr(exc, "report_id", None)
    if total > shown:
        content["detail"] += f"（此处列出前 {shown} 个"
        if report_id:
            content["problems_url"] = f"/imports/problems/{report_id}"
            content["detail"] += f"，全部问题见 {content['problems_url']}"
        content["detail"] += "）"
    return _json(422, content)


async def _unknown_id(request: Request, exc: Exception) -> Any:
    return _json(404, {"detail": str(exc)})


async def _config_error(request: Request, exc: Exception) -> Any:
    return _json(422, {"detail": str(exc)})


async def _matcher_error(request: Request, exc: Exception) -> Any:
    return _json(422, {"detail": str(exc)})


async def _font_missing(request: Request, exc: Exception) -> Any:
    log.error("PDF 报告缺少中文字体：%s", exc)
    return _json(503, {"detail": f"服务器无法生成 PDF：{exc}"})


async def _index_not_ready(request: Request, exc: Exception) -> Any:
    assert isinstance(exc, IndexNotReadyError)
    headers = None if exc.retry_after is None else {"Retry-After": str(exc.retry_after)}
    return _json(503, {"detail": exc.detail}, headers)


async def _request_validation(request: Request, exc: Exception) -> Any:
    assert isinstance(exc, RequestValidationError)
    problems = _validation_problems(exc)
    summary = "；".join(f"{p['column']}：{p['message']}" for p in problems[:5])
    return _json(422, {"detail": f"请求参数无效：{summary}", "problems": problems})


_HTTP_ZH = {
    404: "未找到该路径（接口列表见 /docs）",
    405: "该路径不支持此请求方法（接口列表见 /docs）",
}


async def _http_error(request: Request, exc: Exception) -> Any:
    assert isinstance(exc, StarletteHTTPException)
    detail: Any = exc.detail
    if detail in ("Not Found", "Method Not Allowed") and exc.status_code in _HTTP_ZH:
        detail = _HTTP_ZH[exc.status_code]
    if exc.status_code == 400:  # only request bodies that cannot be parsed end here
        message = f"请求体无法解析（应为 JSON，或 multipart/form-data 上传）：{detail}"
        problems = [problem(message, column="请求体")]
        return _json(422, {"detail": message, "problems": problems})
    headers = dict(getattr(exc, "headers", None) or {})
    methods = getattr(request.app.state, "allowed_methods", None)  # set by install_contract
    if exc.status_code == 405 and methods is not None:  # every method of the path
        headers["Allow"] = ", ".join(methods(request.url.path))
    return _json(exc.status_code, {"detail": str(detail)}, headers or None)


async def _integrity_error(request: Request, exc: Exception) -> Any:
    log.warning("数据库约束冲突：%s", exc)
    return _json(409, {"detail": "与已有数据冲突（编号重复或引用的园区/企业不存在），未写入"})


async def _data_error(request: Request, exc: Exception) -> Any:
    log.warning("数据库拒绝了写入的值：%s", exc)
    return _json(
        422, {"detail": "数据库拒绝了其中的值（如控制字符、超长或超出范围的数字），未写入"}
    )


async def _database_unavailable(request: Request, exc: Exception) -> Any:
    log.error("数据库不可用：%s", exc)
    return _json(503, {"detail": "数据库暂时不可用，请稍后重试"}, {"Retry-After": "5"})


async def _unexpected(request: Request, exc: Exception) -> Any:
    ref = uuid.uuid4().hex[:8]
    log.error("未预期的错误 %s：%s %s", ref, request.method, request.url.path, exc_info=exc)
    detail = f"服务器内部错误（编号 {ref}），已记录；请把编号告诉管理员"
    return _json(500, {"detail": detail})


def install_error_handlers(app: FastAPI) -> None:
    """Register every error → HTTP mapping on ``app``."""
    app.add_exception_handler(SchemaError, _schema_error)
    app.add_exception_handler(UnknownIdError, _unknown_id)
    app.add_exception_handler(ConfigError, _config_error)
    app.add_exception_handler(FontNotFoundError, _font_missing)
    app.add_exception_handler(MatcherError, _matcher_error)
    app.add_exception_handler(IndexNotReadyError, _index_not_ready)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected)

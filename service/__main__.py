"""``python -m service``: run the parkmatch service with uvicorn.

Host, port and the number of worker processes come from ``PARKMATCH_HOST`` / ``PARKMATCH_PORT``
/ ``PARKMATCH_WORKERS`` (default ``127.0.0.1:8000``, one worker) or ``--host`` / ``--port`` /
``--workers``. Several workers share the database and the index snapshots (see the README's
"several workers and replicas"); with SQLite they must run on one machine.
"""

from __future__ import annotations

import argparse
import os
import sys

import uvicorn
from pydantic import ValidationError

from .config import Settings, get_settings
from .main import create_app


def app_from_env() -> object:
    """The application built from the environment (the factory each uvicorn worker calls)."""
    return create_app(get_settings())


def _settings_or_exit() -> Settings:
    try:
        return get_settings()
    except ValidationError as exc:  # one line per problem, never a traceback
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ())) or "设置"
            print(f"设置有误：{where}：{err.get('msg')}", file=sys.stderr)  # noqa: T201
        raise SystemExit(2) from None


def main(argv: list[str] | None = None) -> None:
    """Parse ``--host`` / ``--port`` / ``--workers`` and serve until interrupted."""
    settings = _settings_or_exit()
    parser = argparse.ArgumentParser(
        prog="python -m service", description="parkmatch 园区招商匹配服务（uvicorn）"
    )
    parser.add_argument("--host", default=settings.host, help=f"监听地址（默认 {settings.host}）")
    parser.add_argument(
        "--port", type=int, default=settings.port, help=f"端口（默认 {settings.port}）"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=settings.workers,
        help=f"工作进程数（默认 {settings.workers}；多个进程共用数据库和索引快照）",
    )
    args = parser.parse_args(argv)
    if args.workers > 1:
        # each worker builds its own app from the environment; the settings given on the
        # command line are passed on to them through it
        os.environ["PARKMATCH_HOST"] = args.host
        os.environ["PARKMATCH_PORT"] = str(args.port)
        uvicorn.run(
            "service.__main__:app_from_env",
            factory=True,
            host=args.host,
            port=args.port,
            log_level=settings.log_level,
            workers=args.workers,
        )
        return
    settings = settings.model_copy(update={"host": args.host, "port": args.port})
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        workers=1,
    )


if __name__ == "__main__":
    main()

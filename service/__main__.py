"""``python -m service``: run the parkmatch service with uvicorn (one worker).

Host and port come from ``PARKMATCH_HOST`` / ``PARKMATCH_PORT`` (default ``127.0.0.1:8000``)
or ``--host`` / ``--port``.
"""

from __future__ import annotations

import argparse

import uvicorn

from .config import get_settings
from .main import create_app


def main(argv: list[str] | None = None) -> None:
    """Parse ``--host`` / ``--port`` and serve until interrupted."""
    settings = get_settings()
    parser = argparse.ArgumentParser(
        prog="python -m service", description="parkmatch 园区招商匹配服务（uvicorn，单进程）"
    )
    parser.add_argument("--host", default=settings.host, help=f"监听地址（默认 {settings.host}）")
    parser.add_argument(
        "--port", type=int, default=settings.port, help=f"端口（默认 {settings.port}）"
    )
    args = parser.parse_args(argv)
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

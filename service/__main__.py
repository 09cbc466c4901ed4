"""``python -m service``: run the parkmatch service with uvicorn.

Host, port and the number of worker processes come from ``PARKMATCH_HOST`` / ``PARKMATCH_PORT``
/ ``PARKMATCH_WORKERS`` (default ``127.0.0.1:8000``, one worker) or ``--host`` / ``--port`` /
``--workers``. Several workers share the database and the index snapshots (see the README's
"several workers and replicas"); with SQLite they must run on one machine.

A port already in use is refused before the database is created or seeded (:func:`port_problem`);
Ctrl-C (SIGINT) or SIGTERM stops the server gracefully and ends the process quietly with exit
status 0 and a short goodbye.
"""

from __future__ import annotations

import argparse
import errno
import os
import signal
import socket
import sys
from types import FrameType

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


def port_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on ``host:port``, in Chinese with a hint; None if it can.

    The check binds a socket the way uvicorn will (``SO_REUSEADDR``) and closes it at once, so
    a port held by another server is found before anything else starts.

    Parameters
    ----------
    host : str
        The address to listen on.
    port : int
        The TCP port.

    Returns
    -------
    str or None
        One line naming the port and how to choose another, or None when the port is free.
    """
    hint = f"换一个端口：make run PORT={port + 1}，或 python -m service --port {port + 1}"
    if not 0 < port < 65536:
        return f"端口 {port} 无效：应为 1–65535 之间的整数。{hint}"
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        return f"无法解析监听地址 {host!r}：请检查 --host 或 PARKMATCH_HOST"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"端口 {port} 已被占用（{host}:{port}，可能另一个服务正在运行）。{hint}"
            if exc.errno == errno.EACCES:
                return f"没有权限监听端口 {port}（小于 1024 的端口需要管理员权限）。{hint}"
            return f"无法监听 {host}:{port}：{exc.strerror or exc}。{hint}"
    return None


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGTERM as Ctrl-C: uvicorn re-raises the signal it stopped on once it has shut down."""
    raise KeyboardInterrupt


def _goodbye() -> None:
    print("\n招商工作台已停止，再见。", file=sys.stderr)  # noqa: T201


def main(argv: list[str] | None = None) -> None:
    """Parse ``--host`` / ``--port`` / ``--workers``, check the port, serve until interrupted.

    A busy or forbidden port exits with status 2 and one line saying which port and how to choose
    another, before the database is touched. Ctrl-C or SIGTERM ends with status 0 and a goodbye.
    """
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
    problem = port_problem(args.host, args.port)
    if problem is not None:
        print(f"无法启动：{problem}", file=sys.stderr)  # noqa: T201
        raise SystemExit(2)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        _serve(args, settings)
    except KeyboardInterrupt:
        pass
    _goodbye()


def _serve(args: argparse.Namespace, settings: Settings) -> None:
    """Run uvicorn with the parsed arguments (one process, or several workers)."""
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

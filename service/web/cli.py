"""``python -m service.web account …``: the workbench's accounts, on the service's database.

The database is the one the service uses (``PARKMATCH_DATABASE_URL`` or ``.env``; default
``parkmatch.db`` in the working directory). Passwords are asked for twice without echo, or read
from standard input with ``--password-stdin`` (for scripts). Problems print one line and exit
with status 1; no traceback.
"""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from matcher import ConfigError

from .. import store
from ..config import get_settings
from .accounts import MIN_PASSWORD, create_account, set_password

__all__ = ["app", "main"]

app = typer.Typer(
    help="招商工作台的账号管理（使用服务的数据库：PARKMATCH_DATABASE_URL）",
    no_args_is_help=True,
    add_completion=False,
)
account_app = typer.Typer(
    help="干部账号：新建、列出、改密码、停用", no_args_is_help=True, add_completion=False
)
app.add_typer(account_app, name="account")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"错误：{message}", err=True)
    return typer.Exit(1)


def _password(stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"密码（至少 {MIN_PASSWORD} 个字符）：")
    if getpass.getpass("再输入一次：") != first:
        raise _fail("两次输入的密码不一致")
    return first


def _session() -> Session:
    engine = store.make_engine(get_settings().resolved_database_url)
    store.create_schema(engine)
    return Session(engine)


@account_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="用户名（记为跟进历史中的操作人）")],
    name: Annotated[str | None, typer.Option("--name", help="显示的姓名，如 张三")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="从标准输入读取密码（一行）")
    ] = False,
) -> None:
    """新建一个干部账号。"""
    password = _password(password_stdin)
    try:
        with _session() as session:
            account = create_account(session, username, password, display_name=name)
            session.commit()
            typer.echo(f"已新建账号 {account.username}（{account.display_name}）")
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    except SQLAlchemyError as exc:
        raise _fail(f"数据库不可用：{type(exc).__name__}") from None


@account_app.command("password")
def password(
    username: Annotated[str, typer.Argument(help="用户名")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="从标准输入读取密码（一行）")
    ] = False,
) -> None:
    """为账号设置新密码（其已登录的会话随即失效）。"""
    new = _password(password_stdin)
    try:
        with _session() as session:
            set_password(session, username, new)
            session.commit()
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"已更新 {username} 的密码")


@account_app.command("disable")
def disable(username: Annotated[str, typer.Argument(help="用户名")]) -> None:
    """停用账号（其会话随即失效；历史记录保留）。"""
    with _session() as session:
        account = session.get(store.Account, username.strip())
        if account is None:
            raise _fail(f"没有用户「{username}」")
        account.active = False
        session.commit()
    typer.echo(f"已停用 {username}")


@account_app.command("list")
def list_accounts() -> None:
    """列出全部账号。"""
    with _session() as session:
        rows = session.scalars(select(store.Account).order_by(store.Account.username)).all()
        if not rows:
            typer.echo("还没有账号：用 python -m service.web account add 用户名 --name 姓名 新建")
        for a in rows:
            state = "启用" if a.active else "停用"
            typer.echo(f"{a.username}\t{a.display_name}\t{state}")


def main() -> None:
    """Entry point of ``python -m service.web``."""
    app(prog_name="python -m service.web")

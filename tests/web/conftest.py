"""Fixtures of the workbench tests.

``server``: the real ``python -m service`` on a free loopback port, on a temporary SQLite file
seeded with the bundled sample, with one officer account made by the account CLI.
``browser``: Debian's headless Chromium through its chromedriver (Selenium), never a downloaded
browser; the tests skip with a clear message only when no browser is installed. Screenshots go
to ``build/screenshots/`` (``PARKMATCH_SCREENSHOTS`` overrides it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("PARKMATCH_SCREENSHOTS", ROOT / "build" / "screenshots"))
OFFICER = {"username": "zhangsan", "name": "张三", "password": "zhangsan-pass-2024"}
API_KEY = "key-for-scripts-0001"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
#: Window sizes of the screenshots: desktop and phone.
SIZES = {"1280": (1280, 800), "phone": (390, 844)}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(folder: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PARKMATCH_DATABASE_URL": f"sqlite:///{folder / 'workbench.db'}",
        "PARKMATCH_API_KEYS": json.dumps({"robot": API_KEY}),
        "PARKMATCH_LOG_LEVEL": "warning",
        "PARKMATCH_MODELS_DIR": str(folder / "models"),
        **extra,
    }


def add_account(env: dict[str, str], cwd: Path, username: str, name: str, password: str) -> str:
    """Create an account with ``python -m service.web account add`` (password on stdin)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "service.web",
            "account",
            "add",
            username,
            "--name",
            name,
            "--password-stdin",
        ],
        input=password + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@dataclass
class Server:
    """A running service: its base URL, database folder and environment."""

    base: str
    folder: Path
    env: dict[str, str]
    proc: subprocess.Popen[bytes]

    def url(self, path: str) -> str:
        """The absolute URL of ``path``."""
        return self.base + path


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """``python -m service`` on loopback, sample data, one account (张三 / zhangsan)."""
    folder = Path(tempfile.mkdtemp(prefix="parkmatch-web-"))
    port = _free_port()
    env = _env(folder, PARKMATCH_PORT=str(port))
    add_account(env, folder, OFFICER["username"], OFFICER["name"], OFFICER["password"])
    log = (folder / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "service"], cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        ready = False
        with httpx.Client(base_url=base, timeout=10) as http:
            while time.monotonic() < deadline and not ready:
                assert proc.poll() is None, (folder / "server.log").read_text()
                try:
                    ready = http.get("/health").json()["index"]["state"] == "ready"
                except (httpx.TransportError, ValueError, KeyError):
                    pass
                if not ready:
                    time.sleep(0.3)
        assert ready, (folder / "server.log").read_text()
        yield Server(base, folder, env, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def _chrome_options(profile: Path, downloads: Path) -> Any:
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--lang=zh-CN",
        f"--user-data-dir={profile}",
        "--window-size=1280,800",
    ):
        options.add_argument(arg)
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "intl.accept_languages": "zh-CN,zh",
        },
    )
    return options


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium driven by chromedriver; skipped only when neither can be found."""
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip(
            "no Chromium/chromedriver on this machine: install Debian's `chromium` and "
            "`chromium-driver` (.ci/run does so with apt-get) to run the browser tests"
        )
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("the selenium package is not installed (pip install -e '.[dev]')")
    profile = Path(tempfile.mkdtemp(prefix="parkmatch-chromium-"))
    downloads = Path(tempfile.mkdtemp(prefix="parkmatch-downloads-"))
    driver = webdriver.Chrome(
        options=_chrome_options(profile, downloads),
        service=Service(executable_path=str(CHROMEDRIVER)),
    )
    driver.set_page_load_timeout(60)
    driver.downloads = downloads  # type: ignore[attr-defined]
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(downloads, ignore_errors=True)


def screenshot(driver: Any, name: str) -> list[Path]:
    """Screenshots of the current page at 1280×800 and phone width (390×844)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.execute_script("window.scrollTo(0, 0)")
    out = []
    for label, (width, height) in SIZES.items():
        driver.set_window_size(width, height)
        time.sleep(0.4)  # charts resize on the window's resize event
        path = SCREENSHOTS / f"{name}-{label}.png"
        driver.save_screenshot(str(path))
        out.append(path)
    driver.set_window_size(*SIZES["1280"])
    return out


def slug(text: str) -> str:
    """A file-name-safe form of ``text``."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")

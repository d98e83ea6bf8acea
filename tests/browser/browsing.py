"""Helpers of the browser tests (fixtures in conftest.py). Browser tests: Debian's Chromium (headless) driven by Playwright from PyPI, against the app
served by uvicorn on 127.0.0.1 with a fresh SQLite database.

No browser is ever downloaded (`playwright install` is never run): Playwright launches
/usr/bin/chromium. Every request that would leave 127.0.0.1 is aborted and fails the test.
Screenshots of every page, at desktop and phone sizes, go to test-artifacts/browser/.
Where Chromium or Playwright is missing the tests skip, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import datetime
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from api.auth import Role
from api.db import make_engine, migrate, session_scope
from api.pages.tls import generate_certificate
from api.services.bureaus import create_bureau, issue_bureau_token
from api.signer import generate_key_file

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
SCREEN = {"width": 1920, "height": 1080}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Server:
    """The app under test: its plain and HTTPS addresses and the operator's token."""

    url: str
    https_url: str
    operator_token: str
    directory: Path


def _start(args: list[str], env: dict[str, str], url: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        process = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
    for _ in range(300):
        try:
            if httpx.get(url + "/api/health", verify=False, timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the server did not start: {log.read_text()[-2000:]}")


def serve(directory: Path) -> Iterator[Server]:
    """uvicorn serving `api.main:app` on a free port over HTTP, and another over HTTPS."""
    database = f"sqlite:///{directory / 'service.db'}"
    engine = make_engine(database)
    migrate(engine)
    with session_scope(engine) as session:
        create_bureau(session, code="XQ", name="示范县教育局", at="2026-06-01T09:00:00Z")
        token = issue_bureau_token(
            session, code="XQ", role=Role.OPERATOR, label="browser", at="2026-06-01T09:00:00Z"
        )
        session.commit()
    engine.dispose()
    generate_key_file(directory / "signing-key.pem")
    cert, key = generate_certificate(
        directory / "tls", hosts=["127.0.0.1", "localhost"], now=datetime.datetime.now(datetime.UTC)
    )
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "SUNSHINE_SIGNING_KEY_FILE": str(directory / "signing-key.pem"),
        "SUNSHINE_DATA_DIR": str(directory / "data"),
        "SUNSHINE_TLS_CERT_FILE": str(cert),
    }
    uvicorn = [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1"]
    http_port, https_port = _free_port(), _free_port()
    url, https_url = f"http://127.0.0.1:{http_port}", f"https://127.0.0.1:{https_port}"
    plain = _start([*uvicorn, "--port", str(http_port)], env, url, directory / "http.log")
    secure = _start(
        [
            *uvicorn,
            "--port",
            str(https_port),
            "--ssl-certfile",
            str(cert),
            "--ssl-keyfile",
            str(key),
        ],
        env,
        https_url,
        directory / "https.log",
    )
    yield Server(url=url, https_url=https_url, operator_token=token, directory=directory)
    for process in (plain, secure):
        process.terminate()
        process.wait(timeout=10)


def launch_chromium() -> Iterator[object]:
    """Debian's Chromium, headless, launched by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} is not installed (scripts/system-packages.txt lists chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright package is not installed (dev dependencies)")
    manager = sync_playwright().start()
    browser = manager.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    manager.stop()


@dataclass
class Guard:
    """What a browser context tried that it must not: leave 127.0.0.1, fail a script."""

    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def check(self) -> None:
        assert self.outside == [], f"requests left 127.0.0.1: {self.outside}"
        assert self.errors == [], f"page errors: {self.errors}"


@dataclass
class Browsing:
    """Opens guarded contexts and keeps screenshots."""

    browser: object
    guard: Guard
    contexts: list[object] = field(default_factory=list)

    def page(self, viewport: dict[str, int] = DESKTOP, *, https: bool = False):  # type: ignore[no-untyped-def]
        context = self.browser.new_context(  # type: ignore[attr-defined]
            viewport=viewport, ignore_https_errors=https, locale="zh-CN", accept_downloads=True
        )
        self.contexts.append(context)

        def route(route, request) -> None:  # type: ignore[no-untyped-def]
            host = urlsplit(request.url).hostname
            if request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
                route.continue_()
            else:
                self.guard.outside.append(request.url)
                route.abort()

        context.route("**/*", route)
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.on("pageerror", lambda error: self.guard.errors.append(str(error)))
        page.on(
            "console",
            lambda message: (
                self.guard.errors.append(message.text)
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )
        return page


def snapshot(page, name: str, *, sizes: tuple[str, ...] = ("desktop", "phone")) -> None:  # type: ignore[no-untyped-def]
    """Screenshots of the page as it is, at desktop and phone sizes (the viewport is restored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    for size in sizes:
        page.set_viewport_size({"desktop": DESKTOP, "phone": PHONE, "screen": SCREEN}[size])
        page.screenshot(path=str(ARTIFACTS / f"{name}-{size}.png"), full_page=True)
    page.set_viewport_size(original)


def guarded(chromium: object) -> Iterator[Browsing]:
    """Guarded browser contexts for one test; fails on any request leaving 127.0.0.1."""
    state = Browsing(browser=chromium, guard=Guard())
    yield state
    for context in state.contexts:
        context.close()  # type: ignore[attr-defined]
    state.guard.check()

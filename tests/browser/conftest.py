"""Fixtures of the browser tests; the machinery is in `browsing.py`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browsing import Browsing, Server, guarded, launch_chromium, serve


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serve(tmp_path_factory.mktemp("browser-server"))


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    yield from launch_chromium()


@pytest.fixture
def browsing(chromium: object) -> Iterator[Browsing]:
    yield from guarded(chromium)

"""Pages under a county's load: the big screen's JSON, the parent look-up page, the 公示 list.

Builds a published county draw through the service (the demo's story, without its outputs) on
a SQLite file, then times the pages through the app in-process and prints the figures:

    .venv/bin/python bench/bench_pages.py --applicants 20000
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from api import demo
from api.db import make_engine, migrate
from api.demo_county import DRAW_ID, DemoEntropy, applicant_rows, applicant_workbook
from api.main import create_app
from api.settings import Settings
from api.signer import Signer


def _published_county(directory: Path, count: int) -> tuple[str, dict[str, str], Signer]:
    entropy = DemoEntropy("bench-pages")
    signer = Signer(Ed25519PrivateKey.from_private_bytes(entropy.bytes("signing-key")))
    url = f"sqlite:///{directory / 'service.db'}"
    engine = make_engine(url)
    migrate(engine)
    desk = demo._Desk(engine=engine, signer=signer, clock=entropy.clock(), tell=lambda _: None)
    rows = applicant_rows(entropy, count)
    receipts = demo._register(desk, entropy, len(rows), applicant_workbook(rows))
    held = demo._witnesses_commit(desk, entropy)
    demo._ceremony(desk, entropy, held)
    engine.dispose()
    return url, receipts, signer


def _timed(label: str, runs: int, call) -> None:  # type: ignore[no-untyped-def]
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        answer = call()
        seconds.append(time.perf_counter() - start)
        assert answer.status_code == 200, answer.text[:300]
    size = len(answer.content)
    print(
        f"{label:<28} median {statistics.median(seconds) * 1000:8.1f} ms"
        f"  worst {max(seconds) * 1000:8.1f} ms  ({runs} runs, {size / 1024:.0f} kB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--applicants", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as directory:
        start = time.perf_counter()
        url, receipts, signer = _published_county(Path(directory), args.applicants)
        print(f"published county draw of {args.applicants} in {time.perf_counter() - start:.1f} s")
        settings = Settings(database_url=url, lookup_per_ip=10**6, lookup_per_application=10**6)
        client = TestClient(create_app(settings, signer=signer))
        application, code = next(iter(receipts.items()))
        _timed("big screen JSON", args.runs, lambda: client.get(f"/draws/{DRAW_ID}/screen.json"))
        _timed(
            "look-up answer page",
            args.runs,
            lambda: client.post(
                f"/draws/{DRAW_ID}/lookup", data={"application": application, "receipt": code}
            ),
        )
        _timed(
            "公示 list page (100 lines)", args.runs, lambda: client.get(f"/draws/{DRAW_ID}/list")
        )
        _timed("front door", args.runs, lambda: client.get("/"))


if __name__ == "__main__":
    main()

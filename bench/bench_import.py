"""Import benchmark: a large city's grade (150,000 children, 1,000 schools, 10 preferences) as
one XLSX, posted to the service's import endpoint on SQLite (or DATABASE_URL), all validated and
stored in one transaction. Target (issue 5): under a minute. Prints seconds, not a verdict.

    .venv/bin/python bench/bench_import.py [--applicants N]
"""

from __future__ import annotations

import argparse
import datetime
import sys
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "api"))
from import_corpus.builders import HEADER_ZH, fast_xlsx_bytes, make_id

from api.auth import Role
from api.db import make_engine, migrate, session_scope
from api.main import create_app
from api.services.bureaus import create_bureau, issue_bureau_token
from api.settings import Settings
from api.signer import Signer

SCHOOLS = tuple(f"S{n:03d}" for n in range(1000))
NOW = "2026-06-01T08:00:00Z"


def _row(n: int) -> list[str]:
    birth = datetime.date(2019, 9, 1) + datetime.timedelta(days=n % 365)
    region = f"{110000 + n // 1000:06d}"
    id_number = make_id(birth=birth.strftime("%Y%m%d"), sequence=f"{n % 1000:03d}", region=region)
    twins = n % 50 < 2
    first = n - n % 2 if twins else n
    preferences = ";".join(SCHOOLS[(first * 7 + k * 13) % 1000] for k in range(10))
    return [
        f"A{n:06d}",
        "张三丰" if n % 2 else "王小明",
        id_number,
        preferences,
        "T2",
        "MIG" if twins else "",
        f"G{n // 2}" if twins else "",
    ]


def _draw_spec() -> dict[str, object]:
    tiers = [{"id": "T1", "label": "户籍+房产"}, {"id": "T2", "label": "其他"}]
    return {
        "id": "CITY-2026",
        "title": "某市 2026 年初中电脑派位",
        "mode": "deferred_acceptance",
        "max_preferences": 10,
        "min_reveals": 1,
        "birth_date_from": "2019-09-01",
        "birth_date_to": "2020-08-31",
        "schools": [
            {"id": s, "name": f"第{i + 1}中学", "seats": 160, "tiers": tiers, "reserved": []}
            for i, s in enumerate(SCHOOLS)
        ],
        "categories": [{"id": "MIG", "label": "随迁子女"}],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--applicants", type=int, default=150_000)
    count = parser.parse_args().applicants
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        engine = make_engine(url)
        migrate(engine)
        with session_scope(engine) as session:
            create_bureau(session, code="XQ", name="某市教育局", at=NOW)
            token = issue_bureau_token(session, code="XQ", role=Role.OPERATOR, label="b", at=NOW)
            session.commit()
        engine.dispose()
        headers = {"Authorization": f"Bearer {token}"}
        settings = Settings(database_url=url, data_dir=Path(folder) / "data")
        signer = Signer(Ed25519PrivateKey.from_private_bytes(bytes(32)))
        app = create_app(settings, signer=signer, clock=lambda: NOW, run_migrations=False)
        started = time.perf_counter()
        data = fast_xlsx_bytes([HEADER_ZH, *(_row(n) for n in range(count))])
        print(
            f"XLSX of {count:,} rows built: {len(data) / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s"
        )
        with TestClient(app) as client:
            created = client.post("/api/draws", json=_draw_spec(), headers=headers)
            assert created.status_code in (200, 201), created.text
            wall, cpu = time.perf_counter(), time.process_time()
            answer = client.post(
                "/api/draws/CITY-2026/applicants/import",
                params={"filename": "applicants.xlsx"},
                content=data,
                headers=headers,
            )
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            assert answer.status_code == 201, answer.text[:2000]
            print(
                f"import of {answer.json()['count']:,} applicants through the service: "
                f"{wall:.1f} s wall, {cpu:.1f} s CPU (target: under 60 s)"
            )
        app.state.engine.dispose()


if __name__ == "__main__":
    main()

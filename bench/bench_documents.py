"""Benchmark of the printed documents at city scale: the announcement (公示名单) of a draw of
150,000 applicants, and 150,000 result letters (结果通知书) written in files of `--per-file`.

Each measurement runs in its own subprocess, so that its peak memory (max RSS) is its own.
Figures: wall and CPU seconds, peak RSS, pages and bytes written. Instances are synthetic and
reproducible (`bench_single_school.make_records`: 100 schools, every child not admitted on a
waitlist, so the announcement lists all 150,000 children).

    .venv/bin/python bench/bench_documents.py [--applicants N] [--letters N] [--per-file N]

Targets (issue 14): the announcement for 150,000 applicants under 60 s and 1 GB; 150,000
letters under 5 minutes, in bounded memory (one file of letters at a time). One QR code per
file of letters (the look-up page), drawn once as a PDF form.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ceremony import bench_beacon, bench_ceremony, bench_witnesses, log_run
from bench_single_school import make_records, make_rules
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lottery import (
    read_bundle,
    run_draw,
    seal,
    write_bundle,
)

SCHOOLS = 100


def _make_bundle(applicants: int, directory: Path) -> Path:
    key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"bench key").digest())
    rules = make_rules(SCHOOLS, applicants)
    sealed = seal(
        rules=rules,
        records=make_records(applicants, SCHOOLS),
        witnesses=bench_witnesses(rules.draw_id),
        min_reveals=1,
        beacon=bench_beacon(),
        signing_key=key,
        sealed_at="2026-07-01T00:00:00Z",
    )
    ceremony, head, log = bench_ceremony(sealed)
    result = run_draw(sealed, ceremony, key, audit=head)
    path = directory / "bundle"
    write_bundle(path, result, log=log_run(log, result), signing_key=key)
    return path


def _announcement(bundle_path: str, out: str) -> dict[str, object]:
    from api.documents.announcement import Notice, announcement_pdf

    bundle = read_bundle(bundle_path)
    notice = Notice(posted_at="2026-07-10T01:30:00Z", lookup_url="https://zs.example.gov.cn/l/B")
    wall, cpu = time.perf_counter(), time.process_time()
    data = announcement_pdf(bundle, notice=notice)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    Path(out).write_bytes(data)
    return {"wall": wall, "cpu": cpu, "bytes": len(data), "pages": data.count(b"/Type /Page\n")}


def _letters(bundle_path: str, out: str, count: int, per_file: int) -> dict[str, object]:
    from api.documents.letters import LetterRecipient, result_letter_files

    bundle = read_bundle(bundle_path)
    recipients = [
        LetterRecipient(application=r.application, name="王小明", receipt_code="0123456789ABCDEF")
        for r in bundle.records[:count]
    ]
    wall, cpu = time.perf_counter(), time.process_time()
    files = written = 0
    for start, data in result_letter_files(bundle, recipients, per_file=per_file):
        Path(out, f"letters-{start:06d}.pdf").write_bytes(data)
        files, written = files + 1, written + len(data)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"wall": wall, "cpu": cpu, "bytes": written, "files": files, "letters": count}


def _child(argv: list[str]) -> None:
    kind, bundle_path, out, *rest = argv
    if kind == "announcement":
        figures = _announcement(bundle_path, out)
    else:
        figures = _letters(bundle_path, out, int(rest[0]), int(rest[1]))
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


def _run(*argv: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *argv], capture_output=True, text=True, check=True
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--applicants", type=int, default=150_000)
    parser.add_argument("--letters", type=int, default=150_000)
    parser.add_argument("--per-file", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-documents-") as directory:
        started = time.perf_counter()
        bundle = _make_bundle(args.applicants, Path(directory))
        print(f"draw of {args.applicants:,} applicants, {SCHOOLS} schools: bundle made in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        out = Path(directory, "out")
        out.mkdir()
        a = _run("announcement", str(bundle), str(out / "announcement.pdf"))
        print(f"announcement: {a['wall']:.1f} s wall, {a['cpu']:.1f} s CPU, "
              f"peak RSS {a['peak_rss_mb']:.0f} MB, {a['pages']:,} pages, "
              f"{int(str(a['bytes'])) / 1e6:.1f} MB")  # fmt: skip
        letters = _run("letters", str(bundle), str(out), str(args.letters), str(args.per_file))
        print(f"letters: {letters['letters']:,} in {letters['files']} files of {args.per_file:,}: "
              f"{letters['wall']:.1f} s wall, {letters['cpu']:.1f} s CPU, "
              f"peak RSS {letters['peak_rss_mb']:.0f} MB, "
              f"{int(str(letters['bytes'])) / 1e6:.1f} MB")  # fmt: skip


if __name__ == "__main__":
    main()

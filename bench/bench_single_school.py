"""Benchmark: a 1,000,000-applicant single-school draw (tiers, reserved seats, groups).

Prints the seconds of each step of the draw (the lottery numbers, the allocation, the results'
JCS and digest, the signatures, the whole draw) and, separately, of sealing (validation, JCS of
every record, the Merkle root, and the seed-independent frame of the allocation problem, which
sealing builds once so that the draw starts from the seed).

    .venv/bin/python bench/bench_single_school.py [--applicants N] [--schools S]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ceremony import bench_beacon, bench_ceremony, bench_witnesses
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lottery import (
    Category,
    DrawRules,
    PublicRecord,
    ReservedSeats,
    School,
    Tier,
    ceremony_digest,
    run_draw,
    seal,
    sign_document,
    tagged_hash,
)
from lottery.allocation import allocate
from lottery.draw import _without_gc_pauses
from lottery.results import encode_results
from lottery.units import with_seed

TIERS = ("T1", "T2", "T3", "T4")


def make_rules(schools: int, applicants: int) -> DrawRules:
    seats = max(1, applicants // schools // 10)
    return DrawRules(
        draw_id="BENCH-1M",
        title="Benchmark",
        authority="Benchmark bureau",
        mode="single_school_lottery",
        schools=tuple(
            School(
                id=f"S{s:04d}",
                name=f"School {s}",
                seats=seats,
                tiers=tuple(Tier(id=t, label=t) for t in TIERS),
                reserved=(ReservedSeats("MIG", max(1, seats // 10)),),
            )
            for s in range(schools)
        ),
        categories=(Category(id="MIG", label="migrant children"),),
    )


def make_records(n: int, schools: int) -> list[PublicRecord]:
    """Synthetic records: 1 in 50 children is a twin; tiers spread 6/10/14/70 percent."""
    records = []
    digest = hashlib.sha256(b"bench").hexdigest()
    i = 0
    while i < n:
        twins = i % 100 == 0 and i + 1 < n
        school = f"S{(i * 7919) % schools:04d}"
        pick = (i * 2654435761) % 100
        tier = 0 if pick < 6 else 1 if pick < 16 else 2 if pick < 30 else 3
        group = f"G{i:07d}" if twins else None
        for _ in range(2 if twins else 1):
            records.append(
                PublicRecord(
                    application=f"A{i:07d}",
                    category="MIG" if tier == 3 and pick % 3 == 0 else None,
                    group=group,
                    masked_id="3306**********0000",
                    masked_name="王*明",
                    preferences=(school,),
                    private_digest=digest,
                    receipt_check=digest,
                    sex="M" if i % 2 else "F",
                    tiers=() if tier == 3 else ((school, TIERS[tier]),),
                )
            )
            i += 1
    return records


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applicants", type=int, default=1_000_000)
    parser.add_argument("--schools", type=int, default=1)
    args = parser.parse_args()
    key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"bench key").digest())
    rules = make_rules(args.schools, args.applicants)
    records = make_records(args.applicants, args.schools)
    records.reverse()  # sealing sorts them

    t0, c0 = time.perf_counter(), time.process_time()
    sealed = seal(
        rules=rules,
        records=records,
        witnesses=bench_witnesses(rules.draw_id),
        min_reveals=1,
        beacon=bench_beacon(),
        signing_key=key,
        sealed_at="2026-07-01T00:00:00Z",
    )
    t_seal = (time.perf_counter() - t0, time.process_time() - c0)
    ceremony, head, _ = bench_ceremony(sealed)

    # The draw, step by step (the same calls run_draw makes, with the collector paused as
    # run_draw pauses it). Wall and CPU seconds: on a shared machine they differ.
    t: list[tuple[float, float]] = [(time.perf_counter(), time.process_time())]
    with _without_gc_pauses():
        problem = with_seed(sealed.frame, ceremony.seed)
        t.append((time.perf_counter(), time.process_time()))
        allocation = allocate(problem)
        t.append((time.perf_counter(), time.process_time()))
        c_digest = ceremony_digest(ceremony)
        results_json = encode_results(
            manifest=sealed.manifest,
            manifest_digest=sealed.manifest_digest,
            ceremony_digest=c_digest,
            problem=problem,
            allocation=allocation,
            audit=head,
        )
        t.append((time.perf_counter(), time.process_time()))
        digest = tagged_hash("results", results_json)
        t.append((time.perf_counter(), time.process_time()))
        sign_document("ceremony", c_digest, key)
        sign_document("results", digest, key)
        t.append((time.perf_counter(), time.process_time()))
    whole_wall, whole_cpu = time.perf_counter(), time.process_time()
    result = run_draw(sealed, ceremony, key, audit=head)
    whole = (time.perf_counter() - whole_wall, time.process_time() - whole_cpu)
    assert result.results_json == results_json

    admitted = sum(s["admitted"] for s in result.results["schools"])
    print(f"applicants {args.applicants:,}, schools {args.schools}, admitted {admitted:,}")

    def row(label: str, wall: float, cpu: float) -> None:
        print(f"{label:<46} {wall:7.2f} s wall {cpu:7.2f} s cpu")

    steps = [
        "lottery numbers (the frame is built at sealing)",
        "allocation",
        f"results document and its JCS ({len(results_json):,} bytes)",
        "results digest",
        "signing (ceremony, results)",
    ]
    row("seal (validate, JCS, Merkle root, frame)", *t_seal)
    for i, label in enumerate(steps):
        row(label, t[i + 1][0] - t[i][0], t[i + 1][1] - t[i][1])
    row("draw total (sum of steps)", t[-1][0] - t[0][0], t[-1][1] - t[0][1])
    row("draw total (run_draw, measured)", *whole)
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()

"""Benchmark of the WHOLE draw: `lottery.run_draw` on a sealed draw and its ceremony.

`run_draw` is everything from the seed to the signed results: the lottery numbers (§8.2), the
allocation (§9-§11), the results' JCS and digest (§12.3) and the signatures (§12.4). Sealing
(§5-§6: validation, JCS of every record, the Merkle root) happens days before the ceremony and
is timed and printed separately; it also builds, once, the part of the allocation problem that
does not depend on the seed (units, preference and rank tables: `lottery.units.problem_frame`),
so that what the audience waits for after the last reveal is the draw alone.

Each case runs in its own subprocess, so that its peak memory (max RSS) is its own. Figures:
CPU seconds (`time.process_time`, what the draw costs) and wall seconds (inflated on a shared
machine), the best of `--repeat` draws of the same sealed draw (the first is shown too; every
run must give the same results digest). Peak RSS is the process's after the first draw, with
its RSS just before the draw (records and sealed draw loaded). Instances are synthetic and reproducible (numpy's PCG64 with a fixed seed; the draw
itself takes no randomness from anywhere but its own seed).

    .venv/bin/python bench/bench_draw.py [--quick] [--case NAME] [--repeat N]

`--quick` skips the 1,000,000-child cases. Targets (issues 2 and 3): single school 1,000,000
under 3 s; 150,000 x 1,000 x 10 under 2 s and 1 GB; 1,000,000 x 6,000 x 10 under 15 s and 4 GB.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ceremony import bench_beacon, bench_ceremony, bench_witnesses
from bench_multi_school import _preference_lists
from bench_single_school import make_records as single_school_records
from bench_single_school import make_rules as single_school_rules
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lottery import (
    Category,
    DrawRules,
    PublicRecord,
    ReservedSeats,
    School,
    Tier,
    run_draw,
    seal,
)

ROOT = Path(__file__).resolve().parents[1]
TIERS = ("T1", "T2", "T3", "T4")
GROWTH_SIZES = (10_000, 20_000, 40_000, 80_000, 160_000)
_DIGEST = hashlib.sha256(b"bench").hexdigest()


def multi_school_rules(
    rng: np.random.Generator, n_children: int, n_schools: int, n_prefs: int, tie_breaking: str
) -> DrawRules:
    """Seats for 105% of the children; a tenth of the schools reserve 10% for category MIG."""
    capacity = rng.integers(50, 150, n_schools)
    seats = np.maximum(1, capacity * (n_children * 105 // 100) // int(capacity.sum())).tolist()
    return DrawRules(
        draw_id="BENCH-DA",
        title="Benchmark",
        authority="Benchmark bureau",
        mode="deferred_acceptance",
        schools=tuple(
            School(
                id=f"S{s:05d}",
                name=f"School {s}",
                seats=seats[s],
                tiers=tuple(Tier(id=t, label=t) for t in TIERS),
                reserved=(ReservedSeats("MIG", max(1, seats[s] // 10)),) if s % 10 == 0 else (),
            )
            for s in range(n_schools)
        ),
        categories=(Category(id="MIG", label="migrant children"),),
        tie_breaking=tie_breaking,  # type: ignore[arg-type]
        max_preferences=n_prefs,
    )


def multi_school_records(
    rng: np.random.Generator, n_children: int, n_schools: int, n_prefs: int
) -> list[PublicRecord]:
    """Popularity-skewed lists of up to `n_prefs` schools; a fifth of the listed schools give
    a better tier (T1-T3); 5% migrant children; 3% of units are twins or siblings (2-3)."""
    sizes = np.ones(n_children, dtype=np.int64)
    is_group = rng.random(n_children) < 0.03
    sizes[is_group] = rng.integers(2, 4, int(is_group.sum()))
    sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), n_children)) + 1]
    n_units = sizes.size
    pref_start, pref_school = _preference_lists(rng, n_units, n_schools, n_prefs)
    better = np.where(rng.random(pref_school.size) < 0.2, rng.integers(0, 3, pref_school.size), 3)
    migrant = (rng.random(n_units) < 0.05).tolist()
    school_ids = [f"S{s:05d}" for s in range(n_schools)]
    records: list[PublicRecord] = []
    application = 0
    for u, size in enumerate(sizes.tolist()):
        lo, hi = int(pref_start[u]), int(pref_start[u + 1])
        prefs = tuple(school_ids[s] for s in pref_school[lo:hi].tolist())
        tiers = tuple(
            sorted(
                (school_ids[s], TIERS[t])
                for s, t in zip(pref_school[lo:hi].tolist(), better[lo:hi].tolist(), strict=True)
                if t < 3
            )
        )
        group = f"G{u:07d}" if size > 1 else None
        for _ in range(size):
            records.append(
                PublicRecord(
                    application=f"A{application:07d}",
                    category="MIG" if migrant[u] else None,
                    group=group,
                    masked_id="3306**********0000",
                    masked_name="王*明",
                    preferences=prefs,
                    private_digest=_DIGEST,
                    receipt_check=_DIGEST,
                    sex="M" if application % 2 else "F",
                    tiers=tiers,
                )
            )
            application += 1
    return records


def _instance(case: dict[str, object]) -> tuple[DrawRules, list[PublicRecord]]:
    n, schools = int(case["children"]), int(case["schools"])  # type: ignore[call-overload]
    if case["mode"] == "single":
        return single_school_rules(schools, n), single_school_records(n, schools)
    rng = np.random.Generator(np.random.PCG64(7))
    prefs, tie_breaking = int(case["prefs"]), str(case["tie_breaking"])  # type: ignore[call-overload]
    return (
        multi_school_rules(rng, n, schools, prefs, tie_breaking),
        multi_school_records(rng, n, schools, prefs),
    )


def _rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure(case: dict[str, object], repeat: int = 3) -> dict[str, object]:
    """Seal, then time `run_draw` (inside a fresh subprocess: its peak RSS is this case's).

    The peak is taken after the first draw; the times are the best of `repeat` draws.
    """
    key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"bench key").digest())
    rules, records = _instance(case)
    start, cpu = time.perf_counter(), time.process_time()
    sealed = seal(
        rules=rules,
        records=records,
        witnesses=bench_witnesses(rules.draw_id),
        min_reveals=1,
        beacon=bench_beacon(),
        signing_key=key,
        sealed_at="2026-07-01T00:00:00Z",
    )
    seal_wall, seal_cpu = time.perf_counter() - start, time.process_time() - cpu
    del records
    ceremony, head, _ = bench_ceremony(sealed)
    gc.collect()
    before = _rss_mib()
    walls: list[float] = []
    cpus: list[float] = []
    digests: set[str] = set()
    peak, results_bytes = 0.0, 0
    for attempt in range(repeat):  # the best of a few runs: the machine is shared
        start, cpu = time.perf_counter(), time.process_time()
        result = run_draw(sealed, ceremony, key, audit=head)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
        if attempt == 0:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        digests.add(result.results_digest.hex())
        results_bytes = len(result.results_json)
        del result
        gc.collect()
    assert len(digests) == 1, "every run of the draw must give the same results"
    return {
        **case,
        "applicants": sealed.manifest.applicants.count,
        "seal_wall": seal_wall,
        "seal_cpu": seal_cpu,
        "draw_wall": min(walls),
        "draw_cpu": min(cpus),
        "first_draw_wall": walls[0],
        "first_draw_cpu": cpus[0],
        "rss_before_draw_mib": before,
        "peak_rss_mib": peak,
        "results_bytes": results_bytes,
        "results_digest": digests.pop(),
    }


def _in_subprocess(case: dict[str, object], repeat: int) -> dict[str, object]:
    code = f"import bench_draw, json; print(json.dumps(bench_draw.measure({case!r}, {repeat})))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT / "bench",
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _report(label: str, m: dict[str, object]) -> None:
    f = {k: float(v) for k, v in m.items() if isinstance(v, int | float)}
    print(
        f"{label:<34} {int(f['applicants']):>9,} applicants  "
        f"draw {f['draw_cpu']:6.2f} s CPU {f['draw_wall']:6.2f} s wall "
        f"(first {f['first_draw_cpu']:5.2f} / {f['first_draw_wall']:5.2f})  "
        f"peak RSS {f['peak_rss_mib']:6.0f} MiB (before the draw {f['rss_before_draw_mib']:5.0f})  "
        f"| seal {f['seal_cpu']:6.2f} s CPU {f['seal_wall']:6.2f} s wall",
        flush=True,
    )


def _multi(n: int, schools: int, tie_breaking: str = "single") -> dict[str, object]:
    return {
        "mode": "multi",
        "children": n,
        "schools": schools,
        "prefs": 10,
        "tie_breaking": tie_breaking,
    }


CASES: dict[str, tuple[str, dict[str, object], bool]] = {
    # name: (label, case, needs the full run)
    "single-1m": (
        "single school, 1,000,000",
        {"mode": "single", "children": 1_000_000, "schools": 1},
        True,
    ),
    "city-single": ("150k x 1,000 x 10, single t-b", _multi(150_000, 1_000), False),
    "city-multiple": (
        "150k x 1,000 x 10, multiple t-b",
        _multi(150_000, 1_000, "multiple"),
        False,
    ),
    "country": ("1M x 6,000 x 10, single t-b", _multi(1_000_000, 6_000), True),
}


def _growth(repeat: int) -> None:
    points = [_in_subprocess(_multi(n, max(10, n // 150)), repeat) for n in GROWTH_SIZES]
    for m in points:
        _report("growth (schools = children/150)", m)
    x = np.log([float(m["applicants"]) for m in points])  # type: ignore[arg-type]
    for what in ("draw_cpu", "draw_wall"):
        y = np.log([float(m[what]) for m in points])  # type: ignore[arg-type]
        print(f"fitted exponent ({what} ~ applicants^k): k = {float(np.polyfit(x, y, 1)[0]):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 1,000,000-child cases")
    parser.add_argument("--case", choices=[*CASES, "growth"], help="run this case only")
    parser.add_argument("--repeat", type=int, default=3, help="draws per case; best is shown")
    args = parser.parse_args()
    for name, (label, case, big) in CASES.items():
        if (args.case in (None, name)) and not (big and args.quick and args.case is None):
            _report(label, _in_subprocess(case, args.repeat))
    if args.case in (None, "growth"):
        _growth(args.repeat)
    load = os.getloadavg()
    print(
        f"(python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} cores, "
        f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f})"
    )


if __name__ == "__main__":
    main()

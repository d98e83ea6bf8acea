"""Allocation benchmark for multi-school draws (protocol §10.3): time, peak memory, growth.

Run: `.venv/bin/python bench/bench_multi_school.py [--quick] [--no-matching]`.

Each size runs in its own subprocess so that its peak memory (max RSS) is its own. Instances are
synthetic and reproducible: a popularity-skewed choice of schools per child, 4 tiers (explicit
better tiers at some listed schools), reserved seats at a tenth of the schools, 3% sibling or
twin groups of 2-3. Only the allocation step (`lottery.allocation.allocate`) is timed here; the
whole draw (tickets, results) is timed with the core's `run_draw`.

Comparison: the `matching` PyPI package (`pip install matching`), student-allocation DA on the
same 10,000-child instance without groups, tiers or reserved seats (which it does not model),
as a hospital-resident game solved resident-optimal (= student-proposing deferred acceptance).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lottery.allocation import AllocationProblem, SchoolRules, allocate

GROWTH_SIZES = (10_000, 20_000, 40_000, 80_000)


def _unit_sizes(rng: np.random.Generator, n_children: int, groups: bool) -> np.ndarray:
    """~3% of units are groups of 2-3; the units hold about `n_children` members."""
    sizes = np.ones(n_children, dtype=np.int64)
    if groups:
        is_group = rng.random(n_children) < 0.03
        sizes[is_group] = rng.integers(2, 4, int(is_group.sum()))
        sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), n_children)) + 1]
    return sizes


def _preference_lists(
    rng: np.random.Generator, n_units: int, n_schools: int, n_prefs: int
) -> tuple[np.ndarray, np.ndarray]:
    """Lists of up to `n_prefs` distinct schools drawn by a log-normal popularity (CSR)."""
    popularity = rng.lognormal(0.0, 1.0, n_schools)
    draws = rng.choice(n_schools, size=(n_units, n_prefs + 6), p=popularity / popularity.sum())
    rows = np.repeat(np.arange(n_units, dtype=np.int64), draws.shape[1])
    flat = draws.ravel().astype(np.int64)
    _, first = np.unique(rows * n_schools + flat, return_index=True)
    keep = np.sort(first)  # first occurrence of each school per unit, in drawn order
    kept_rows = rows[keep]
    position = np.arange(keep.size) - np.searchsorted(kept_rows, kept_rows)
    keep, kept_rows = keep[position < n_prefs], kept_rows[position < n_prefs]
    pref_start = np.searchsorted(kept_rows, np.arange(n_units + 1)).astype(np.int64)
    return pref_start, flat[keep].astype(np.int32)


def _schools(
    rng: np.random.Generator, n_schools: int, n_children: int, tiers: int, reserved: bool
) -> tuple[SchoolRules, ...]:
    """Seats for 105% of the children; a tenth of the schools reserve 10% for category C0."""
    capacity = rng.integers(50, 150, n_schools)
    seats = np.maximum(1, capacity * (n_children * 105 // 100) // int(capacity.sum()))
    return tuple(
        SchoolRules(
            id=f"S{s:05d}",
            seats=int(seats[s]),
            tier_count=tiers,
            reserved=((0, max(1, int(seats[s]) // 10)),) if reserved and s % 10 == 0 else (),
            classes=None,
        )
        for s in range(n_schools)
    )


def make_instance(
    n_children: int,
    n_schools: int,
    *,
    n_prefs: int = 10,
    tiers: int = 4,
    groups: bool = True,
    reserved: bool = True,
    tie_breaking: str = "single",
    seed: int = 7,
) -> AllocationProblem:
    """A reproducible synthetic deferred-acceptance problem (numbers from numpy's PCG64)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    sizes = _unit_sizes(rng, n_children, groups)
    n_units, n_applicants = sizes.size, int(sizes.sum())
    pref_start, pref_school = _preference_lists(rng, n_units, n_schools, n_prefs)
    schools = _schools(rng, n_schools, n_children, tiers, reserved)
    ranked = rng.random(pref_school.size) < (0.2 if tiers > 1 else 0.0)  # a fifth: better tier
    rank_units = np.repeat(np.arange(n_units), np.diff(pref_start))[ranked]
    return AllocationProblem(
        mode="deferred_acceptance",
        tie_breaking=tie_breaking,  # type: ignore[arg-type]
        seed=bytes(32),
        schools=schools,
        category_ids=("C0",),
        unit_keys=tuple(f"a:{u:08d}" for u in range(n_units)),
        unit_size=sizes,
        unit_category=np.where(rng.random(n_units) < 0.05, 0, -1).astype(np.int32),
        ticket=rng.integers(0, 2**64 - 1, n_units, dtype=np.uint64, endpoint=True),
        pref_start=pref_start,
        pref_school=pref_school,
        rank_start=np.searchsorted(rank_units, np.arange(n_units + 1)).astype(np.int64),
        rank_school=pref_school[ranked],
        rank_value=rng.integers(0, max(tiers - 1, 1), int(ranked.sum())).astype(np.int32),
        applicant_ids=tuple(f"{a:08d}" for a in range(n_applicants)),
        applicant_unit=np.repeat(np.arange(n_units, dtype=np.int32), sizes),
        applicant_male=rng.random(n_applicants) < 0.5,
    )


def _measure(n_children: int, n_schools: int, tie_breaking: str) -> dict[str, float]:
    """Allocation seconds and peak RSS of one size (run inside a fresh subprocess)."""
    problem = make_instance(n_children, n_schools, tie_breaking=tie_breaking)
    start, cpu_start = time.perf_counter(), time.process_time()
    allocation = allocate(problem)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    del allocation
    tracemalloc.start()  # a second, untimed run: the allocation's own peak (numpy is traced)
    allocation = allocate(problem)
    traced_peak_mib = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return {
        "children": n_children,
        "schools": n_schools,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "peak_mib": peak_mib,
        "traced_peak_mib": traced_peak_mib,
        "assigned": int((allocation.unit_school >= 0).sum()),
    }


def _in_subprocess(
    n_children: int, n_schools: int, tie_breaking: str = "single"
) -> dict[str, float]:
    code = (
        "import json, sys; sys.path.insert(0, 'bench'); import bench_multi_school as b; "
        f"print(json.dumps(b._measure({n_children}, {n_schools}, {tie_breaking!r})))"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _report(label: str, m: dict[str, float]) -> None:
    print(
        f"{label:<34} {int(m['children']):>9,} children {int(m['schools']):>6,} schools  "
        f"allocation {m['seconds']:7.3f} s (CPU {m['cpu_seconds']:6.3f} s)  "
        f"peak RSS {m['peak_mib']:6.0f} MiB (allocation's own peak {m['traced_peak_mib']:5.0f} MiB)"
    )


def _growth() -> None:
    points = [_in_subprocess(n, max(10, n // 150)) for n in GROWTH_SIZES]
    for m in points:
        _report("growth (schools = children/150)", m)
    x = np.log([m["children"] for m in points])
    y = np.log([m["seconds"] for m in points])
    slope = float(np.polyfit(x, y, 1)[0])
    print(f"fitted growth exponent (seconds ~ children^k): k = {slope:.2f}")


def _compare_matching(n_children: int = 10_000, n_schools: int = 70) -> None:
    try:
        from matching.games import HospitalResident
    except ImportError:
        print("matching package not installed: `pip install matching` to compare")
        return
    problem = make_instance(n_children, n_schools, groups=False, reserved=False, tiers=1)
    start = time.perf_counter()
    ours = allocate(problem)
    ours_seconds = time.perf_counter() - start
    prefs = {
        f"u{u}": [
            f"s{s}"
            for s in problem.pref_school[problem.pref_start[u] : problem.pref_start[u + 1]].tolist()
        ]
        for u in range(len(problem.unit_keys))
    }
    order = np.argsort(problem.ticket, kind="stable")
    ranking = [f"u{u}" for u in order.tolist()]
    listing: dict[str, set[str]] = {}
    for unit, schools in prefs.items():
        for s in schools:
            listing.setdefault(s, set()).add(unit)
    school_prefs = {s: [u for u in ranking if u in listing[s]] for s in listing}
    capacities = {f"s{s}": school.seats for s, school in enumerate(problem.schools)}
    capacities = {s: c for s, c in capacities.items() if s in school_prefs}
    start = time.perf_counter()
    game = HospitalResident.create_from_dictionaries(prefs, school_prefs, capacities)
    theirs_matching = game.solve(optimal="resident")
    theirs_seconds = time.perf_counter() - start
    theirs = {str(s): {str(u) for u in units} for s, units in theirs_matching.items()}
    same = all(
        theirs.get(f"s{s}", set())
        == {f"u{u}" for u in np.flatnonzero(ours.unit_school == s).tolist()}
        for s in range(len(problem.schools))
    )
    print(
        f"matching {n_children:,} children: ours {ours_seconds:.3f} s, matching "
        f"{theirs_seconds:.1f} s, ratio {theirs_seconds / ours_seconds:,.0f}x, same result: {same}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 1,000,000-child size")
    parser.add_argument("--no-matching", action="store_true", help="skip the matching comparison")
    args = parser.parse_args()
    _report("city, single tie-breaking", _in_subprocess(150_000, 1_000))
    _report("city, multiple tie-breaking", _in_subprocess(150_000, 1_000, "multiple"))
    if not args.quick:
        _report("country-scale, single tie-breaking", _in_subprocess(1_000_000, 6_000))
    _growth()
    if not args.no_matching:
        _compare_matching()
    load = os.getloadavg()[0]
    print(f"(python {sys.version.split()[0]}, numpy {np.__version__}, load average {load:.1f})")


if __name__ == "__main__":
    main()

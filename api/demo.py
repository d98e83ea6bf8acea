"""A realistic synthetic single-school draw, from sealing to the public bundle.

The edge of the system: this is where the entropy lives. With `entropy_text` every secret,
receipt code, key, name and the beacon value derive from that text by hashing, so two runs give
byte-identical bundles; without it they come from the operating system (`secrets`). The draw
date is a fixed, stated date, never the clock.

The school: a county primary school with 300 seats, 4 priority tiers (户籍+房产一致, 仅户籍,
仅房产, 居住证), 10% of seats reserved for migrant children (随迁子女), and some twins and
triplets who apply together (protocol §4.4).
"""

from __future__ import annotations

import hashlib
import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from api.importing.id_number import check_digit
from lottery import (
    Beacon,
    BeaconSource,
    BeaconValue,
    Category,
    DrawResult,
    DrawRules,
    PrivateRecord,
    PublicRecord,
    ReservedSeats,
    School,
    Tier,
    Witness,
    form_seed,
    make_receipt_code,
    public_record,
    run_draw,
    seal,
    witness_commitment,
    write_bundle,
)
from lottery.bundle import BUNDLE_FILES

__all__ = ["DEMO_SEALED_AT", "DemoEntropy", "DemoSummary", "demo_rules", "run_demo"]

DEMO_SEALED_AT = "2026-07-10T01:00:00Z"  # the stated draw date: 10 July 2026, 09:00 Beijing
SCHOOL = "XQ-SY01"
TIERS = (
    ("T1", "户籍与房产一致"),
    ("T2", "仅有户籍"),
    ("T3", "仅有房产"),
    ("T4", "居住证 (随迁子女)"),
)
MIGRANT = "SQ"  # 随迁子女 category
# Share of applicants per tier, in thousandths: realistic for an oversubscribed school.
TIER_SHARES = (60, 100, 140, 700)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "子涵梓轩浩宇欣怡雨桐一诺思远俊杰佳琪嘉怡宇航梦瑶博文雅婷天佑若曦晨阳静怡泽宇可馨明哲诗涵"


class DemoEntropy:
    """Every secret of the demo: SHA-256 of a text and a label, or the OS's entropy."""

    def __init__(self, text: str | None) -> None:
        self.text = text

    def bytes(self, label: str, size: int = 32) -> bytes:
        """`size` bytes for `label` (at most 32)."""
        if self.text is None:
            return secrets.token_bytes(size)
        return hashlib.sha256(f"{self.text}\x00{label}".encode()).digest()[:size]

    def number(self, label: str, below: int) -> int:
        """A number in `[0, below)` for the synthetic data (not for the draw)."""
        return int.from_bytes(hashlib.sha256(b"n" + self.bytes(label)).digest(), "big") % below


@dataclass(frozen=True)
class DemoSummary:
    """What the demo prints."""

    applicants: int
    seats: int
    admitted: int
    admitted_by_tier: tuple[tuple[str, int], ...]
    reserved_used: int
    reserved_seats: int
    cutoff: str
    waitlist: int
    manifest_digest: str
    seed: str
    results_digest: str
    bundle: str


def demo_rules(seats: int = 300) -> DrawRules:
    """The demo school's rules (protocol §6.1, §6.2)."""
    return DrawRules(
        draw_id="XQ-2026-SY01",
        title="2026年秋季一年级新生电脑派位 (演示)",
        authority="示范县教育局 (演示)",
        mode="single_school_lottery",
        schools=(
            School(
                id=SCHOOL,
                name="示范县实验小学",
                seats=seats,
                tiers=tuple(Tier(id=t, label=label) for t, label in TIERS),
                reserved=(ReservedSeats(category=MIGRANT, seats=max(1, seats // 10)),),
                level="primary",
            ),
        ),
        categories=(Category(id=MIGRANT, label="随迁子女 (居住证)"),),
    )


def _tier_of(entropy: DemoEntropy, family: int) -> int:
    pick = entropy.number(f"tier/{family}", 1000)
    for index, share in enumerate(TIER_SHARES):
        if pick < share:
            return index
        pick -= share
    return len(TIER_SHARES) - 1


def _child(
    entropy: DemoEntropy, n: int, tier: int, group: str | None
) -> tuple[PrivateRecord, PublicRecord]:
    application = f"2026SY{n:05d}"
    surname = SURNAMES[entropy.number(f"surname/{group or n}", len(SURNAMES))]
    given = "".join(GIVEN[entropy.number(f"given/{n}/{k}", len(GIVEN))] for k in range(1 + n % 2))
    birth = (
        f"2019{1 + entropy.number(f'month/{n}', 12):02d}{1 + entropy.number(f'day/{n}', 28):02d}"
    )
    first_17 = f"330681{birth}{entropy.number(f'seq/{n}', 1000):03d}"
    id_number = first_17 + check_digit(first_17)
    sex: Literal["F", "M"] = "M" if int(id_number[16]) % 2 else "F"
    private = PrivateRecord(
        application=application,
        id_number=id_number,
        name=surname + given,
        receipt=make_receipt_code(entropy.bytes(f"receipt/{application}", 10)),
    )
    public = public_record(
        private,
        category=MIGRANT if tier == 3 else None,
        group=group,
        preferences=(SCHOOL,),
        tiers={} if tier == 3 else {SCHOOL: TIERS[tier][0]},
        sex=sex,
    )
    return private, public


def demo_records(entropy: DemoEntropy, applicants: int) -> list[PublicRecord]:
    """Synthetic applicants: about 1.5% are twins or triplets sharing a group (§4.4)."""
    records: list[PublicRecord] = []
    family = 0
    while len(records) < applicants:
        size = 1
        if entropy.number(f"family/{family}", 1000) < 15:
            size = 3 if entropy.number(f"triplets/{family}", 10) == 0 else 2
        size = min(size, applicants - len(records))
        group = f"TW{family:05d}" if size > 1 else None
        tier = _tier_of(entropy, family)
        for _ in range(size):
            records.append(_child(entropy, len(records) + 1, tier, group)[1])
        family += 1
    return records


def demo_witnesses(entropy: DemoEntropy) -> tuple[list[Witness], dict[str, bytes]]:
    """Three witnesses (notary, discipline inspector, parent representative) and secrets."""
    people = (("W1-notary", "公证员"), ("W2-inspector", "纪检监察员"), ("W3-parent", "家长代表"))
    secrets_by_id = {w: entropy.bytes(f"witness/{w}") for w, _ in people}
    witnesses = [
        Witness(id=w, name=name, commitment=witness_commitment(w, secrets_by_id[w]))
        for w, name in people
    ]
    return witnesses, secrets_by_id


def run_demo(out: Path, *, entropy_text: str | None = None, applicants: int = 3000) -> DemoSummary:
    """Seal, run and publish the demo draw into `out`; return its summary."""
    entropy = DemoEntropy(entropy_text)
    key = Ed25519PrivateKey.from_private_bytes(entropy.bytes("signing-key"))
    witnesses, witness_secrets = demo_witnesses(entropy)
    beacon = Beacon(
        primary=BeaconSource(source="drand quicknet (simulated)", round="12000000", format="hex64")
    )
    sealed = seal(
        rules=demo_rules(),
        records=demo_records(entropy, applicants),
        witnesses=witnesses,
        min_reveals=2,
        beacon=beacon,
        signing_key=key,
        sealed_at=DEMO_SEALED_AT,
    )
    beacon_value = BeaconValue(used="primary", value=entropy.bytes("beacon").hex())
    ceremony = form_seed(sealed.manifest, dict(witness_secrets), beacon_value)
    result = run_draw(sealed, ceremony, key)
    _publish(out, result)
    return summarise(result, out)


def _publish(out: Path, result: DrawResult) -> None:
    """Write the bundle to `out`. A directory that holds only an earlier bundle (the previous
    demo run) is replaced whole; anything else in the way is refused by `write_bundle`."""
    earlier = out.is_dir() and any(out.iterdir())
    if not earlier or not all(p.name in BUNDLE_FILES and p.is_file() for p in out.iterdir()):
        write_bundle(out, result)
        return
    fresh, stale = out.with_name(out.name + ".new"), out.with_name(out.name + ".old")
    for leftover in (fresh, stale):
        shutil.rmtree(leftover, ignore_errors=True)
    write_bundle(fresh, result)
    out.rename(stale)
    fresh.rename(out)
    shutil.rmtree(stale)


def summarise(result: DrawResult, out: Path) -> DemoSummary:
    """The figures a clerk reads out after the draw."""
    school = result.results["schools"][0]
    cutoff = school["cutoff"]
    reserved: Sequence[list[object]] = school["reserved"]
    return DemoSummary(
        applicants=result.sealed.manifest.applicants.count,
        seats=school["seats"],
        admitted=school["admitted"],
        admitted_by_tier=tuple((str(t), int(str(n))) for t, n in school["by_tier"]),
        reserved_used=sum(int(str(n)) for _, n in reserved),
        reserved_seats=sum(r.seats for r in result.sealed.manifest.rules.schools[0].reserved),
        cutoff="none"
        if cutoff is None
        else f"tier {cutoff['tier']}, number {cutoff['lottery_number']}",
        waitlist=len(school["waitlist"]),
        manifest_digest=result.sealed.manifest_digest.hex(),
        seed=result.ceremony.seed.hex(),
        results_digest=result.results_digest.hex(),
        bundle=str(out),
    )

"""The demo: a realistic county draw run end to end through the service, told as a story.

A county primary school with 300 seats, 4 priority tiers (户籍+房产一致, 仅户籍, 仅房产,
居住证), 10% of seats reserved for migrant children (随迁子女) and some twins and triplets who
apply together (protocol §4.4). The applicant list is written as an Excel file with Chinese
headers and GB 11643-valid ID numbers and imported like a clerk's file; then the objection
period; three witnesses (公证处, 纪检, 家长代表), each with its own Ed25519 key in a folder of its
own (`api.demo_witnesses`), hand over signed commitment files; sealing and the sealing
announcement (manifest digest, key fingerprint, pin, §12.6), a rehearsal, the signed reveals and
the bureau's receipts, the co-signed checkpoint, the beacon and its co-signed statement (§7), the
run, publication, a family's look-up, and the independent verifier, run as a separate program on
the published bundle with the pin (exit 0: authentic). Everything goes through `api.services` on
a fresh SQLite file. The school and its families are made in `api.demo_county`.

This is the edge of the system, where the entropy lives. With `entropy_text`, every secret,
witness key, receipt code, key, name, the beacon value and the clock derive from that text, so two runs give
byte-identical outputs; without it they come from the operating system and the real clock.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine
from sqlmodel import Session

from api.ceremony_display import warning_lines
from api.db import make_engine, migrate, session_scope
from api.demo_county import (
    DRAW_ID,
    DemoEntropy,
    applicant_rows,
    applicant_workbook,
    demo_spec,
    stable_workbook,
)
from api.demo_documents import write_every_document
from api.demo_witnesses import DemoWitness
from api.documents import announcement_pdf, draw_record_pdf, results_xlsx
from api.errors import InvalidInput
from api.lifecycle import transaction
from api.models import Draw
from api.operator_witness import announcement_lines
from api.schemas import LookupResult
from api.services import actions, applicants, ceremony, draws, running, sealing
from api.services.access import find_draw
from api.services.bureaus import create_bureau
from api.services.lookup import look_up
from api.services.publication import bundle_contents, bundle_zip
from api.signer import Signer
from lottery import format_pin, format_receipt, read_bundle, tagged_hash

__all__ = [
    "BUNDLE_DIR",
    "DRAW_ID",
    "OUTPUT_FILES",
    "DemoEntropy",
    "DemoSummary",
    "applicant_rows",
    "applicant_workbook",
    "demo_spec",
    "run_demo",
    "stable_workbook",
]

WITNESSES = (
    ("W1-notary", "公证处公证员 notary"),
    ("W2-inspector", "纪检监察员 discipline inspector"),
    ("W3-parent", "家长代表 parent representative"),
)
BUNDLE_DIR = "bundle"
OUTPUT_FILES = (
    BUNDLE_DIR,
    f"{DRAW_ID}.zip",
    "公示名单 announcement.pdf",
    "摇号过程记录 draw-record.pdf",
    "录取结果 results.xlsx",
    "documents",  # one of every kind of document (api.demo_documents)
)
Tell = Callable[[str], None]
T = TypeVar("T")


@dataclass(frozen=True)
class DemoSummary:
    """The figures a clerk reads out after the draw, and where everything was written."""

    applicants: int
    seats: int
    admitted: int
    admitted_by_tier: tuple[tuple[str, int], ...]
    reserved_used: int
    reserved_seats: int
    cutoff: str  # every seat label's (§10.8): open first, then each reserved category
    waitlist: int
    manifest_digest: str
    seed: str
    results_digest: str
    out: Path
    pin: str  # of the sealing announcement, formatted (§12.6)
    verifier_exit: int
    verifier_verdict: str  # the verifier's last line: its RESULT


# -- the flow through the service ------------------------------------------------------------


@dataclass(frozen=True)
class _Desk:
    """What every step needs: the database, the bureau's signer, the clock, the story."""

    engine: Engine
    signer: Signer
    clock: Callable[[], str]
    tell: Tell
    pins: dict[str, str] = field(default_factory=dict)  # from the sealing announcement

    def later_than(self, moment: str) -> str:
        """A reading of the clock after `moment`: the real clock counts whole seconds, and a
        checkpoint must come strictly after the sealing (§7.4)."""
        while (now := self.clock()) <= moment:
            time.sleep(0.05)
        return now

    def change(self, step: Callable[[Session, Draw], T]) -> T:
        """Run `step` on the draw in one transaction, as a route does."""
        with session_scope(self.engine) as session, transaction(session):
            return step(session, find_draw(session, DRAW_ID))


_OPERATOR = "operator:demo-clerk"


def _register(desk: _Desk, entropy: DemoEntropy, rows: int, workbook: bytes) -> dict[str, str]:
    """Create the draw, import the Excel list, open the objection period; the receipts."""
    at = desk.clock()
    with session_scope(desk.engine) as session, transaction(session):
        bureau = create_bureau(session, code="XQ", name="示范县教育局 (演示)", at=at)
        assert bureau.id is not None
        draws.create_draw(
            session,
            spec=demo_spec(beacon_at=entropy.beacon_at()),
            bureau_id=bureau.id,
            actor=_OPERATOR,
            at=at,
            signer=desk.signer,
        )
    desk.tell(
        f"1. 教育局创建抽签 / the bureau creates draw {DRAW_ID}: 300 seats, 4 tiers, 30 reserved (随迁子女)"
    )
    receipts = itertools.count()

    def receipt_entropy(size: int) -> bytes:
        return entropy.bytes(f"receipt/{next(receipts)}", size)

    created = desk.change(
        lambda s, d: applicants.import_file(
            s,
            d,
            data=workbook,
            filename="报名名单.xlsx",
            actor=_OPERATOR,
            at=desk.clock(),
            signer=desk.signer,
            entropy=receipt_entropy,
        )
    )
    digest = hashlib.sha256(workbook).hexdigest()[:16]
    desk.tell(f"2. 导入报名名单 / import the Excel list: {rows} children, file sha256 {digest}…")
    desk.change(
        lambda s, d: draws.open_objection(
            s, d, actor=_OPERATOR, at=desk.clock(), signer=desk.signer
        )
    )
    desk.tell(
        "3. 公示异议期开始 / objection period: the masked list is public (姓名、身份证号已遮盖)"
    )
    return {c.application: c.receipt_code for c in created}


def _witnesses_commit(desk: _Desk, entropy: DemoEntropy, homes: Path) -> list[DemoWitness]:
    """Each witness makes its key, secret and signed commitment file in its own folder; the
    clerk registers the file from the USB stick (§7.1, §7.9)."""
    witnesses = [DemoWitness.set_up(code, name, homes / code, entropy) for code, name in WITNESSES]
    for witness in witnesses:
        document = json.loads(witness.commitment().read_bytes())
        desk.change(
            lambda s, d, document=document: sealing.commit_file(
                s, d, document, holder=None, actor=_OPERATOR, at=desk.clock(), signer=desk.signer
            )
        )
        desk.tell(f"   {witness.name} ({witness.code}) commits {document['commitment'][:16]}…")
    return witnesses


def _seal(desk: _Desk, witnesses: list[DemoWitness]) -> None:
    """Seal, announce the three values of §12.6, and let each witness check the manifest."""
    sealed = desk.change(
        lambda s, d: sealing.seal_draw(s, d, actor=_OPERATOR, at=desk.clock(), signer=desk.signer)
    )
    with session_scope(desk.engine) as session:
        draw = find_draw(session, DRAW_ID)
        facts = sealing.sealing_announcement(session, draw)
        stored = sealing.signed_document(session, draw, "manifest")
        assert stored is not None
        manifest = stored.document
    desk.tell("5. 封存并公告 / sealed; the sealing announcement, posted before the seed exists:")
    for line in announcement_lines(facts):
        desk.tell(f"   {line}")
    for line in warning_lines(sealed.warnings):
        desk.tell(f"   {line}")
    desk.pins.update(
        manifest=facts["manifest_digest"], key=facts["key_fingerprint"], pin=facts["pin"]
    )
    for witness in witnesses:
        witness.check_manifest(manifest, announced=facts["manifest_digest"])
    desk.tell("   每位见证人核对清单含其公钥与承诺 / each witness finds its key and commitment")


def _reveals(desk: _Desk, witnesses: list[DemoWitness]) -> None:
    """Signed reveals, the bureau's receipts, and the checkpoint co-signed (§7.3, §7.4)."""
    desk.change(
        lambda s, d: ceremony.open_ceremony(
            s, d, actor=_OPERATOR, at=desk.clock(), signer=desk.signer
        )
    )
    for witness in witnesses:
        document = json.loads(witness.reveal().read_bytes())
        receipt = desk.change(
            lambda s, d, document=document: ceremony.reveal(
                s, d, document, holder=None, actor=_OPERATOR, at=desk.clock(), signer=desk.signer
            )
        )
        witness.keep_receipt(receipt)
    with session_scope(desk.engine) as session:
        sealed_at = sealing.sealing_announcement(session, find_draw(session, DRAW_ID))["sealed_at"]
    checkpoint = desk.change(
        lambda s, d: (
            ceremony.close_reveals(
                s, d, actor=_OPERATOR, at=desk.later_than(sealed_at), signer=desk.signer
            ).document
        )
    )
    _cosigned(desk, witnesses, "checkpoint", checkpoint, value_seen="")
    desk.tell(
        "7. 见证人揭示并联署检查点 / the three witnesses reveal (signed, each matching its "
        f"commitment), get the bureau's receipts, and co-sign the checkpoint "
        f"{tagged_hash('checkpoint', checkpoint).hex()[:16]}…"
    )


def _cosigned(
    desk: _Desk,
    witnesses: list[DemoWitness],
    of: Literal["checkpoint", "beacon"],
    document: bytes,
    *,
    value_seen: str,
) -> None:
    for witness in witnesses:
        signed = json.loads(witness.cosign(of, document, value_seen=value_seen).read_bytes())
        desk.change(
            lambda s, d, signed=signed: ceremony.cosign(
                s, d, signed, holder=None, actor=_OPERATOR, at=desk.clock(), signer=desk.signer
            )
        )


def _ceremony(desk: _Desk, entropy: DemoEntropy, witnesses: list[DemoWitness]) -> None:
    _seal(desk, witnesses)
    rehearsal = desk.change(
        lambda s, d: running.rehearsal(
            s,
            d,
            text="公证员彩排 notary rehearsal 1",
            actor=_OPERATOR,
            at=desk.clock(),
            signer=desk.signer,
        )
    )
    desk.tell(f"6. 模拟摇号 / rehearsal logged, never official: {rehearsal.digest[:16]}…")
    _reveals(desk, witnesses)
    value = entropy.bytes("beacon").hex()
    statement = desk.change(
        lambda s, d: (
            ceremony.enter_beacon(
                s,
                d,
                used="primary",
                value=value,
                proof=None,
                reason=None,
                actor=_OPERATOR,
                at=desk.clock(),
                signer=desk.signer,
            ).document
        )
    )
    assert statement is not None
    _cosigned(desk, witnesses, "beacon", statement, value_seen=value)
    desk.tell(
        f"8. 公共信标 / public beacon (drand round 12000000, simulated): {value[:16]}…; "
        "each witness checks it at the source and co-signs the beacon statement"
    )
    results = desk.change(
        lambda s, d: running.run(s, d, actor=_OPERATOR, at=desk.clock(), signer=desk.signer)
    )
    desk.change(
        lambda s, d: running.publish(s, d, actor=_OPERATOR, at=desk.clock(), signer=desk.signer)
    )
    desk.tell(f"9. 摇号并公布 / drawn and published; results digest:\n   {results}")


def _family_looks_up(desk: _Desk, children: dict[str, str]) -> None:
    """A family (twins, if the list has any) checks each child with its receipt code."""
    desk.tell("10. 家长查询 / a family looks its children up (application number + receipt code):")
    for application, receipt in children.items():
        with session_scope(desk.engine) as session:
            found: LookupResult = look_up(
                session,
                find_draw(session, DRAW_ID),
                application=application,
                receipt=receipt,
                signer=desk.signer,
            )
        desk.tell(
            f"    {application} {found.masked_name} (receipt {format_receipt(receipt)})\n"
            f"      {found.explanation_zh}\n"
            f"      {found.explanation_en}\n"
            f"      inclusion proof: leaf {found.leaf_index} of {found.tree_size}, "
            f"{len(found.inclusion_proof)} hashes to the sealed root {found.applicant_root[:16]}…"
        )


def _decline(desk: _Desk, application: str) -> None:
    """After publication a family declines its seat; the waitlist fills it (§14)."""
    row = desk.change(
        lambda s, d: actions.record_action(
            s,
            d,
            kind="decline",
            application=application,
            actor=_OPERATOR,
            at=desk.clock(),
            signer=desk.signer,
        )
    )
    moved = json.loads(row.moves)
    moves = ", ".join(f"{m[0]} -> {m[2]}" for m in moved) or "(候补为空 / nobody is waiting)"
    desk.tell(f"11. 放弃与递补 / {application} declines its seat; the waitlist moves up: {moves}")


def _write_outputs(desk: _Desk, staging: Path) -> Path:
    """The public bundle (unzipped and zipped) and the printed documents, into `staging`."""
    with session_scope(desk.engine) as session:
        draw = find_draw(session, DRAW_ID)
        files = bundle_contents(session, draw)
        archive = bundle_zip(session, draw)
    bundle_dir = staging / BUNDLE_DIR
    bundle_dir.mkdir(parents=True)
    for name in sorted(files):
        (bundle_dir / name).write_bytes(files[name])
    (staging / OUTPUT_FILES[1]).write_bytes(archive)
    bundle = read_bundle(bundle_dir)
    (staging / OUTPUT_FILES[2]).write_bytes(announcement_pdf(bundle))
    present = [name for _, name in WITNESSES]
    (staging / OUTPUT_FILES[3]).write_bytes(
        draw_record_pdf(
            bundle, witnesses_present=present, place="示范县教育局 (演示)", printed_at=desk.clock()
        )
    )
    (staging / OUTPUT_FILES[4]).write_bytes(stable_workbook(results_xlsx(bundle)))
    with session_scope(desk.engine) as session:
        write_every_document(
            session,
            find_draw(session, DRAW_ID),
            bundle,
            staging / OUTPUT_FILES[5],
            present=[name for _, name in WITNESSES],
            at=desk.clock(),
        )
    return bundle_dir


def _independent_check(desk: _Desk, bundle_dir: Path) -> tuple[int, str]:
    """The verifier, a separate program sharing no code with the engine, re-runs the draw and
    checks it is the draw of the sealing announcement (§12.6): exit 0 means authentic."""
    desk.tell(
        "12. 独立验证 / the independent verifier re-runs the draw, with the pin of the sealing "
        f"announcement: python -m verifier {bundle_dir} --pin {format_pin(desk.pins['pin'])}"
    )
    done = subprocess.run(
        [sys.executable, "-m", "verifier", str(bundle_dir), "--pin", desk.pins["pin"]],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = (done.stdout + done.stderr).splitlines()
    for line in lines:
        desk.tell(f"    {line}")
    return done.returncode, next((line for line in reversed(lines) if line.strip()), "")


def _check_out(out: Path) -> None:
    """`out` must be new, empty, or an earlier demo's output (which is then replaced)."""
    if not out.exists():
        return
    entries = list(out.iterdir()) if out.is_dir() else None
    if entries is None or not all(e.name in OUTPUT_FILES for e in entries):
        raise InvalidInput(
            f"输出目录已有其他文件: {out}",
            f"output directory {out} is not empty (and not an earlier demo's output)",
        )


def _install(staging: Path, out: Path) -> None:
    stale = out.with_name(f".{out.name}.old")
    shutil.rmtree(stale, ignore_errors=True)
    if out.exists():
        out.rename(stale)
    staging.rename(out)
    shutil.rmtree(stale, ignore_errors=True)


def _draw_day(desk: _Desk, entropy: DemoEntropy, rows: list[tuple[str, ...]], homes: Path) -> None:
    """Steps 1 to 11 of the story, through the service; the witnesses' folders in `homes`."""
    receipts = _register(desk, entropy, len(rows), applicant_workbook(rows))
    desk.tell("4. 见证人在各自电脑上生成密钥并提交承诺 / witnesses make their keys and commit:")
    witnesses = _witnesses_commit(desk, entropy, homes)
    _ceremony(desk, entropy, witnesses)
    group = next((r[6] for r in rows if r[6]), "")
    family = [r[0] for r in rows if r[6] == group] if group else [rows[0][0]]
    _family_looks_up(desk, {a: receipts[a] for a in family})
    _decline(desk, _first_admitted(desk, other_than=family[0]))


def run_demo(
    out: Path, *, entropy_text: str | None = None, applicants: int = 3000, tell: Tell = print
) -> DemoSummary:
    """Run the demo draw through the service and write its outputs into `out`."""
    _check_out(out)
    entropy = DemoEntropy(entropy_text)
    key = Ed25519PrivateKey.from_private_bytes(entropy.bytes("signing-key"))
    rows = applicant_rows(entropy, applicants)
    staging = out.with_name(f".{out.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        with tempfile.TemporaryDirectory(prefix="sunshine-demo-") as private:
            engine = make_engine(f"sqlite:///{Path(private) / 'service.db'}")
            try:
                migrate(engine)
                desk = _Desk(engine=engine, signer=Signer(key), clock=entropy.clock(), tell=tell)
                _draw_day(desk, entropy, rows, Path(private) / "witnesses")
                _write_outputs(desk, staging)
            finally:
                engine.dispose()
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # nothing half-written is left behind
        raise
    _install(staging, out)
    verdict = _independent_check(desk, out / BUNDLE_DIR)
    return _summary(out, format_pin(desk.pins["pin"]), verdict)


def _first_admitted(desk: _Desk, *, other_than: str) -> str:
    """The first admitted child in application order, not in `other_than`'s group."""
    with session_scope(desk.engine) as session:
        draw = find_draw(session, DRAW_ID)
        results = json.loads(bundle_contents(session, draw)["results.json"])
        records = {a.application: a.group for a in applicants.public_list(session, draw)}
    avoid = records[other_than]
    return str(
        next(
            application
            for application, _, status, _, _ in results["applicants"]
            if status == "admitted"
            and application != other_than
            and (avoid is None or records[application] != avoid)
        )
    )


def _summary(out: Path, pin: str, verdict: tuple[int, str]) -> DemoSummary:
    bundle = out / BUNDLE_DIR
    results = json.loads((bundle / "results.json").read_bytes())
    manifest = json.loads((bundle / "manifest.json").read_bytes())
    school = results["schools"][0]
    cutoffs = "; ".join(
        f"{c['label']}: "
        + ("none" if c["tier"] is None else f"tier {c['tier']}, number {c['lottery_number']}")
        + (f" ({c['passed_over']} passed over)" if c["passed_over"] else "")
        for c in school["cutoffs"]
    )
    return DemoSummary(
        applicants=manifest["applicants"]["count"],
        seats=school["seats"],
        admitted=school["admitted"],
        admitted_by_tier=tuple((str(t), int(n)) for t, n in school["by_tier"]),
        reserved_used=sum(int(n) for _, n in school["reserved"]),
        reserved_seats=sum(r["seats"] for r in manifest["schools"][0]["reserved"]),
        cutoff=cutoffs or "none",
        waitlist=len(school["waitlist"]),
        manifest_digest=results["manifest"],
        seed=results["seed"],
        results_digest=json.loads((bundle / "results.sig.json").read_bytes())["digest"],
        out=out,
        pin=pin,
        verifier_exit=verdict[0],
        verifier_verdict=verdict[1],
    )

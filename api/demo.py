"""The demo: a realistic county draw run end to end through the service, told as a story.

A county primary school with 300 seats, 4 priority tiers (户籍+房产一致, 仅户籍, 仅房产,
居住证), 10% of seats reserved for migrant children (随迁子女) and some twins and triplets who
apply together (protocol §4.4). The applicant list is written as an Excel file with Chinese
headers and GB 11643-valid ID numbers and imported like a clerk's file; then the objection
period, three witnesses (公证处, 纪检, 家长代表) who commit, sealing, a rehearsal, the reveals, the
beacon, the run, publication, a family's look-up, and the independent verifier, run as a separate
program on the published bundle. Everything goes through `api.services` on a fresh SQLite file.
The school and its families are made in `api.demo_county`.

This is the edge of the system, where the entropy lives. With `entropy_text`, every secret,
receipt code, key, name, the beacon value and the clock derive from that text, so two runs give
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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine
from sqlmodel import Session

from api.auth import authenticate
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
from api.documents import announcement_pdf, draw_record_pdf, results_xlsx
from api.errors import InvalidInput
from api.lifecycle import transaction
from api.models import Draw
from api.schemas import LookupResult
from api.services import actions, applicants, ceremony, draws, running, sealing
from api.services.access import find_draw, witness_of
from api.services.bureaus import create_bureau
from api.services.lookup import look_up
from api.services.publication import bundle_contents, bundle_zip
from api.signer import Signer
from lottery import format_receipt, read_bundle, witness_commitment

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
    cutoff: str
    waitlist: int
    manifest_digest: str
    seed: str
    results_digest: str
    out: Path
    verifier_exit: int


# -- the flow through the service ------------------------------------------------------------


@dataclass(frozen=True)
class _Desk:
    """What every step needs: the database, the bureau's signer, the clock, the story."""

    engine: Engine
    signer: Signer
    clock: Callable[[], str]
    tell: Tell
    pins: dict[str, str] = field(default_factory=dict)  # from the sealing announcement

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
            spec=demo_spec(),
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


def _witnesses_commit(desk: _Desk, entropy: DemoEntropy) -> dict[str, tuple[str, bytes]]:
    """Three witnesses register; each commits with its own credential (§7.1)."""
    held: dict[str, tuple[str, bytes]] = {}
    for code, name in WITNESSES:

        def register(session: Session, draw: Draw, code: str = code, name: str = name) -> str:
            return sealing.register_witness(
                session,
                draw,
                code=code,
                name=name,
                actor=_OPERATOR,
                at=desk.clock(),
                signer=desk.signer,
            )[1]

        held[code] = (desk.change(register), entropy.bytes(f"witness/{code}"))
    for code, (token, secret) in held.items():
        commitment = witness_commitment(code, secret)
        _as_witness(desk, code, token, commitment=commitment)
        desk.tell(f"   {dict(WITNESSES)[code]} ({code}) commits {commitment[:16]}…")
    return held


def _as_witness(
    desk: _Desk, code: str, token: str, *, commitment: str = "", secret_hex: str = ""
) -> None:
    """A witness commits (before sealing) or reveals (in the ceremony) with its own credential."""

    def with_credential(session: Session, draw: Draw) -> None:
        caller = authenticate(session, f"Bearer {token}")
        assert caller is not None
        witness = witness_of(session, draw, caller)
        assert witness.code == code
        at, signer = desk.clock(), desk.signer
        if commitment:
            sealing.commit(
                session,
                draw,
                witness,
                commitment=commitment,
                actor=caller.actor,
                at=at,
                signer=signer,
            )
        else:
            ceremony.reveal(
                session,
                draw,
                witness,
                secret_hex=secret_hex,
                actor=caller.actor,
                at=at,
                signer=signer,
            )

    desk.change(with_credential)


def _ceremony(desk: _Desk, entropy: DemoEntropy, held: dict[str, tuple[str, bytes]]) -> None:
    manifest = desk.change(
        lambda s, d: sealing.seal_draw(s, d, actor=_OPERATOR, at=desk.clock(), signer=desk.signer)
    )
    desk.tell(
        f"5. 封存 / sealed; manifest digest (published before the seed exists):\n   {manifest}"
    )
    desk.pins.update(manifest=str(manifest), key=desk.signer.fingerprint)
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
    desk.change(
        lambda s, d: ceremony.open_ceremony(
            s, d, actor=_OPERATOR, at=desk.clock(), signer=desk.signer
        )
    )
    for code, (token, secret) in held.items():
        _as_witness(desk, code, token, secret_hex=secret.hex())
    desk.tell("7. 见证人揭示秘密 / the three witnesses reveal; each matches its commitment")
    value = entropy.bytes("beacon").hex()
    desk.change(
        lambda s, d: ceremony.enter_beacon(
            s,
            d,
            used="primary",
            value=value,
            reason=None,
            actor=_OPERATOR,
            at=desk.clock(),
            signer=desk.signer,
        )
    )
    desk.tell(f"8. 公共信标 / public beacon (drand round 12000000, simulated): {value[:16]}…")
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


def _independent_check(desk: _Desk, bundle_dir: Path) -> int:
    """The verifier, a separate program sharing no code with the engine, re-runs the draw."""
    desk.tell(
        "12. 独立验证 / the independent verifier re-runs the draw, with the two values of the "
        f"sealing announcement: python -m verifier {bundle_dir} --expect-manifest … --expect-key …"
    )
    pins = ["--expect-manifest", desk.pins["manifest"], "--expect-key", desk.pins["key"]]
    done = subprocess.run(
        [sys.executable, "-m", "verifier", str(bundle_dir), *pins],
        capture_output=True,
        text=True,
        check=False,
    )
    for line in (done.stdout + done.stderr).splitlines():
        desk.tell(f"    {line}")
    return done.returncode


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


def _draw_day(desk: _Desk, entropy: DemoEntropy, rows: list[tuple[str, ...]]) -> None:
    """Steps 1 to 11 of the story, through the service."""
    receipts = _register(desk, entropy, len(rows), applicant_workbook(rows))
    desk.tell("4. 见证人登记并提交承诺 / witnesses register and commit:")
    held = _witnesses_commit(desk, entropy)
    _ceremony(desk, entropy, held)
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
                _draw_day(desk, entropy, rows)
                _write_outputs(desk, staging)
            finally:
                engine.dispose()
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # nothing half-written is left behind
        raise
    _install(staging, out)
    verdict = _independent_check(desk, out / BUNDLE_DIR)
    return _summary(out, verdict)


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


def _summary(out: Path, verifier_exit: int) -> DemoSummary:
    bundle = out / BUNDLE_DIR
    results = json.loads((bundle / "results.json").read_bytes())
    manifest = json.loads((bundle / "manifest.json").read_bytes())
    school = results["schools"][0]
    cutoff = school["cutoff"]
    return DemoSummary(
        applicants=manifest["applicants"]["count"],
        seats=school["seats"],
        admitted=school["admitted"],
        admitted_by_tier=tuple((str(t), int(n)) for t, n in school["by_tier"]),
        reserved_used=sum(int(n) for _, n in school["reserved"]),
        reserved_seats=sum(r["seats"] for r in manifest["schools"][0]["reserved"]),
        cutoff="none"
        if cutoff is None
        else f"tier {cutoff['tier']}, number {cutoff['lottery_number']}",
        waitlist=len(school["waitlist"]),
        manifest_digest=results["manifest"],
        seed=results["seed"],
        results_digest=json.loads((bundle / "results.sig.json").read_bytes())["digest"],
        out=out,
        verifier_exit=verifier_exit,
    )

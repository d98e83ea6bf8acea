"""The demo: a realistic county draw run end to end through the service, told as a story.

A county primary school with 300 seats, 4 priority tiers (户籍+房产一致, 仅户籍, 仅房产,
居住证), 10% of seats reserved for migrant children (随迁子女) and some twins and triplets who
apply together (protocol §4.4). The applicant list is written as an Excel file with Chinese
headers and GB 11643-valid ID numbers and imported like a clerk's file; then the objection
period, three witnesses (公证处, 纪检, 家长代表) who commit, sealing, a rehearsal, the reveals, the
beacon, the run, publication, a family's look-up, and the independent verifier, run as a separate
program on the published bundle. Everything goes through `api.services` on a fresh SQLite file.

This is the edge of the system, where the entropy lives. With `entropy_text`, every secret,
receipt code, key, name, the beacon value and the clock derive from that text, so two runs give
byte-identical outputs; without it they come from the operating system and the real clock.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import itertools
import json
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from sqlalchemy import Engine
from sqlmodel import Session

from api.auth import authenticate
from api.clock import utc_now
from api.db import make_engine, migrate, session_scope
from api.documents import announcement_pdf, draw_record_pdf, results_xlsx
from api.errors import InvalidInput
from api.importing.id_number import check_digit
from api.lifecycle import transaction
from api.models import Draw
from api.schemas import DrawCreate, LookupResult
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

DRAW_ID = "XQ-2026-SY01"
SCHOOL = "XQ-SY01"
MIGRANT = "SQ"  # 随迁子女 category
TIERS = (
    ("T1", "户籍与房产一致"),
    ("T2", "仅有户籍"),
    ("T3", "仅有房产"),
    ("T4", "居住证 (随迁子女)"),
)
TIER_SHARES = (60, 100, 140, 700)  # thousandths per tier: an oversubscribed school
WITNESSES = (
    ("W1-notary", "公证处公证员 notary"),
    ("W2-inspector", "纪检监察员 discipline inspector"),
    ("W3-parent", "家长代表 parent representative"),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "子涵梓轩浩宇欣怡雨桐一诺思远俊杰佳琪嘉怡宇航梦瑶博文雅婷天佑若曦晨阳静怡泽宇可馨明哲诗涵"
BIRTH_FROM = datetime.date(2019, 9, 1)
BUNDLE_DIR = "bundle"
OUTPUT_FILES = (
    BUNDLE_DIR,
    f"{DRAW_ID}.zip",
    "公示名单 announcement.pdf",
    "摇号过程记录 draw-record.pdf",
    "录取结果 results.xlsx",
)
_START = datetime.datetime(2026, 7, 10, 0, 30, tzinfo=datetime.UTC)  # 08:30 Beijing, draw day
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

Tell = Callable[[str], None]
T = TypeVar("T")


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
        """A number in `[0, below)` for the synthetic data (never for the draw)."""
        return int.from_bytes(hashlib.sha256(b"n" + self.bytes(label)).digest(), "big") % below

    def clock(self) -> Callable[[], str]:
        """The real clock, or a stated one (one minute per reading from the draw morning)."""
        if self.text is None:
            return utc_now
        ticks = itertools.count()
        return lambda: (_START + datetime.timedelta(minutes=next(ticks))).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )


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


def demo_spec(seats: int = 300) -> DrawCreate:
    """The demo school's rules, as an operator sends them (protocol §6.1, §6.2)."""
    return DrawCreate.model_validate(
        {
            "id": DRAW_ID,
            "title": "2026年秋季一年级新生电脑派位 (演示)",
            "mode": "single_school_lottery",
            "min_reveals": 2,
            "beacon": {
                "primary": {
                    "source": "drand quicknet (simulated)",
                    "round": "12000000",
                    "format": "hex64",
                }
            },
            "birth_date_from": BIRTH_FROM.isoformat(),
            "birth_date_to": "2020-08-31",
            "schools": [
                {
                    "id": SCHOOL,
                    "name": "示范县实验小学",
                    "seats": seats,
                    "tiers": [{"id": t, "label": label} for t, label in TIERS],
                    "reserved": [{"category": MIGRANT, "seats": max(1, seats // 10)}],
                }
            ],
            "categories": [{"id": MIGRANT, "label": "随迁子女 (居住证)"}],
        }
    )


# -- the applicant file ------------------------------------------------------------------------

_HEADERS = ("报名号", "姓名", "身份证号", "志愿", "类别", "专项类别", "同胞组")


def _family_rows(entropy: DemoEntropy, family: int, first: int, size: int) -> list[tuple[str, ...]]:
    """One family's children (twins share surname, birth date and group)."""
    pick = entropy.number(f"tier/{family}", 1000)
    tier = next((i for i, edge in enumerate(itertools.accumulate(TIER_SHARES)) if pick < edge), 3)
    surname = SURNAMES[entropy.number(f"surname/{family}", len(SURNAMES))]
    birth = BIRTH_FROM + datetime.timedelta(days=entropy.number(f"birth/{family}", 366))
    group = f"TW{family:05d}" if size > 1 else ""
    rows: list[tuple[str, ...]] = []
    for n in range(first, first + size):
        given = "".join(
            GIVEN[entropy.number(f"given/{n}/{k}", len(GIVEN))] for k in range(1 + n % 2)
        )
        # Region and sequence digits are unique per child (from the running number n);
        # the 17th digit is odd for boys (GB 11643).
        sequence = f"{n % 100:02d}{entropy.number(f'sex/{n}', 10)}"
        body = f"{330100 + n // 100}{birth:%Y%m%d}{sequence}"
        rows.append(
            (
                f"2026SY{n:05d}",
                surname + given,
                body + check_digit(body),
                SCHOOL,
                "" if tier == 3 else TIERS[tier][0],
                MIGRANT if tier == 3 else "",
                group,
            )
        )
    return rows


def applicant_rows(entropy: DemoEntropy, count: int) -> list[tuple[str, ...]]:
    """Synthetic applicants: about 1.5% of families are twins or triplets (§4.4)."""
    rows: list[tuple[str, ...]] = []
    for family in itertools.count():
        if len(rows) >= count:
            return rows
        size = 1
        if entropy.number(f"family/{family}", 1000) < 15:
            size = 3 if entropy.number(f"triplets/{family}", 10) == 0 else 2
        rows += _family_rows(entropy, family, len(rows) + 1, min(size, count - len(rows)))
    raise AssertionError("unreachable")


def applicant_workbook(rows: list[tuple[str, ...]]) -> bytes:
    """The list as a clerk's .xlsx with Chinese headers, every cell text; deterministic bytes."""
    workbook = Workbook(write_only=True)  # streaming: linear in the number of rows
    sheet = workbook.create_sheet("报名名单")
    for row in (_HEADERS, *rows):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = "@"  # text, so Excel never turns an ID number into a float
            cells.append(cell)
        sheet.append(cells)
    fixed = datetime.datetime(2026, 6, 1)
    workbook.properties.created = workbook.properties.modified = fixed
    raw = io.BytesIO()
    workbook.save(raw)
    return stable_workbook(raw.getvalue())


def stable_workbook(data: bytes) -> bytes:
    """An .xlsx with fixed zip entry times and `modified` equal to `created`.

    openpyxl stamps `dcterms:modified` with the wall clock when it saves, whatever the
    workbook says; this puts the document's own date back so equal data give equal bytes.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "docProps/core.xml":
                content = _modified_as_created(content)
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, content)
    return buffer.getvalue()


_CREATED = re.compile(rb"<dcterms:created[^>]*>([^<]*)</dcterms:created>")
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _modified_as_created(core: bytes) -> bytes:
    created = _CREATED.search(core)
    if created is None:
        return core
    return _MODIFIED.sub(lambda m: m.group(1) + created.group(1) + m.group(2), core)


# -- the flow through the service ------------------------------------------------------------


@dataclass(frozen=True)
class _Desk:
    """What every step needs: the database, the bureau's signer, the clock, the story."""

    engine: Engine
    signer: Signer
    clock: Callable[[], str]
    tell: Tell

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
                session, find_draw(session, DRAW_ID), application=application, receipt=receipt
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
    return bundle_dir


def _independent_check(desk: _Desk, bundle_dir: Path) -> int:
    """The verifier, a separate program sharing no code with the engine, re-runs the draw."""
    desk.tell(
        f"12. 独立验证 / the independent verifier re-runs the draw: python -m verifier {bundle_dir}"
    )
    done = subprocess.run(
        [sys.executable, "-m", "verifier", str(bundle_dir)],
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

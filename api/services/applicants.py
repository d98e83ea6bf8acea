"""Applicants: import rows (file or JSON) into public and private rows, all or nothing.

Every row is checked by `api.importing` (one validation path for files and JSON). Each child
gets an application number (the file's, or bureau code + zero-padded sequence in file order)
and a receipt code from the OS entropy via the engine's `make_receipt_code` (protocol §4.3); the
engine builds the public record and its salted private digest.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import insert
from sqlmodel import Session, SQLModel, col, select

from api import audit
from api.errors import Conflict, InvalidInput, Problem
from api.importing import (
    ColumnChoices,
    ImportedApplicant,
    ImportRejected,
    mask_id_number,
    mask_name,
    read_applicant_bytes,
)
from api.lifecycle import State, bump
from api.models import (
    Applicant,
    ApplicantPrivate,
    Bureau,
    Draw,
)
from api.schemas import ApplicantCreated, ApplicantPublic, ApplicantRow
from api.schemas import ApplicantPrivate as ApplicantPrivateOut
from api.services.import_rules import import_rules
from api.signer import Signer
from lottery.encoding import canonical_json
from lottery.records import (
    PrivateRecord,
    PublicRecord,
    make_receipt_code,
    public_record,
    receipt_check,
)

__all__ = [
    "Entropy",
    "ImportSummary",
    "applicant_records",
    "import_file",
    "import_list",
    "import_rejection",
    "import_rules",
    "private_list",
    "public_list",
    "public_row",
    "rows_to_csv",
]

Entropy = Callable[[int], bytes]


def rows_to_csv(rows: Sequence[ApplicantRow], *, max_preferences: int) -> bytes:
    """JSON rows as a UTF-8 CSV file with the importer's English headers."""
    width = max([max_preferences, *(len(r.preferences) for r in rows)])
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    numbered = any(r.application is not None for r in rows)
    header = ["application"] if numbered else []
    header += ["name", "id_number"]
    header += [f"preference_{i}" for i in range(1, width + 1)]
    writer.writerow([*header, "tier", "category", "group"])
    for row in rows:
        prefs = list(row.preferences) + [""] * (width - len(row.preferences))
        tiers = ";".join(f"{school}:{tier}" for school, tier in sorted(row.tiers.items()))
        writer.writerow(
            [
                *([row.application or ""] if numbered else []),
                row.name,
                row.id_number,
                *prefs,
                tiers,
                row.category or "",
                row.group or "",
            ]
        )
    return buffer.getvalue().encode("utf-8")


def import_rejection(error: ImportRejected) -> InvalidInput:
    """A rejected file as `InvalidInput` listing every problem."""
    problems = tuple(
        Problem(
            field=p.column,
            message_zh=p.message_zh,
            message_en=p.message_en,
            row=p.row,
            value=p.value,
        )
        for p in error.problems
    )
    count = len(problems)
    return InvalidInput(
        f"导入被拒绝, 共 {count} 个问题; 未导入任何考生",
        f"import rejected with {count} problem(s); nothing was imported",
        problems=problems,
    )


@dataclass(frozen=True)
class ImportSummary:
    """An accepted import: the children created, and what the clerk should be told."""

    created: list[ApplicantCreated]
    ignored_columns: tuple[str, ...]
    mapped_columns: tuple[tuple[str, str], ...]
    warnings: tuple[str, ...]


def import_file(
    session: Session,
    draw: Draw,
    *,
    data: bytes,
    filename: str,
    actor: str,
    at: str,
    signer: Signer,
    entropy: Entropy = secrets.token_bytes,
    choices: ColumnChoices | None = None,
) -> list[ApplicantCreated]:
    """Import every applicant of a file (CSV or XLSX), or nothing: `InvalidInput` lists all."""
    summary = import_list(
        session,
        draw,
        data=data,
        filename=filename,
        actor=actor,
        at=at,
        signer=signer,
        entropy=entropy,
        choices=choices,
    )
    return summary.created


def import_list(
    session: Session,
    draw: Draw,
    *,
    data: bytes,
    filename: str,
    actor: str,
    at: str,
    signer: Signer,
    entropy: Entropy = secrets.token_bytes,
    choices: ColumnChoices | None = None,
) -> ImportSummary:
    """Import every applicant of a file, or nothing; see `import_file`.

    `choices` maps or ignores columns the import does not know; the audit entry records the
    columns left out and those read under a field the clerk named."""
    if draw.previous_draw_id is not None:
        raise Conflict(
            f"抽签 {draw.public_id} 是补录抽签, 名单由上一轮结果确定, 不能导入考生",
            f"draw {draw.public_id} is a second round: its children are those the first draw "
            "left without a seat (§14.5); none can be imported",
        )
    bump(session, draw, allowed=(State.DRAFT, State.OBJECTION), what=("导入考生", "importing"))
    try:
        result = read_applicant_bytes(
            data, filename=filename, draw_rules=import_rules(session, draw), choices=choices
        )
    except ImportRejected as error:
        raise import_rejection(error) from None
    receipts = _store(session, draw, result.rows, entropy=entropy)
    assert draw.id is not None
    audit.record(
        session,
        draw_id=draw.id,
        actor=actor,
        action="applicants.imported",
        details={
            "count": len(receipts),
            "file_sha256": hashlib.sha256(data).hexdigest(),
            "format": result.format,
            "ignored_columns": list(result.ignored_columns),
            "mapped_columns": {header: field for header, field in result.mapped_columns},
        },
        at=at,
        signer=signer,
    )
    return ImportSummary(
        created=receipts,
        ignored_columns=result.ignored_columns,
        mapped_columns=result.mapped_columns,
        warnings=tuple(w.describe() for w in result.warnings),
    )


def _numbering(session: Session, draw: Draw, rows: Sequence[ImportedApplicant]) -> list[str]:
    """Application numbers: the file's, or bureau code + sequence for rows without one."""
    existing = set(
        session.exec(select(Applicant.application).where(Applicant.draw_id == draw.id)).all()
    )
    problems: list[Problem] = []
    for row in rows:
        if row.application is not None and row.application in existing:
            problems.append(
                Problem(
                    "application",
                    f"报名号 {row.application} 已存在于本次抽签",
                    f"application number {row.application} is already in this draw",
                    row=row.row,
                    value=row.application,
                )
            )
    if problems:
        raise InvalidInput(
            "导入被拒绝: 报名号重复; 未导入任何考生",
            "import rejected: duplicate application numbers; nothing was imported",
            problems=tuple(problems),
        )
    bureau = session.get(Bureau, draw.bureau_id)
    assert bureau is not None
    taken = existing | {r.application for r in rows if r.application is not None}
    numbers: list[str] = []
    seq = draw.next_application_seq
    for row in rows:
        if row.application is not None:
            numbers.append(row.application)
            continue
        while (candidate := f"{bureau.code}{seq:06d}") in taken:
            seq += 1
        taken.add(candidate)
        numbers.append(candidate)
        seq += 1
    draw.next_application_seq = seq
    return numbers


def _check_new_children(session: Session, draw: Draw, rows: Sequence[ImportedApplicant]) -> None:
    ids = {r.id_number: r.row for r in rows}
    query = (
        select(ApplicantPrivate.id_number)
        .join(Applicant, col(Applicant.id) == col(ApplicantPrivate.applicant_id))
        .where(Applicant.draw_id == draw.id)
    )
    known = set(session.exec(query).all())
    problems = tuple(
        Problem(
            "id_number",
            "该身份证号已在本次抽签中登记",
            "this ID number is already registered in this draw",
            row=row,
            value=mask_id_number(number),
        )
        for number, row in ids.items()
        if number in known
    )
    if problems:
        raise InvalidInput(
            "导入被拒绝: 考生重复登记; 未导入任何考生",
            "import rejected: children already registered; nothing was imported",
            problems=problems,
        )


def _store(
    session: Session, draw: Draw, rows: Sequence[ImportedApplicant], *, entropy: Entropy
) -> list[ApplicantCreated]:
    _check_new_children(session, draw, rows)
    numbers = _numbering(session, draw, rows)
    public_rows: list[dict[str, object]] = []
    private_rows: list[dict[str, object]] = []
    receipts: list[ApplicantCreated] = []
    for row, number in zip(rows, numbers, strict=True):
        receipt = make_receipt_code(entropy(10))
        private = PrivateRecord(
            application=number, id_number=row.id_number, name=row.name, receipt=receipt
        )
        record = public_record(
            private,
            category=row.category,
            group=row.group,
            preferences=row.preferences,
            tiers=dict(row.tiers),
            sex=row.sex,
            masked_name=mask_name(row.name),
            masked_id=mask_id_number(row.id_number),
        )
        public_rows.append(public_row(draw, record))
        private_rows.append(
            {
                "application": number,
                "name": row.name,
                "id_number": row.id_number,
                "birth_date": row.birth_date,
                "receipt_code": receipt,
            }
        )
        receipts.append(
            ApplicantCreated(
                application=number, receipt_code=receipt, masked_name=record.masked_name
            )
        )
    applicant_table = SQLModel.metadata.tables[
        "applicants"
    ]  # Core inserts: the ORM's bulk path is slow here
    private_table = SQLModel.metadata.tables["applicants_private"]
    for start in range(0, len(public_rows), 5000):
        session.execute(insert(applicant_table), public_rows[start : start + 5000])
    new = set(numbers)
    ids = {
        application: pk
        for pk, application in session.execute(
            select(Applicant.id, Applicant.application).where(Applicant.draw_id == draw.id)
        ).all()
        if application in new
    }
    for private_row in private_rows:
        private_row["applicant_id"] = ids[private_row.pop("application")]
    for start in range(0, len(private_rows), 5000):
        session.execute(insert(private_table), private_rows[start : start + 5000])
    session.add(draw)
    return receipts


def public_row(draw: Draw, record: PublicRecord) -> dict[str, object]:
    """The `applicants` row of a public record (bulk insert)."""
    return {
        "draw_id": draw.id,
        "application": record.application,
        "category": record.category,
        "group_code": record.group,
        "masked_id": record.masked_id,
        "masked_name": record.masked_name,
        "sex": record.sex,
        "preferences": canonical_json(list(record.preferences)).decode("utf-8"),
        "tiers": canonical_json(dict(record.tiers)).decode("utf-8"),
        "private_digest": record.private_digest,
        "receipt_check": record.receipt_check,
    }


def applicant_records(session: Session, draw: Draw) -> list[PublicRecord]:
    """The draw's public records as the engine's `PublicRecord`s, in application order."""
    rows = session.exec(select(Applicant).where(Applicant.draw_id == draw.id)).all()
    if any(a.receipt_check is None for a in rows):
        _fill_receipt_checks(session, rows)
    records = [
        PublicRecord(
            application=a.application,
            category=a.category,
            group=a.group_code,
            masked_id=a.masked_id,
            masked_name=a.masked_name,
            preferences=tuple(json.loads(a.preferences)),
            private_digest=a.private_digest,
            sex="M" if a.sex == "M" else "F",
            tiers=tuple(sorted(json.loads(a.tiers).items())),
            receipt_check=a.receipt_check or "",
        )
        for a in rows
    ]
    return sorted(records, key=lambda r: r.application.encode("ascii"))


def _fill_receipt_checks(session: Session, rows: Sequence[Applicant]) -> None:
    """Rows stored before protocol version 2 get their receipt check (§4.8) from the code."""
    for a in rows:
        if a.receipt_check is None:
            private = session.get(ApplicantPrivate, a.id)
            assert private is not None
            a.receipt_check = receipt_check(a.application, private.receipt_code)
            session.add(a)


def _public(a: Applicant) -> ApplicantPublic:
    return ApplicantPublic(
        application=a.application,
        category=a.category,
        group=a.group_code,
        masked_id=a.masked_id,
        masked_name=a.masked_name,
        preferences=json.loads(a.preferences),
        private_digest=a.private_digest,
        receipt_check=a.receipt_check or "",
        sex=a.sex,
        tiers=json.loads(a.tiers),
    )


def public_list(session: Session, draw: Draw) -> list[ApplicantPublic]:
    """The masked list (公示) in application order."""
    rows = session.exec(select(Applicant).where(Applicant.draw_id == draw.id)).all()
    return sorted((_public(a) for a in rows), key=lambda a: a.application.encode("ascii"))


def private_list(session: Session, draw: Draw) -> list[ApplicantPrivateOut]:
    """The bureau's list with personal data, in application order."""
    query = (
        select(Applicant, ApplicantPrivate)
        .join(ApplicantPrivate, col(Applicant.id) == col(ApplicantPrivate.applicant_id))
        .where(Applicant.draw_id == draw.id)
    )
    out = [
        ApplicantPrivateOut(
            **_public(a).model_dump(),
            name=p.name,
            id_number=p.id_number,
            birth_date=p.birth_date,
            receipt_code=p.receipt_code,
        )
        for a, p in session.exec(query).all()
    ]
    return sorted(out, key=lambda a: a.application.encode("ascii"))

"""Corrections during the objection period (公示异议期): edit, withdraw or replace a child.

An upheld objection must be correctable before sealing, without a new draw. Each change needs
a reason, is allowed only in draft and objection (after sealing nothing changes: the state
machine refuses), and is recorded in the audit log with the fields it changed. An edited row
is checked exactly like a row of an imported file (one validation path), and keeps the child's
application number and receipt code, so a receipt already handed out stays valid; its salted
private digest is recomputed from the corrected record (protocol §4.3).

The reason goes into the public audit log, so it may not contain the child's name or ID
number; the log records which fields changed, and the before and after of public fields only.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
from dataclasses import dataclass

from sqlmodel import Session, col, select

from api import audit
from api.errors import InvalidInput, NotFound, Problem
from api.importing import (
    ImportedApplicant,
    ImportRejected,
    ImportRules,
    mask_id_number,
    mask_name,
    read_applicant_bytes,
)
from api.lifecycle import State, bump
from api.models import Applicant, ApplicantPrivate, Draw
from api.schemas import ApplicantCreated
from api.services.applicants import Entropy, import_file, import_rejection, import_rules
from api.signer import Signer
from lottery.encoding import canonical_json
from lottery.records import PrivateRecord, public_record

__all__ = ["Correction", "correct_applicant", "replace_applicant", "withdraw_applicant"]

_EDITABLE = (State.DRAFT, State.OBJECTION)
_MAX_REASON = 500


@dataclass(frozen=True)
class Correction:
    """The fields to change; None keeps a field, "" clears an optional one (category, group).

    Schools, tiers and categories may be written as codes or as the draw's names for them.
    """

    name: str | None = None
    id_number: str | None = None
    preferences: tuple[str, ...] | None = None
    tiers: str | None = None  # one tier for every school, or "S01:T1;S02:T3"
    category: str | None = None
    group: str | None = None


def _claim(session: Session, draw: Draw, what: tuple[str, str]) -> None:
    bump(session, draw, allowed=_EDITABLE, what=what)


def _child(session: Session, draw: Draw, application: str) -> tuple[Applicant, ApplicantPrivate]:
    row = session.exec(
        select(Applicant, ApplicantPrivate)
        .join(ApplicantPrivate, col(Applicant.id) == col(ApplicantPrivate.applicant_id))
        .where(Applicant.draw_id == draw.id, Applicant.application == application)
    ).first()
    if row is None:
        raise NotFound(
            f"本次抽签中没有报名号 {application}", f"no application number {application} here"
        )
    return row


def _checked_reason(reason: str, *, private: ApplicantPrivate, new_id: str | None) -> str:
    text = " ".join(reason.split())
    if not text:
        raise InvalidInput("请填写更正原因", "give the reason for the change")
    if len(text) > _MAX_REASON:
        raise InvalidInput(
            f"原因过长: 最多 {_MAX_REASON} 个字符", f"reason too long: at most {_MAX_REASON}"
        )
    secrets_in_reason = [v for v in (private.name, private.id_number, new_id) if v and v in text]
    if secrets_in_reason:
        raise InvalidInput(
            "原因会写入公开的审计日志, 不能包含姓名或身份证号",
            "the reason goes into the public audit log: it may not hold a name or ID number",
        )
    return text


def correct_applicant(
    session: Session,
    draw: Draw,
    *,
    application: str,
    correction: Correction,
    reason: str,
    actor: str,
    at: str,
    signer: Signer,
) -> ApplicantCreated:
    """Edit one child's record before sealing; the receipt code is kept."""
    _claim(session, draw, ("更正考生信息", "correcting an applicant"))
    public, private = _child(session, draw, application)
    why = _checked_reason(reason, private=private, new_id=correction.id_number)
    before = _public_fields(public)
    row = _validated_row(session, draw, public, private, correction)
    _check_id_free(session, draw, row.id_number, keep=public)
    changed = [f for f in ("name", "id_number") if getattr(private, f) != getattr(row, f)]
    _rewrite(public, private, row)
    session.add(public)
    session.add(private)
    after = _public_fields(public)
    changed += [field for field in before if before[field] != after[field]]
    assert draw.id is not None
    audit.record(
        session,
        draw_id=draw.id,
        actor=actor,
        action="applicant.corrected",
        details={
            "application": application,
            "reason": why,
            "changed": changed,
            "before": {f: before[f] for f in changed if f in before},
            "after": {f: after[f] for f in changed if f in after},
        },
        at=at,
        signer=signer,
    )
    return ApplicantCreated(
        application=application, receipt_code=private.receipt_code, masked_name=public.masked_name
    )


def _rewrite(public: Applicant, private: ApplicantPrivate, row: ImportedApplicant) -> None:
    """Both rows from the corrected record; same application number and receipt code, so the
    salted private digest is recomputed from them (protocol §4.3)."""
    record = public_record(
        PrivateRecord(
            application=public.application,
            id_number=row.id_number,
            name=row.name,
            receipt=private.receipt_code,
        ),
        category=row.category,
        group=row.group,
        preferences=row.preferences,
        tiers=dict(row.tiers),
        sex=row.sex,
        masked_name=mask_name(row.name),
        masked_id=mask_id_number(row.id_number),
    )
    public.category, public.group_code = record.category, record.group
    public.masked_id, public.masked_name, public.sex = record.masked_id, record.masked_name, row.sex
    public.preferences = canonical_json(list(record.preferences)).decode("utf-8")
    public.tiers = canonical_json(dict(record.tiers)).decode("utf-8")
    public.private_digest = record.private_digest
    public.receipt_check = record.receipt_check
    private.name, private.id_number, private.birth_date = row.name, row.id_number, row.birth_date


def _public_fields(public: Applicant) -> dict[str, object]:
    return {
        "preferences": json.loads(public.preferences),
        "tiers": json.loads(public.tiers),
        "category": public.category,
        "group": public.group_code,
    }


def _validated_row(
    session: Session,
    draw: Draw,
    public: Applicant,
    private: ApplicantPrivate,
    correction: Correction,
) -> ImportedApplicant:
    """The corrected row, checked by the importer exactly like a row of a file."""
    rules = import_rules(session, draw)
    tiers = _kept_tiers(json.loads(public.tiers), correction, rules)
    values = [
        correction.name if correction.name is not None else private.name,
        correction.id_number if correction.id_number is not None else private.id_number,
        ";".join(
            correction.preferences
            if correction.preferences is not None
            else json.loads(public.preferences)
        ),
        tiers,
        correction.category if correction.category is not None else public.category or "",
        correction.group if correction.group is not None else public.group_code or "",
    ]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["name", "id_number", "preferences", "tier", "category", "group"])
    writer.writerow(values)
    try:
        result = read_applicant_bytes(
            buffer.getvalue().encode("utf-8"),
            filename=f"{public.application}.csv",
            draw_rules=rules,
        )
    except ImportRejected as error:
        raise import_rejection(error) from None
    return result.rows[0]


def _kept_tiers(old: dict[str, str], correction: Correction, rules: ImportRules) -> str:
    """The tier cell of the corrected row. New preferences without a tier keep the child's
    tier when it was one label for every school (a residence category); otherwise the clerk
    gives it again."""
    if correction.tiers is not None:
        return correction.tiers
    if correction.preferences is None:
        return ";".join(f"{school}:{tier}" for school, tier in sorted(old.items()))
    labels = {rules.tier_labels.get(school, {}).get(tier, tier) for school, tier in old.items()}
    if len(labels) > 1:
        raise InvalidInput(
            "该考生在各校的类别不同; 修改志愿时请同时填写类别 (--tier)",
            "the child's tier differs between schools: give the tier with the new preferences",
        )
    return next(iter(labels), "")


def _check_id_free(session: Session, draw: Draw, id_number: str, *, keep: Applicant) -> None:
    other = session.exec(
        select(Applicant.application)
        .join(ApplicantPrivate, col(Applicant.id) == col(ApplicantPrivate.applicant_id))
        .where(
            Applicant.draw_id == draw.id,
            ApplicantPrivate.id_number == id_number,
            Applicant.id != keep.id,
        )
    ).first()
    if other is not None:
        raise InvalidInput(
            f"该身份证号已登记在报名号 {other} 下",
            f"this ID number is already registered under application {other}",
            problems=(
                Problem("id_number", "身份证号重复", "duplicate", value=mask_id_number(id_number)),
            ),
        )


def withdraw_applicant(
    session: Session,
    draw: Draw,
    *,
    application: str,
    reason: str,
    actor: str,
    at: str,
    signer: Signer,
) -> None:
    """Remove one child before sealing (an ineligible or duplicated registration)."""
    _claim(session, draw, ("撤回考生", "withdrawing an applicant"))
    public, private = _child(session, draw, application)
    why = _checked_reason(reason, private=private, new_id=None)
    _check_group_left_whole(session, draw, public)
    session.delete(private)
    session.flush()
    session.delete(public)
    session.flush()
    assert draw.id is not None
    audit.record(
        session,
        draw_id=draw.id,
        actor=actor,
        action="applicant.withdrawn",
        details={"application": application, "reason": why},
        at=at,
        signer=signer,
    )


def _check_group_left_whole(session: Session, draw: Draw, public: Applicant) -> None:
    """A group (twins, siblings) keeps at least two members (protocol §4.4)."""
    if public.group_code is None:
        return
    others = session.exec(
        select(Applicant.application).where(
            Applicant.draw_id == draw.id,
            Applicant.group_code == public.group_code,
            Applicant.id != public.id,
        )
    ).all()
    if len(others) == 1:
        raise InvalidInput(
            f"撤回后同胞组 {public.group_code} 只剩 {others[0]} 一人; "
            f'请先更正 {others[0]} 的同胞组 (correct --group ""), 或一并撤回',
            f"withdrawing it would leave group {public.group_code} with {others[0]} alone; "
            f'first clear the group of {others[0]} (correct --group ""), or withdraw both',
        )


def replace_applicant(
    session: Session,
    draw: Draw,
    *,
    application: str,
    data: bytes,
    filename: str,
    reason: str,
    actor: str,
    at: str,
    signer: Signer,
    entropy: Entropy = secrets.token_bytes,
) -> list[ApplicantCreated]:
    """Withdraw one child and import the file's row(s) in its place, in one transaction: the
    new children get new application numbers and receipt codes."""
    withdraw_applicant(
        session, draw, application=application, reason=reason, actor=actor, at=at, signer=signer
    )
    created = import_file(
        session,
        draw,
        data=data,
        filename=filename,
        actor=actor,
        at=at,
        signer=signer,
        entropy=entropy,
    )
    assert draw.id is not None
    audit.record(
        session,
        draw_id=draw.id,
        actor=actor,
        action="applicant.replaced",
        details={
            "application": application,
            "replaced_by": [c.application for c in created],
            "reason": " ".join(reason.split()),
        },
        at=at,
        signer=signer,
    )
    return created

"""The second round (补录, protocol §14.5) of a published draw, as a new draw of the service.

The engine derives the second round from the first draw's *published* bundle, its post-draw
actions replayed (`lottery.second_round_inputs`). The service stores the result as a new draw:
its rules are the derived rules, its applicants exactly the derived records. Each child's private
row (name, ID number, birth date, receipt code) is copied from the first draw, so the record's
salted digest is unchanged and the family's receipt code works in both draws.

The new draw starts in `objection`, not `draft`. Everything a draft allows (editing the rules,
importing children) would only break the derivation that `verify-draw --previous` checks, and
the list is already public: the records are lines of the first draw's published bundle. From
`objection` the bureau goes on exactly as for any draw: its own witnesses commit, the list is
sealed, the ceremony, the run, publication. Its beacon is given here, at creation, since the
rules can no longer be edited: a round whose value is published after now (§7.2), not one of the
first draw's. Importing into a second round is refused
(`api.services.applicants`), and so is any post-draw action on a first draw once its second
round exists (`api.services.actions`): it would change the seats and children the second round
was made of.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import Session, SQLModel, col, select

from api import audit
from api.errors import Conflict, InvalidInput, Problem
from api.lifecycle import State, bump
from api.models import Applicant, ApplicantPrivate, Draw
from api.schemas import (
    BeaconSpec,
    CategorySpec,
    ClassesSpec,
    DrawCreate,
    ReservedSpec,
    SchoolSpec,
    SecondRoundCreate,
    TierSpec,
)
from api.services.applicants import applicant_records, public_row
from api.services.publication import bundle_contents
from api.services.rules import (
    beacon_from_spec,
    beacon_of,
    check_rules,
    engine_rules,
    replace_rules,
)
from api.services.sealing import DataChanged, signed_document
from api.signer import Signer
from lottery import (
    Bundle,
    LotteryError,
    PrivateRecord,
    PublicRecord,
    SecondRoundInputs,
    SecondRoundRefused,
    check_beacon_registration,
    check_records,
    private_digest,
    read_bundle,
    second_round_inputs,
)

__all__ = ["NoSecondRound", "create_second_round", "second_round_of"]

_BATCH = 5000


class NoSecondRound(Conflict):
    """The first draw leaves nothing to draw: no free seat, or no child who could take one."""

    code = "no_second_round"


def second_round_of(session: Session, draw: Draw) -> Draw | None:
    """The second round that follows `draw`, if one was created."""
    return session.exec(select(Draw).where(Draw.previous_draw_id == draw.id)).first()


def create_second_round(
    session: Session, first: Draw, *, spec: SecondRoundCreate, actor: str, at: str, signer: Signer
) -> Draw:
    """A new draw in `objection`: the second round of the published draw `first` (§14.5).

    Refuses (nothing written) unless `first` is published, has no second round yet, and leaves
    a free seat and a child without a seat who listed a school that has one.
    """
    bump(session, first, allowed=(State.PUBLISHED,), what=("补录", "a second round"))
    existing = second_round_of(session, first)
    if existing is not None:
        raise Conflict(
            f"抽签 {first.public_id} 已有补录抽签 {existing.public_id}",
            f"draw {first.public_id} already has a second round: {existing.public_id}",
        )
    if session.exec(select(Draw).where(Draw.public_id == spec.id)).first() is not None:
        raise Conflict(f"抽签编号 {spec.id} 已被使用", f"draw id {spec.id} is already taken")
    spec = spec.model_copy(update={"beacon": _checked_beacon(first, spec, at=at)})
    inputs = _derived(session, first)
    rules = _rules_spec(first, inputs, spec)
    check_rules(rules, authority=first.authority)
    assert first.id is not None
    second = Draw(
        public_id=spec.id,
        bureau_id=first.bureau_id,
        title=spec.title,
        authority=first.authority,
        mode=inputs.mode,
        tie_breaking=inputs.tie_breaking,
        max_preferences=inputs.max_preferences,
        min_reveals=rules.min_reveals,
        birth_date_from=first.birth_date_from,
        birth_date_to=first.birth_date_to,
        state=State.OBJECTION.value,
        next_application_seq=first.next_application_seq,
        created_at=at,
        previous_draw_id=first.id,
    )
    session.add(second)
    session.flush()
    replace_rules(session, second, rules)
    _copy_applicants(session, first, second, inputs.records)
    _check_stored(session, second, inputs)
    _log(
        session, first, second, rules, count=len(inputs.records), actor=actor, at=at, signer=signer
    )
    return second


def _checked_beacon(first: Draw, spec: SecondRoundCreate, *, at: str) -> BeaconSpec:
    """The second round's own beacon (§14.5, §7.2), each drand source's `at` filled in (Appendix
    A), so the public sees when its value comes. Required; a round of the first draw's beacon is
    refused (its value is public); valid as if sealed now: the round is sealed later, so a value
    published before now could never be used."""
    if spec.beacon is None:
        raise InvalidInput(
            "补录需要登记自己的公开信标 (协议第 2 版必须有)",
            "the second round needs its own beacon; sunshine-draw/2 requires one (§6.1, §14.5)",
            problems=(Problem("beacon", "必须填写", "required"),),
        )
    used = beacon_of(first)
    published = (
        set()
        if used is None
        else {(s.source, s.round) for s in (used.primary, used.fallback) if s is not None}
    )
    asked = [(s.source, s.round) for s in (spec.beacon.primary, spec.beacon.fallback) if s]
    if any(source in published for source in asked):
        raise InvalidInput(
            "补录的信标必须是尚未公布的一期: 第一轮信标的值已经公开",
            "the second round's beacon must name a round not yet published: the first draw's "
            "beacon value is already public (§7.2)",
            problems=(Problem("beacon", "与第一轮信标相同", "the first draw's beacon round"),),
        )
    beacon = beacon_from_spec(spec.beacon)
    if not beacon.primary.at > at:
        raise InvalidInput(
            f"补录的信标值在 {beacon.primary.at} 公布, 不晚于现在 ({at}): 封存时它可能已经公开",
            f"the second round's beacon value is published at {beacon.primary.at}, not after now "
            f"({at}): it could exist when the second round is sealed (§7.2 item 1)",
            problems=(Problem("beacon", "公布时间已过", "published before now"),),
        )
    try:  # the rest of §7.2: formats, drand rounds as Appendix A fixes them, the fallback's time
        check_beacon_registration(beacon, at)
    except LotteryError as error:
        raise InvalidInput(
            f"补录的信标无效: {error}",
            f"the second round's beacon is refused: {error}",
            problems=(Problem("beacon", "信标无效", str(error)),),
        ) from None
    primary, fallback = spec.beacon.primary, spec.beacon.fallback
    return BeaconSpec(
        primary=primary.model_copy(update={"at": beacon.primary.at}),
        fallback=None
        if fallback is None or beacon.fallback is None
        else fallback.model_copy(update={"at": beacon.fallback.at}),
    )


def _published_bundle(session: Session, first: Draw) -> Bundle:
    """The first draw's bundle exactly as published, read back by the engine (signatures checked)."""
    files = bundle_contents(session, first)
    with tempfile.TemporaryDirectory(prefix="sunshine-round-") as directory:
        for name, content in files.items():
            (Path(directory) / name).write_bytes(content)
        return read_bundle(directory)


def _derived(session: Session, first: Draw) -> SecondRoundInputs:
    """§14.5 items 1-4 from the published bundle; `NoSecondRound` if there is nothing to draw."""
    try:
        inputs = second_round_inputs(_published_bundle(session, first))
    except SecondRoundRefused as error:  # §14.5: no school with a free seat, or no child left
        if "no school has a free seat" in str(error):
            raise NoSecondRound(
                f"抽签 {first.public_id} 已没有空余学位 (含递补之后), 无需补录",
                f"draw {first.public_id} has no free seat left (after its post-draw actions); "
                "there is nothing for a second round",
            ) from None
        raise NoSecondRound(
            f"抽签 {first.public_id} 没有可补录的孩子: 未获学位的孩子都没有填报仍有空位的学校",
            f"draw {first.public_id} has no child for a second round: no child without a seat "
            "listed a school that still has free seats (§14.5)",
        ) from None
    except LotteryError as error:
        raise DataChanged(
            f"抽签 {first.public_id} 的公开数据包无法读取: {error}",
            f"the published bundle of draw {first.public_id} cannot be read: {error}",
        ) from None
    if not inputs.schools:
        raise NoSecondRound(
            f"抽签 {first.public_id} 已没有空余学位 (含递补之后), 无需补录",
            f"draw {first.public_id} has no free seat left (after its post-draw actions); "
            "there is nothing for a second round",
        )
    if not inputs.records:
        raise NoSecondRound(
            f"抽签 {first.public_id} 没有可补录的孩子: 未获学位的孩子都没有填报仍有空位的学校",
            f"draw {first.public_id} has no child for a second round: no child without a seat "
            "listed a school that still has free seats (§14.5)",
        )
    return inputs


def _rules_spec(first: Draw, inputs: SecondRoundInputs, spec: SecondRoundCreate) -> DrawCreate:
    """The derived rules (§14.5 items 1-2) in the shape the service stores for any draw."""
    rules = inputs.rules(draw_id=spec.id, title=spec.title, authority=first.authority)
    schools = [
        SchoolSpec(
            id=school.id,
            name=school.name,
            seats=school.seats,
            level=school.level,
            tiers=[TierSpec(id=tier.id, label=tier.label) for tier in school.tiers],
            reserved=[ReservedSpec(category=r.category, seats=r.seats) for r in school.reserved],
            classes=None
            if school.classes is None
            else ClassesSpec(
                count=school.classes.count,
                max_size=school.classes.max_size,
                twins=school.classes.twins,
            ),
        )
        for school in rules.schools
    ]
    return DrawCreate(
        id=rules.draw_id,
        title=rules.title,
        mode=rules.mode,
        tie_breaking=rules.tie_breaking,
        max_preferences=rules.max_preferences,
        min_reveals=first.min_reveals if spec.min_reveals is None else spec.min_reveals,
        beacon=spec.beacon,
        birth_date_from=first.birth_date_from,
        birth_date_to=first.birth_date_to,
        schools=schools,
        categories=[CategorySpec(id=c.id, label=c.label) for c in rules.categories],
        sealing_announcement=first.sealing_announcement,
    )


def _copy_applicants(
    session: Session, first: Draw, second: Draw, records: tuple[PublicRecord, ...]
) -> None:
    """The derived public records, and each child's private row copied from the first draw."""
    kept = {record.application: record for record in records}
    query = (
        select(Applicant.application, ApplicantPrivate)
        .join(ApplicantPrivate, col(Applicant.id) == col(ApplicantPrivate.applicant_id))
        .where(Applicant.draw_id == first.id)
    )
    private = {application: row for application, row in session.exec(query) if application in kept}
    for application, record in kept.items():
        row = private.get(application)
        if (
            row is None
            or private_digest(_private_record(application, row)) != record.private_digest
        ):
            raise DataChanged(
                f"报名号 {application} 的个人信息与上一轮封存的记录不一致, 拒绝补录",
                f"application {application}: the stored personal data no longer gives the "
                "sealed record's private digest (§4.3); refusing the second round",
            )
    public_rows = [public_row(second, r) for r in records]
    for start in range(0, len(public_rows), _BATCH):
        session.execute(
            insert(SQLModel.metadata.tables["applicants"]), public_rows[start : start + _BATCH]
        )
    ids = session.exec(
        select(Applicant.application, Applicant.id).where(Applicant.draw_id == second.id)
    ).all()
    private_rows = [
        {
            "applicant_id": applicant_id,
            "name": private[application].name,
            "id_number": private[application].id_number,
            "birth_date": private[application].birth_date,
            "receipt_code": private[application].receipt_code,
        }
        for application, applicant_id in ids
    ]
    for start in range(0, len(private_rows), _BATCH):
        session.execute(
            insert(SQLModel.metadata.tables["applicants_private"]),
            private_rows[start : start + _BATCH],
        )


def _private_record(application: str, row: ApplicantPrivate) -> PrivateRecord:
    try:
        return PrivateRecord(
            application=application,
            id_number=row.id_number,
            name=row.name,
            receipt=row.receipt_code,
        )
    except LotteryError:
        raise DataChanged(
            f"报名号 {application} 的个人信息已损坏",
            f"application {application}: the stored personal data is not a valid record",
        ) from None


def _check_stored(session: Session, second: Draw, inputs: SecondRoundInputs) -> None:
    """The stored rows give back exactly the derived rules and records (what sealing will use)."""
    rules = engine_rules(session, second)
    records = applicant_records(session, second)
    derived = inputs.rules(draw_id=second.public_id, title=second.title, authority=second.authority)
    if rules != derived or tuple(records) != inputs.records:
        raise DataChanged(
            "补录抽签的存储数据与推导结果不一致",
            f"draw {second.public_id}: the stored rules or records differ from the derived "
            "second round (§14.5)",
        )
    try:
        check_records(rules, records)
    except LotteryError as error:
        raise InvalidInput(
            f"不能补录: {error}", f"cannot create the second round: {error}"
        ) from None


def _log(
    session: Session,
    first: Draw,
    second: Draw,
    rules: DrawCreate,
    *,
    count: int,
    actor: str,
    at: str,
    signer: Signer,
) -> None:
    """One entry in each draw's audit log; the second's names the first's signed documents."""
    assert first.id is not None and second.id is not None
    results = signed_document(session, first, "results")
    actions = signed_document(session, first, "actions")
    assert results is not None
    audit.record(
        session,
        draw_id=second.id,
        actor=actor,
        action="draw.created",
        details={
            "rules": json.loads(rules.model_dump_json()),
            "second_round_of": {
                "draw": first.public_id,
                "results": results.digest,
                "actions": None if actions is None else actions.digest,
            },
        },
        at=at,
        signer=signer,
    )
    audit.record(
        session,
        draw_id=second.id,
        actor=actor,
        action="draw.objection_opened",
        details={"applicants": count},
        at=at,
        signer=signer,
    )
    audit.record(
        session,
        draw_id=first.id,
        actor=actor,
        action="draw.second_round_created",
        details={
            "draw": second.public_id,
            "applicants": count,
            "seats": {school.id: school.seats for school in rules.schools},
        },
        at=at,
        signer=signer,
    )

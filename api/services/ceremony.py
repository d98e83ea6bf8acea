"""The ceremony after sealing: reveals, the beacon value, and the fallback rules (protocol §7)."""

from __future__ import annotations

from sqlmodel import Session, select

from api import audit
from api.errors import Conflict, InvalidInput, WrongState
from api.lifecycle import State, bump, transition
from api.models import BeaconValue as BeaconRow
from api.models import Draw, Reveal, Witness
from api.services.rules import engine_beacon
from api.services.sealing import witnesses_of
from api.signer import Signer
from lottery import CeremonyError, check_beacon_value, check_reveal
from lottery import Witness as EngineWitness

__all__ = ["beacon_value", "enter_beacon", "open_ceremony", "reveal", "reveals_of"]


def open_ceremony(session: Session, draw: Draw, *, actor: str, at: str, signer: Signer) -> None:
    """sealed -> ceremony: witnesses may now reveal."""
    transition(session, draw, to=State.CEREMONY, what=("开始摇号仪式", "opening the ceremony"))
    assert draw.id is not None
    audit.record(
        session,
        draw_id=draw.id,
        actor=actor,
        action="ceremony.opened",
        details={},
        at=at,
        signer=signer,
    )


def _beacon_row(session: Session, draw: Draw) -> BeaconRow | None:
    return session.exec(select(BeaconRow).where(BeaconRow.draw_id == draw.id)).first()


def reveal(
    session: Session,
    draw: Draw,
    witness: Witness,
    *,
    secret_hex: str,
    actor: str,
    at: str,
    signer: Signer,
) -> None:
    """A witness reveals its secret; the engine checks it against the commitment (§7.3)."""
    bump(session, draw, allowed=(State.CEREMONY,), what=("揭示秘密", "revealing"))
    if _beacon_row(session, draw) is not None:
        raise WrongState("信标值已录入, 揭示已截止", "the beacon value is in; reveals are closed")
    if session.exec(select(Reveal).where(Reveal.witness_id == witness.id)).first() is not None:
        raise Conflict(f"见证人 {witness.code} 已揭示", f"witness {witness.code} already revealed")
    commitments = {w.code: c for w, c in witnesses_of(session, draw)}
    commitment = commitments[witness.code]
    if commitment is None:
        raise InvalidInput("该见证人没有承诺值", f"witness {witness.code} has no commitment")
    try:
        check_reveal(
            EngineWitness(id=witness.code, name=witness.name, commitment=commitment.value),
            bytes.fromhex(secret_hex),
        )
    except CeremonyError as error:
        raise InvalidInput(f"揭示值与承诺值不符: {error}", f"reveal rejected: {error}") from None
    assert witness.id is not None and draw.id is not None
    session.add(Reveal(witness_id=witness.id, secret=secret_hex, at=at))
    audit.record(
        session,
        draw_id=draw.id,
        actor=actor,
        action="witness.revealed",
        details={"witness": witness.code, "secret": secret_hex},
        at=at,
        signer=signer,
    )


def reveals_of(session: Session, draw: Draw) -> dict[str, bytes | None]:
    """Witness id -> revealed secret or None, for every witness of the draw."""
    out: dict[str, bytes | None] = {}
    for witness, _ in witnesses_of(session, draw):
        row = session.exec(select(Reveal).where(Reveal.witness_id == witness.id)).first()
        out[witness.code] = None if row is None else bytes.fromhex(row.secret)
    return out


def enter_beacon(
    session: Session,
    draw: Draw,
    *,
    used: str,
    value: str,
    reason: str | None,
    actor: str,
    at: str,
    signer: Signer,
) -> None:
    """Enter the public beacon value; closes the reveals. A fallback needs a declared fallback
    source and is logged with its reason; witnesses that did not reveal are logged (§7.2, §7.3).
    """
    bump(session, draw, allowed=(State.CEREMONY,), what=("录入信标值", "entering the beacon"))
    beacon = engine_beacon(draw)
    if beacon is None:
        raise InvalidInput("本次抽签未登记信标", "this draw registered no beacon")
    if _beacon_row(session, draw) is not None:
        raise Conflict("信标值已录入", "the beacon value was already entered")
    source = beacon.primary if used == "primary" else beacon.fallback
    if source is None:
        raise InvalidInput("清单未声明备用信标, 不能使用备用", "no fallback beacon was declared")
    try:
        check_beacon_value(source, value)
    except CeremonyError as error:
        raise InvalidInput(f"信标值格式错误: {error}", f"beacon value rejected: {error}") from None
    assert draw.id is not None
    session.add(BeaconRow(draw_id=draw.id, used=used, value=value, at=at))
    silent = sorted(code for code, secret in reveals_of(session, draw).items() if secret is None)
    audit.record(
        session,
        draw_id=draw.id,
        actor=actor,
        action="ceremony.reveals_closed",
        details={"not_revealed": silent},
        at=at,
        signer=signer,
    )
    details: dict[str, object] = {
        "used": used,
        "value": value,
        "source": source.source,
        "round": source.round,
    }
    if used == "fallback":
        details["reason"] = reason or ""
    audit.record(
        session,
        draw_id=draw.id,
        actor=actor,
        action="ceremony.beacon_entered",
        details=details,
        at=at,
        signer=signer,
    )


def beacon_value(session: Session, draw: Draw) -> tuple[str, str] | None:
    """(used, value) of the entered beacon, if any."""
    row = _beacon_row(session, draw)
    return None if row is None else (row.used, row.value)

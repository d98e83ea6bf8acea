"""A one-witness `sunshine-draw/2` ceremony for the benchmarks (protocol §7, §15).

The benchmarks time sealing, the draw and the bundle; the ceremony around them is the
smallest valid one: one witness (key and secret from fixed labels), a quicknet drand beacon
at 03:00 on the draw's day, and the audit log the bundle needs.
"""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lottery import (
    AuditHead,
    AuditLog,
    Beacon,
    BeaconSource,
    BeaconStatement,
    Ceremony,
    Checkpoint,
    DrawResult,
    SealedDraw,
    Witness,
    beacon_statement_digest,
    check_commitment_file,
    checkpoint_digest,
    commitment_file,
    drand_round_time,
    form_ceremony,
    reveal_digest,
    witness_sign,
)

WITNESS_KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"bench witness key").digest())
SECRET = hashlib.sha256(b"bench witness").digest()
QUICKNET = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"
ROUND = 30_023_812  # 2026-07-01T03:00:00Z
CLOSED_AT = "2026-07-01T02:30:00Z"


def bench_witnesses(draw_id: str) -> list[Witness]:
    """The one witness W1, from its checked commitment file (§7.9)."""
    document = commitment_file(draw_id, "W1", "Witness", WITNESS_KEY, SECRET)
    return [check_commitment_file(document, draw_id)]


def bench_beacon() -> Beacon:
    """Quicknet round of 03:00 on 2026-07-01 (§7.2, Appendix A)."""
    at = drand_round_time(QUICKNET, ROUND)
    return Beacon(BeaconSource(f"drand:{QUICKNET}", str(ROUND), "hex64", at))


def bench_ceremony(sealed: SealedDraw) -> tuple[Ceremony, AuditHead, AuditLog]:
    """W1 reveals and co-signs; the ceremony is formed; the log holds every step up to the
    beacon. Returns the ceremony, the head `run_draw` takes and the log."""
    digest = sealed.manifest_digest
    log = AuditLog(sealed.manifest.rules.draw_id)
    log.append(at=sealed.manifest.sealed_at, actor="bench", action="draw.sealed",
               details={"manifest": digest.hex()})  # fmt: skip
    signature = witness_sign("reveal", reveal_digest(digest, "W1", SECRET), WITNESS_KEY)
    log.append(at="2026-07-01T02:10:00Z", actor="W1", action="witness.revealed",
               details={"witness": "W1", "secret": SECRET.hex()})  # fmt: skip
    cp = checkpoint_digest(Checkpoint(digest, CLOSED_AT, (("W1", SECRET),)))
    log.append(at=CLOSED_AT, actor="bench", action="ceremony.checkpoint",
               details={"checkpoint": cp.hex()})  # fmt: skip
    value = hashlib.sha256(b"bench beacon").hexdigest()
    statement = BeaconStatement(digest, cp, "primary", value)
    b_digest = beacon_statement_digest(statement)
    head = log.append(at="2026-07-01T03:00:30Z", actor="bench", action="ceremony.beacon",
                      details={"beacon": b_digest.hex(), "used": "primary", "value": value})  # fmt: skip
    ceremony = form_ceremony(
        sealed.manifest,
        reveals={"W1": (SECRET, signature)},
        closed_at=CLOSED_AT,
        checkpoint_signatures={"W1": witness_sign("checkpoint", cp, WITNESS_KEY)},
        beacon=statement,
        beacon_signatures={"W1": witness_sign("beacon", b_digest, WITNESS_KEY)},
        audit=head,
    )
    return ceremony, head, log


def log_run(log: AuditLog, result: DrawResult) -> AuditLog:
    """The log with its `draw.run` entry (§15.3): what `write_bundle` takes."""
    log.append(at="2026-07-01T03:01:00Z", actor="bench", action="draw.run",
               details={"seed": result.ceremony.seed.hex(), "results": result.results_digest.hex()})  # fmt: skip
    return log

"""The witness tool, protocol §7.9-§7.10: `verify-draw witness STEP --dir DIR ...`.

A witness keeps one folder on its own machine. `new` makes its Ed25519 key and 32-byte secret
(`witness-private.json`, readable by its owner only) and the commitment file for the bureau.
Each later step checks what §7.10 lists before it signs anything, refuses with a sentence
saying why, and records in `progress.json` what it checked, so that the next step can hold the
bureau to it. The time comes in as `--now`, from the witness's own watch: no clock is read here.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from verifier.audit import entry_hash
from verifier.canonical import encode, parse_canonical
from verifier.ceremony import DECIMAL, reveal_digest, witness_commitment
from verifier.errors import VerificationError
from verifier.fields import HEX64, Fields
from verifier.hashing import PROTOCOL, domain_hash, draw_pin, grouped
from verifier.manifest import parse_manifest
from verifier.messages import Message
from verifier.signatures import check_ed25519, check_signature, key_fingerprint, signed_message
from verifier.verify import run_checks

PRIVATE, PROGRESS, SEALED = "witness-private.json", "progress.json", "sealed-manifest.json"
RECEIPT_KEYS = ("protocol", "kind", "manifest", "witness", "reveal", "received_at", "audit")


class Refused(VerificationError):
    """The witness tool refuses a step; nothing was signed or written."""


def _utc(text: str) -> str:
    """`--now` as typed, with `Z` or an offset (2026-06-01T10:15:00+08:00), in §1.5 form."""
    moment = datetime.fromisoformat(text.strip())  # a ValueError: argparse says "invalid"
    if moment.tzinfo is None:
        raise ValueError(text)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def witness_main(argv: Sequence[str], *, lang: str) -> int:
    """Run one step; 0 when done, 1 when refused (2 from argparse on wrong usage)."""
    about = Message("w_about").text(lang)
    parser = argparse.ArgumentParser(prog="verify-draw witness", description=about)
    steps = parser.add_subparsers(dest="step", required=True)
    new = steps.add_parser("new")
    for flag in ("--draw", "--witness", "--name", "--dir"):
        new.add_argument(flag, required=True)
    for step, files in (("check-manifest", ("manifest", "signature")), ("check-receipt", ("receipt",)),
                        ("cosign", ("file",)), ("check", ("bundle",)), ("reveal", ())):  # fmt: skip
        command = steps.add_parser(step)
        command.add_argument("--dir", required=True)
        for name in files:
            command.add_argument(name)
        if step in ("reveal", "cosign"):
            command.add_argument("--out", required=True)
        if step in ("check-manifest", "cosign"):  # §7.10: the beacon's time against the witness's
            command.add_argument("--now", required=True, type=_utc)
    steps.choices["cosign"].add_argument("--value-seen")
    steps.choices["cosign"].add_argument("--primary-missing", action="store_true")
    args = parser.parse_args(list(argv))
    try:
        done = STEPS[args.step](args, Path(args.dir), getattr(args, "now", ""))
    except (VerificationError, OSError) as error:
        reason = error.message if isinstance(error, VerificationError) else str(error)
        print(Message("w_refused", reason=reason).text(lang))
        return 1
    print(done.text(lang))
    return 0


def _write(path: Path, data: bytes, *, private: bool = False) -> None:
    """A new file, never over an old one; the private file readable by its owner only."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    with os.fdopen(os.open(path, flags, 0o600 if private else 0o644), "wb") as file:
        file.write(data)


def _read(path: str | Path) -> Any:
    return parse_canonical(Path(path).read_bytes())


def _state(folder: Path, needs: tuple[str, ...] = ()) -> tuple[dict[str, str], dict[str, Any]]:
    """The private file and the progress so far; refuses if a step in `needs` has not run."""
    if not (folder / PRIVATE).exists():
        raise Refused("w_no_private", folder=str(folder))
    private = _read(folder / PRIVATE)
    progress = _read(folder / PROGRESS) if (folder / PROGRESS).exists() else {}
    for step in needs:
        if step not in progress:
            raise Refused("w_needs_step", step=STEP_OF[step])
    return private, progress


def _save(folder: Path, progress: dict[str, Any]) -> None:
    (folder / PROGRESS).write_bytes(encode(progress))


def _sign(private: dict[str, str], kind: str, digest: bytes) -> str:
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(private["private_key"]))
    return key.sign(signed_message(kind, digest)).hex()


def step_new(args: argparse.Namespace, folder: Path, now: str) -> Message:
    """§7.1: a key pair and a secret from the operating system's entropy, and the commitment."""
    if (folder / PRIVATE).exists():
        raise Refused("w_exists", path=str(folder / PRIVATE))
    folder.mkdir(parents=True, exist_ok=True)
    key, secret = Ed25519PrivateKey.generate(), os.urandom(32)
    public = key.public_key().public_bytes_raw()
    commitment = witness_commitment(args.draw, args.witness, secret.hex())
    private = {"draw": args.draw, "witness": args.witness, "name": args.name,
               "private_key": key.private_bytes_raw().hex(), "public_key": public.hex(),
               "secret": secret.hex(), "commitment": commitment}  # fmt: skip
    shown = ("draw", "witness", "name", "public_key", "commitment")  # (7.9): the commitment file
    document = {"protocol": PROTOCOL, "kind": "witness-commitment"} | {k: private[k] for k in shown}
    document["signature"] = _sign(private, "commitment", bytes.fromhex(commitment))
    _write(folder / PRIVATE, encode(private), private=True)
    _write(folder / "commitment.json", encode(document))
    fingerprint = key_fingerprint(public)
    return Message("w_new", commitment=commitment, fingerprint=fingerprint, folder=str(folder))


def step_check_manifest(args: argparse.Namespace, folder: Path, now: str) -> Message:
    """§7.10 at sealing: own key and commitment in a valid manifest, the beacon's `at` in the
    future, the bureau's signature; shows what to compare with the sealing announcement."""
    private, progress = _state(folder)
    data = Path(args.manifest).read_bytes()
    manifest = parse_manifest(parse_canonical(data))  # §6.3, the beacon's rules included
    mine = (private["witness"], private["commitment"], private["public_key"])
    listed = [(w.id, w.commitment, w.public_key) for w in manifest.witnesses]
    if manifest.draw_id != private["draw"] or mine not in listed:
        raise Refused("w_not_in_manifest", witness=private["witness"], draw=private["draw"])
    if manifest.beacon["at"] <= now:
        raise Refused("w_beacon_past", at=manifest.beacon["at"], now=now)
    check_signature(_read(args.signature), file_name=str(args.signature), kind="manifest",
                    digest=manifest.digest, public_key=manifest.public_key)  # fmt: skip
    if "manifest" in progress and progress["manifest"] != manifest.digest.hex():
        raise Refused("w_other_manifest", found=manifest.digest.hex())
    if not (folder / SEALED).exists():
        _write(folder / SEALED, data)
    _save(folder, progress | {"manifest": manifest.digest.hex()})
    pin = grouped(draw_pin(manifest.digest, bytes.fromhex(manifest.fingerprint)))
    return Message("w_manifest_ok", digest=manifest.digest.hex(), fingerprint=manifest.fingerprint,
                    pin=pin, at=manifest.beacon["at"])  # fmt: skip


def step_reveal(args: argparse.Namespace, folder: Path, now: str) -> Message:
    """§7.3: the signed reveal, only for the manifest checked at sealing."""
    private, progress = _state(folder, ("manifest",))
    manifest, witness, secret = progress["manifest"], private["witness"], private["secret"]
    digest = reveal_digest(manifest, witness, secret)
    document = {"protocol": PROTOCOL, "kind": "witness-reveal", "manifest": manifest,
                "witness": witness, "secret": secret, "signature": _sign(private, "reveal", digest)}  # fmt: skip
    _write(Path(args.out), encode(document))
    _save(folder, progress | {"reveal": digest.hex()})
    return Message("w_revealed", file=args.out)


def step_check_receipt(args: argparse.Namespace, folder: Path, now: str) -> Message:
    """§7.3: the bureau's receipt names this reveal and is signed with the manifest's key."""
    private, progress = _state(folder, ("manifest", "reveal"))
    receipt = Fields(_read(args.receipt), str(args.receipt))
    receipt.exact_keys((*RECEIPT_KEYS, "signature"))
    receipt.choice("kind", ["reveal-receipt"]), receipt.choice("protocol", [PROTOCOL])
    receipt.time("received_at")
    mine = progress["manifest"], private["witness"], progress["reveal"]
    for key, own in zip(("manifest", "witness", "reveal"), mine, strict=True):
        if receipt.raw(key) != own:
            raise Refused("w_receipt_other", field=key, found=str(receipt.raw(key)))
    seq, head = receipt.head("audit")
    body = {key: receipt.raw(key) for key in RECEIPT_KEYS}
    digest = domain_hash("reveal-receipt", encode(body))
    check_ed25519(receipt.raw("signature"), kind="reveal-receipt", digest=digest,
                  public_key=parse_manifest(_read(folder / SEALED)).public_key, path=f"{args.receipt}.signature")  # fmt: skip
    _save(folder, progress | {"receipt": {"seq": seq, "hash": head}})
    return Message("w_receipt_ok", seq=seq, hash=head)


def step_cosign(args: argparse.Namespace, folder: Path, now: str) -> Message:
    """§7.4, §7.5: co-sign the checkpoint or the beacon statement after the checks of §7.10."""
    private, progress = _state(folder, ("manifest", "reveal"))
    manifest = parse_manifest(_read(folder / SEALED))
    document = Fields(_read(args.file), str(args.file))
    kind = document.choice("kind", ["checkpoint", "beacon"])
    document.choice("protocol", [PROTOCOL]), document.choice("manifest", [progress["manifest"]])
    if kind == "checkpoint":
        document.exact_keys(("protocol", "kind", "manifest", "closed_at", "reveals"))
        own = {"secret": private["secret"], "witness": private["witness"]}
        if own not in document.array("reveals"):
            raise Refused("w_reveal_not_listed", witness=private["witness"])
        closed_at = document.time("closed_at")
        if closed_at > now:
            raise Refused("w_closed_future", closed_at=closed_at, now=now)
        if manifest.beacon["at"] <= now:  # the value may exist already: too late to co-sign
            raise Refused("w_beacon_past", at=manifest.beacon["at"], now=now)
    else:
        keys = ("protocol", "kind", "manifest", "checkpoint", "used", "value", "proof")
        document.exact_keys(keys)
        if "checkpoint" not in progress or document.raw("checkpoint") != progress["checkpoint"]:
            raise Refused("w_other_checkpoint", found=str(document.raw("checkpoint")))
        used = document.choice("used", ["primary", "fallback"])
        if used == "fallback" and (manifest.beacon["fallback"] is None or not args.primary_missing):
            raise Refused("w_fallback")
        declared = manifest.beacon if used == "primary" else manifest.beacon["fallback"]
        document.matching("value", HEX64 if declared["format"] == "hex64" else DECIMAL,
                          "term_beacon_" + declared["format"])  # fmt: skip
        seen = (args.value_seen or "").strip()
        if seen.lower() != document.raw("value").lower() or not seen:
            raise Refused("w_value_differs", seen=seen, value=document.raw("value"))
    digest = domain_hash(kind, encode(document.value))
    cosignature = {"protocol": PROTOCOL, "kind": "witness-cosignature", "of": kind,
                   "digest": digest.hex(), "witness": private["witness"],
                   "signature": _sign(private, kind, digest)}  # fmt: skip
    _write(Path(args.out), encode(cosignature))
    _save(folder, progress | {kind: digest.hex()})
    return Message("w_cosigned", of=kind, digest=digest.hex(), file=args.out)


def step_check(args: argparse.Namespace, folder: Path, now: str) -> Message:
    """§7.10 after publication: the bundle verifies under the manifest checked at sealing, its
    ceremony holds this reveal and both co-signed digests, its log the receipt's head."""
    private, progress = _state(folder, ("manifest", "reveal", "receipt", "checkpoint", "beacon"))
    report, state = run_checks(args.bundle, expect_manifest=progress["manifest"])
    failure = report.first_failure
    if failure is not None or state.ceremony is None:
        raise Refused("w_bundle_fails", number=failure.number if failure else "?",
                      reason=failure.message if failure else "-")  # fmt: skip
    own = {"secret": private["secret"], "witness": private["witness"]}
    if own not in state.ceremony.reveals:
        raise Refused("w_reveal_dropped", witness=private["witness"])
    for kind, found in (("checkpoint", state.ceremony.checkpoint_digest),
                        ("beacon", state.ceremony.beacon_digest)):  # fmt: skip
        if found.hex() != progress[kind]:
            raise Refused("w_cosigned_other", of=kind, expected=progress[kind], found=found.hex())
    seq, head = progress["receipt"]["seq"], progress["receipt"]["hash"]
    if seq > len(state.audit) or entry_hash(state.audit[seq - 1]).hex() != head:
        raise Refused("w_log_cut", seq=seq)
    return Message("w_check_ok", witness=private["witness"], seq=seq)


STEPS = {"new": step_new, "check-manifest": step_check_manifest, "reveal": step_reveal,
         "check-receipt": step_check_receipt, "cosign": step_cosign, "check": step_check}  # fmt: skip
STEP_OF = {"manifest": "check-manifest", "reveal": "reveal", "receipt": "check-receipt",
           "checkpoint": "cosign CHECKPOINT", "beacon": "cosign BEACON"}  # fmt: skip

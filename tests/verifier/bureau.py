"""A minimal bureau, written from protocol §4-§15, for the verifier's tests of version 2.

It seals a manifest, accepts signed reveals with signed receipts, forms the checkpoint and the
beacon statement, takes the witnesses' co-signatures, logs every event and writes a bundle with
its index. Canonical bytes come from the standard library (protocol §2.4: the documents here are
ASCII-keyed and integer-only). The *results* are the verifier's own re-run: these tests exercise
the ceremony, pins, index, log and witness tool; the engine's results are compared with the
verifier's in test_verifier_differential.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

P = "sunshine-draw/2"
QUICKNET = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"
# A real quicknet round (drand/tlock tlock_test.go @ 962ec50d; its BLS signature verifies under
# the chain's key of Appendix A). The test draws are sealed an hour before it.
ROUND, ROUND_AT = 12040883, "2024-10-14T17:13:33Z"
QUICKNET_SIGNATURE = (
    "929906c959032ab363c9f26570d215d66f5c06cb0c44fe508c12bb5839f04ec8"
    "95bb6868e5b9ff13ab289bdb5266b394"
)
SEALED_AT, REVEALED_AT, CLOSED_AT = (
    "2024-10-14T16:13:33Z",
    "2024-10-14T16:30:00Z",
    "2024-10-14T16:45:00Z",
)


def jcs(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def tagged(use: str, data: bytes) -> bytes:
    return hashlib.sha256(f"{P}/{use}".encode() + b"\x00" + data).digest()


def sign(key: Ed25519PrivateKey, kind: str, digest: bytes) -> str:
    return key.sign(f"{P}/signature".encode() + b"\x00" + kind.encode() + b"\x00" + digest).hex()


def public_hex(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes_raw().hex()


def signature_file(key: Ed25519PrivateKey, kind: str, digest: bytes) -> bytes:
    public = key.public_key().public_bytes_raw()
    return jcs({"algorithm": "ed25519", "digest": digest.hex(),
                "fingerprint": tagged("key-fingerprint", public).hex(), "kind": kind,
                "public_key": public.hex(), "signature": sign(key, kind, digest)})  # fmt: skip


def key_from(label: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(label.encode()).digest())


def receipt_code(application: str) -> str:
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    value = int.from_bytes(hashlib.sha256(b"receipt " + application.encode()).digest()[:10])
    return "".join(alphabet[(value >> (5 * (15 - i))) & 31] for i in range(16))


def record(application: str, preferences: list[str], *, sex: str = "F") -> dict[str, Any]:
    """A public record (§4.1) with its salted digest (§4.3) and receipt check (§4.8)."""
    receipt = receipt_code(application)
    private = {"application": application, "id_number": "11010120150101001X",
               "name": "张小" + application, "receipt": receipt}  # fmt: skip
    return {"application": application, "category": None, "group": None,
            "masked_id": "1101**********001X", "masked_name": "张*" + application[-1],
            "preferences": preferences, "private_digest": tagged("private-record", jcs(private)).hex(),
            "receipt_check": tagged("receipt", jcs({"application": application, "receipt": receipt})).hex(),
            "sex": sex, "tiers": {}}  # fmt: skip


@dataclass
class MemoryWitness:
    """A witness of §7.1 held in memory: its key and secret."""

    id: str
    key: Ed25519PrivateKey
    secret: str

    def entry(self, draw_id: str) -> dict[str, str]:
        statement = {"draw": draw_id, "secret": self.secret, "witness": self.id}
        commitment = tagged("witness-commitment", jcs(statement)).hex()
        return {"id": self.id, "name": "Witness " + self.id, "commitment": commitment,
                "public_key": public_hex(self.key)}  # fmt: skip

    def reveal(self, manifest: str) -> dict[str, str]:
        statement = {"manifest": manifest, "secret": self.secret, "witness": self.id}
        signature = sign(self.key, "reveal", tagged("witness-reveal", jcs(statement)))
        return {"protocol": P, "kind": "witness-reveal", **statement, "signature": signature}

    def cosign(self, kind: str, document: dict[str, Any]) -> str:
        return sign(self.key, kind, tagged(kind, jcs(document)))


def make_witnesses(count: int) -> list[MemoryWitness]:
    return [MemoryWitness(f"W{i}", key_from(f"witness key {i}"), hashlib.sha256(f"s{i}".encode()).hexdigest())
            for i in range(count)]  # fmt: skip


def school(id: str, seats: int) -> dict[str, Any]:
    return {"id": id, "name": "School " + id, "seats": seats, "level": "primary", "classes": None,
            "reserved": [], "tiers": [{"id": "t0", "label": "General"}]}  # fmt: skip


@dataclass
class Bureau:
    """The bureau's side of one draw, step by step (§6, §7, §12, §13, §15)."""

    key: Ed25519PrivateKey = field(default_factory=lambda: key_from("bureau key"))
    draw_id: str = "D-2026"
    log: list[dict[str, Any]] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)
    records: list[dict[str, Any]] = field(default_factory=list)
    reveals: dict[str, dict[str, str]] = field(default_factory=dict)
    checkpoint: dict[str, Any] = field(default_factory=dict)
    statement: dict[str, Any] = field(default_factory=dict)

    def head(self) -> dict[str, Any] | None:
        if not self.log:
            return None
        return {"seq": len(self.log), "hash": tagged("audit", jcs(self.log[-1])).hex()}

    def event(self, action: str, details: dict[str, Any], at: str = SEALED_AT) -> None:
        head = self.head()
        self.log.append({"seq": len(self.log) + 1, "prev": head["hash"] if head else "0" * 64,
                         "at": at, "actor": "clerk", "action": action, "draw": self.draw_id,
                         "details": details})  # fmt: skip

    @property
    def digest(self) -> str:
        return tagged("manifest", jcs(self.manifest)).hex()

    def seal(self, witnesses: list[dict[str, str]], *, records: list[dict[str, Any]] | None = None,
             beacon: dict[str, Any] | None = None, min_reveals: int = 1) -> dict[str, Any]:  # fmt: skip
        """§6: the manifest, after each witness's commitment was logged."""
        self.records = (
            records if records is not None else [record(f"A{i:03d}", ["S1"]) for i in range(6)]
        )
        for w in witnesses:
            self.event("witness.committed", {"witness": w["id"], "commitment": w["commitment"],
                                             "public_key": w["public_key"]})  # fmt: skip
        leaves = [hashlib.sha256(b"\x00" + f"{P}/applicant".encode() + b"\x00" + jcs(r)).digest()
                  for r in self.records]  # fmt: skip
        public = self.key.public_key().public_bytes_raw()
        self.manifest = {
            "protocol": P, "kind": "manifest", "mode": "single_school_lottery",
            "draw": {"id": self.draw_id, "title": "Test draw", "authority": "Test bureau", "sealed_at": SEALED_AT},
            "tie_breaking": "single", "max_preferences": 1, "group_policy": "together",
            "schools": [school("S1", 3)], "categories": [],
            "applicants": {"count": len(self.records), "root": _root(leaves).hex()},
            "witnesses": witnesses, "reveal_policy": {"min_reveals": min_reveals},
            "beacon": beacon or {"source": "drand:" + QUICKNET, "round": str(ROUND), "format": "hex64",
                                 "at": ROUND_AT, "fallback": None},
            "signing_key": {"algorithm": "ed25519", "public_key": public.hex(),
                            "fingerprint": tagged("key-fingerprint", public).hex()},
            "audit": self.head(), "replaces": None,
        }  # fmt: skip
        self.event("draw.sealed", {"manifest": self.digest})
        return self.manifest

    def rehearse(self, text: str, claimed: str | None = None) -> str:
        """§16: a rehearsal with its text, logged as `rehearsal.run` (§15.3). Its results are
        the verifier's re-run, as for the official results below."""
        from verifier.allocation import Priorities, allocate
        from verifier.canonical import encode
        from verifier.manifest import parse_manifest
        from verifier.records import build_units, parse_records
        from verifier.results import expected_results

        manifest = parse_manifest(self.manifest)
        lines = [jcs(r) for r in sorted(self.records, key=lambda r: r["application"])]
        priorities = Priorities(manifest, build_units(parse_records(lines, manifest)),
                                tagged("rehearsal-seed", text.encode()))  # fmt: skip
        document = expected_results(priorities, allocate(manifest, priorities), bytes(32))
        digest = tagged("results", encode(document | {"kind": "rehearsal", "audit": None})).hex()
        self.event("rehearsal.run", {"text": text, "results": claimed or digest})
        return digest

    def accept(self, reveal: dict[str, str], at: str = REVEALED_AT) -> dict[str, Any]:
        """§7.3: log the reveal, answer with a signed receipt."""
        statement = {k: reveal[k] for k in ("manifest", "secret", "witness")}
        self.reveals[reveal["witness"]] = reveal
        self.event(
            "witness.revealed", {"witness": reveal["witness"], "secret": reveal["secret"]}, at
        )
        receipt = {"protocol": P, "kind": "reveal-receipt", "manifest": self.digest,
                   "witness": reveal["witness"], "reveal": tagged("witness-reveal", jcs(statement)).hex(),
                   "received_at": at, "audit": self.head()}  # fmt: skip
        return receipt | {
            "signature": sign(self.key, "reveal-receipt", tagged("reveal-receipt", jcs(receipt)))
        }

    def close(self, closed_at: str = CLOSED_AT) -> dict[str, Any]:
        """§7.4: the checkpoint, listing every accepted reveal."""
        reveals = [{"secret": self.reveals[w["id"]]["secret"] if w["id"] in self.reveals else None,
                    "witness": w["id"]} for w in self.manifest["witnesses"]]  # fmt: skip
        self.checkpoint = {"protocol": P, "kind": "checkpoint", "manifest": self.digest,
                           "closed_at": closed_at, "reveals": reveals}  # fmt: skip
        self.event(
            "ceremony.checkpoint", {"checkpoint": tagged("checkpoint", jcs(self.checkpoint)).hex()}
        )
        return self.checkpoint

    def enter_beacon(
        self, value: str, *, used: str = "primary", proof: Any = None
    ) -> dict[str, Any]:
        """§7.5: the beacon statement."""
        self.statement = {"protocol": P, "kind": "beacon", "manifest": self.digest,
                          "checkpoint": tagged("checkpoint", jcs(self.checkpoint)).hex(),
                          "used": used, "value": value, "proof": proof}  # fmt: skip
        details = {
            "beacon": tagged("beacon", jcs(self.statement)).hex(),
            "used": used,
            "value": value,
        }
        self.event("ceremony.beacon", details)
        return self.statement

    def publish(self, directory: Path, cosignatures: dict[str, dict[str, str]]) -> Path:
        """§7.7, §12, §13: ceremony, results (the verifier's re-run), log, index, README."""
        from verifier.allocation import Priorities, allocate
        from verifier.canonical import encode
        from verifier.manifest import parse_manifest
        from verifier.records import build_units, parse_records

        revealed = [w["id"] for w in self.manifest["witnesses"] if w["id"] in self.reveals]
        reveals = [{"secret": r["secret"], "witness": r["witness"],
                    "signature": self.reveals[r["witness"]]["signature"] if r["secret"] else None}
                   for r in self.checkpoint["reveals"]]  # fmt: skip
        beacon = {k: self.statement[k] for k in ("used", "value", "proof")}
        seed = tagged("seed", jcs({"beacon": {"used": beacon["used"], "value": beacon["value"]},
                                   "manifest": self.digest, "reveals": self.checkpoint["reveals"]}))  # fmt: skip
        ceremony = {"protocol": P, "kind": "ceremony", "manifest": self.digest, "reveals": reveals,
                    "checkpoint": {"closed_at": self.checkpoint["closed_at"],
                                   "signatures": [{"signature": cosignatures["checkpoint"][w], "witness": w} for w in revealed]},
                    "beacon": beacon | {"signatures": [{"signature": cosignatures["beacon"][w], "witness": w} for w in revealed]},
                    "seed": seed.hex(), "audit": self.head()}  # fmt: skip
        manifest = parse_manifest(self.manifest)
        lines = [jcs(r) for r in sorted(self.records, key=lambda r: r["application"])]
        units = build_units(parse_records(lines, manifest))
        priorities = Priorities(manifest, units, seed)
        from verifier.actions import head_state, outcome_leaves
        from verifier.results import expected_results

        allocation = allocate(manifest, priorities)
        results = expected_results(priorities, allocation, tagged("ceremony", encode(ceremony)))
        results["audit"] = self.head()
        results_digest = tagged("results", jcs(results)).hex()
        head = {"protocol": P, "kind": "results-head", "manifest": self.digest, "results": results_digest,
                "seq": 0, "previous": None, "actions": 0, "audit": results["audit"],
                **head_state(priorities, outcome_leaves(priorities, allocation))}  # fmt: skip
        self.event("draw.run", {"seed": seed.hex(), "results": results_digest})
        files = {"manifest.json": jcs(self.manifest), "applicants.jsonl": b"".join(line + b"\n" for line in lines),
                 "ceremony.json": jcs(ceremony), "results.json": jcs(results),
                 "heads.jsonl": jcs(head) + b"\n",
                 "heads.sig.jsonl": signature_file(self.key, "results-head", tagged("results-head", jcs(head))) + b"\n"}  # fmt: skip
        return self.write(directory, files)

    def write(self, directory: Path, files: dict[str, bytes]) -> Path:
        """Signatures, the log and the index (§13.5) for `files`, written to `directory`."""
        files = dict(files)
        for name in list(files):
            if name.endswith(".json") and not name.endswith(".sig.json") and name != "index.json":
                kind = name.removesuffix(".json")
                files[kind + ".sig.json"] = signature_file(
                    self.key, kind, tagged(kind, files[name])
                )
        files["audit.jsonl"] = b"".join(jcs(e) + b"\n" for e in self.log)
        files["audit.sig.json"] = signature_file(
            self.key, "audit", tagged("audit", jcs(self.log[-1]))
        )
        listed = [{"name": n, "bytes": len(d), "sha256": hashlib.sha256(d).hexdigest()}
                  for n, d in sorted(files.items())]  # fmt: skip
        index = {"protocol": P, "kind": "index", "manifest": tagged("manifest", files["manifest.json"]).hex(),
                 "files": listed, "documents": [], "audit": self.head()}  # fmt: skip
        files["index.json"] = jcs(index)
        files["index.sig.json"] = signature_file(self.key, "index", tagged("index", jcs(index)))
        directory.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (directory / name).write_bytes(data)
        return directory


def _root(leaves: list[bytes]) -> bytes:
    """RFC 9162 MTH over leaf hashes."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + _root(leaves[:k]) + _root(leaves[k:])).digest()


def simple_draw(
    directory: Path, *, witnesses: int = 2, reveal: int | None = None,
    records: list[dict[str, Any]] | None = None, rehearsals: tuple[Any, ...] = (),
) -> Bureau:  # fmt: skip
    """A whole draw: every witness (or the first `reveal`) reveals and co-signs; quicknet beacon;
    `rehearsals` (§16) logged after sealing."""
    people = make_witnesses(witnesses)
    bureau = Bureau()
    bureau.seal([w.entry(bureau.draw_id) for w in people], records=records)
    for rehearsal in rehearsals:  # a text, or (text, the digest the log claims)
        bureau.rehearse(*rehearsal) if isinstance(rehearsal, tuple) else bureau.rehearse(rehearsal)
    for w in people[: reveal if reveal is not None else witnesses]:
        bureau.accept(w.reveal(bureau.digest))
    checkpoint = bureau.close()
    value = hashlib.sha256(bytes.fromhex(QUICKNET_SIGNATURE)).hexdigest()
    statement = bureau.enter_beacon(
        value, proof={"signature": QUICKNET_SIGNATURE, "previous_signature": None}
    )
    revealed = [w for w in people if w.id in bureau.reveals]
    cosignatures = {"checkpoint": {w.id: w.cosign("checkpoint", checkpoint) for w in revealed},
                    "beacon": {w.id: w.cosign("beacon", statement) for w in revealed}}  # fmt: skip
    bureau.publish(directory, cosignatures)
    return bureau

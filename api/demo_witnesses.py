"""The demo's witnesses (公证处, 纪检, 家长代表), each on a machine of its own: a folder holding
its Ed25519 key and its secret, where it writes every file it hands the clerk and keeps every
file it is handed (protocol §7.9). They use the engine's witness functions, with the key and
the secret from `DemoEntropy`, so a demo with `--entropy` gives the same files every time; a
real witness runs `verify-draw witness ...` instead (docs/verify.md).

Each witness checks what it is handed before it signs: the sealed manifest holds its key and
commitment (§7.10), the receipt is for its reveal (§7.3), the checkpoint holds its secret
(§7.4), the beacon statement holds the value it saw at the source (§7.5).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from api.demo_county import DRAW_ID, DemoEntropy
from lottery import (
    canonical_json,
    commitment_file,
    cosignature_file,
    manifest_digest,
    manifest_from_document,
    parse_canonical,
    reveal_digest,
    reveal_file,
    tagged_hash,
)

__all__ = ["DemoWitness", "WitnessRefused"]


class WitnessRefused(Exception):
    """A simulated witness found something wrong in a file it was handed: it signs nothing."""


@dataclass(frozen=True)
class DemoWitness:
    """One witness and its own folder (its machine)."""

    code: str
    name: str
    home: Path
    draw: str = DRAW_ID

    @classmethod
    def set_up(
        cls, code: str, name: str, home: Path, entropy: DemoEntropy, *, draw: str = DRAW_ID
    ) -> DemoWitness:
        """`verify-draw witness new`: a new key and secret, kept only in the witness's folder."""
        home.mkdir(parents=True)
        (home / "key.hex").write_text(entropy.bytes(f"witness-key/{code}").hex())
        (home / "secret.hex").write_text(entropy.bytes(f"witness/{code}").hex())
        return cls(code=code, name=name, home=home, draw=draw)

    def _key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(
            bytes.fromhex((self.home / "key.hex").read_text())
        )

    def _secret(self) -> bytes:
        return bytes.fromhex((self.home / "secret.hex").read_text())

    def _write(self, name: str, document: dict[str, Any]) -> Path:
        path = self.home / name
        path.write_bytes(canonical_json(document))
        return path

    def commitment(self) -> Path:
        """The signed commitment file (§7.1, §7.9), to be carried to the clerk."""
        document = commitment_file(self.draw, self.code, self.name, self._key(), self._secret())
        return self._write("commitment.json", document)

    def check_manifest(self, manifest: bytes, *, announced: str) -> None:
        """§7.10: the sealed manifest is the announced one and holds this key and commitment."""
        sealed = manifest_from_document(parse_canonical(manifest, name="manifest.json"))
        if manifest_digest(sealed).hex() != announced:
            raise WitnessRefused(f"{self.code}: the manifest is not the announced one")
        mine = json.loads((self.home / "commitment.json").read_bytes())
        entry = next((w for w in sealed.witnesses if w.id == self.code), None)
        if entry is None or (entry.commitment, entry.public_key) != (
            mine["commitment"],
            mine["public_key"],
        ):
            raise WitnessRefused(f"{self.code}: the manifest lacks my key or commitment")
        (self.home / "manifest.json").write_bytes(manifest)

    def reveal(self) -> Path:
        """The signed reveal file (§7.3, §7.9) for the manifest this witness checked."""
        digest = self._manifest_digest()
        return self._write(
            "reveal.json", reveal_file(digest, self.code, self._secret(), self._key())
        )

    def keep_receipt(self, receipt: dict[str, Any]) -> None:
        """The bureau's reveal receipt (§7.3): for this witness's reveal, kept for the check."""
        expected = reveal_digest(self._manifest_digest(), self.code, self._secret()).hex()
        if receipt.get("witness") != self.code or receipt.get("reveal") != expected:
            raise WitnessRefused(f"{self.code}: the receipt is not for my reveal")
        self._write("receipt.json", receipt)

    def cosign(
        self, of: Literal["checkpoint", "beacon"], document: bytes, *, value_seen: str = ""
    ) -> Path:
        """A co-signature file (§7.9) of the checkpoint or beacon statement handed over."""
        handed = parse_canonical(document, name=f"{of}.json")
        if handed.get("manifest") != self._manifest_digest().hex():
            raise WitnessRefused(f"{self.code}: the {of} is for another manifest")
        if of == "checkpoint":
            mine = {"witness": self.code, "secret": self._secret().hex()}
            if mine not in handed.get("reveals", []):
                raise WitnessRefused(f"{self.code}: the checkpoint lacks my reveal (§7.4)")
        elif handed.get("value") != value_seen:
            raise WitnessRefused(f"{self.code}: the beacon value is not the one at its source")
        (self.home / f"{of}.json").write_bytes(document)
        signed = cosignature_file(of, tagged_hash(of, document), self.code, self._key())
        return self._write(f"cosign-{of}.json", signed)

    def _manifest_digest(self) -> bytes:
        sealed = manifest_from_document(json.loads((self.home / "manifest.json").read_bytes()))
        return manifest_digest(sealed)

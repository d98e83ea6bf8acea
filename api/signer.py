"""The bureau's signing key, loaded from the file named in the settings.

The service holds the key; the engine signs (`lottery` signing, protocol §12.4). A missing or
unreadable key is `NotConfigured`: the operator creates one with `operator_cli keys`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from api.errors import NotConfigured
from lottery.encoding import canonical_json
from lottery.signing import key_fingerprint, sign_document

__all__ = ["Signer", "generate_key_file", "load_signer"]


@dataclass(frozen=True)
class Signer:
    """Signs documents of the protocol's kinds with the bureau's Ed25519 key."""

    private_key: Ed25519PrivateKey

    @property
    def fingerprint(self) -> str:
        """The key fingerprint of protocol §12.4 (hex64)."""
        return key_fingerprint(self.private_key)

    def signature_file(self, kind: str, digest: bytes) -> bytes:
        """The canonical signature file (`*.sig.json`, protocol §12.4) for `digest`."""
        return canonical_json(sign_document(kind, digest, self.private_key))


def load_signer(path: Path) -> Signer:
    """Read the PEM (PKCS#8) Ed25519 key at `path`."""
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise NotConfigured(
            f"签名密钥文件不存在: {path} (请先运行 keys 命令生成)",
            f"signing key file not found: {path} (create one with the keys command)",
        ) from None
    except (ValueError, TypeError) as error:
        raise NotConfigured(
            f"签名密钥文件无法读取: {path}", f"signing key file {path} is not a PEM key: {error}"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise NotConfigured(
            f"签名密钥不是 Ed25519 密钥: {path}", f"signing key {path} is not an Ed25519 key"
        )
    return Signer(key)


def generate_key_file(path: Path) -> Signer:
    """Create a new Ed25519 key at `path` (mode 0600); refuses to overwrite an existing file."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("xb") as handle:
        handle.write(pem)
    path.chmod(0o600)
    return Signer(key)

"""The verification commands printed on the documents (docs/verify.md). The words of the
documents themselves are in `api.documents.messages`, one table per language."""

from __future__ import annotations

__all__ = ["verify_command", "verify_parent_command"]


def verify_command(manifest_digest: str, key_fingerprint: str) -> str:
    """The command that re-runs the whole draw from the bundle (docs/verify.md)."""
    return (
        f"verify-draw <bundle.zip> --expect-manifest {manifest_digest} "
        f"--expect-key {key_fingerprint}"
    )


def verify_parent_command(application: str, receipt: str | None = None) -> str:
    """The command a family runs to check its child's record and outcome (docs/verify.md)."""
    shown = receipt if receipt is not None else "<receipt-code>"
    return f"verify-draw <bundle.zip> --applicant {application} --receipt {shown}"

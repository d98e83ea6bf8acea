"""The words printed for the protocol's codes, Chinese first, English after (modes §10,
statuses §10.7 and §14.1, seat labels §9.1), and the verification instructions
(docs/verify.md)."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "MODE_TEXT",
    "STATUS_TEXT",
    "TIE_BREAKING_TEXT",
    "label_text",
    "verify_command",
    "verify_parent_command",
]

MODE_TEXT = {
    "single_school_lottery": "单校摇号 single-school lottery",
    "deferred_acceptance": "多校志愿（延迟接受）deferred acceptance",
    "immediate_acceptance": "多校志愿（志愿优先）immediate acceptance",
    "zone_assignment": "电脑派位 zone assignment",
}
STATUS_TEXT = {
    "admitted": "录取 admitted",
    "waitlisted": "候补 waitlisted",
    "unplaced": "未录取 not placed",
    # after a post-draw action (§14.1), the words of the parent look-up
    "declined": "已放弃 declined",
    "disqualified": "资格复核未通过 failed the eligibility re-check",
}
TIE_BREAKING_TEXT = {
    "single": "每人一个摇号号码 one number per child",
    "multiple": "每校一个摇号号码 a number per child and school",
}


def label_text(label: str | None, categories: Mapping[str, str]) -> str:
    """The seat type of an admitted child (§9.1): open, or reserved for a category."""
    if label is None:
        return ""
    if label == "open":
        return "普通 open"
    category = label.removeprefix("reserved:")
    return f"预留 reserved: {categories.get(category, category)}"


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

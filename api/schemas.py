"""Request and response shapes of the HTTP API (pydantic models at the edge).

`*Create` shapes are what an operator sends, `*Public` what anyone may read, `*Private` what
only the bureau's operator and auditor read. No `*Public` shape has a name, an ID number or a
receipt code field: the test suite checks every public answer for them.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

__all__ = [
    "ActionCreate",
    "ActionPublic",
    "ApplicantPrivate",
    "ApplicantPublic",
    "ApplicantRow",
    "ApplicantsCreated",
    "AuditEventPublic",
    "BeaconCreate",
    "BeaconSourceSpec",
    "BeaconSpec",
    "CategorySpec",
    "ClassesSpec",
    "CutoffPublic",
    "DrandProofSpec",
    "DrawCreate",
    "DrawPublic",
    "LookupRequest",
    "LookupResult",
    "RehearsalCreate",
    "RehearsalPublic",
    "ReservedSpec",
    "SchoolCutoffs",
    "SchoolSpec",
    "SealAnswer",
    "SealingWarningPublic",
    "SecondRoundCreate",
    "TierSpec",
    "VoidCreate",
    "WitnessCreate",
    "WitnessCreated",
    "WitnessPublic",
]

Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,64}$")]
Hex64 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Label = Annotated[str, StringConstraints(min_length=1, max_length=200)]
UtcTime = Annotated[
    str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")
]
LowerHex = Annotated[str, StringConstraints(pattern=r"^([0-9a-f]{2}){1,512}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TierSpec(_Strict):
    id: Identifier
    label: Label


class ReservedSpec(_Strict):
    category: Identifier
    seats: int = Field(ge=1, le=1_000_000)


class ClassesSpec(_Strict):
    count: int | None = Field(default=None, ge=1, le=1000)
    max_size: int = Field(ge=1, le=50)
    twins: Literal["apart", "together"] = "apart"


class SchoolSpec(_Strict):
    id: Identifier
    name: Label
    seats: int = Field(ge=1, le=1_000_000)
    level: Literal["primary", "junior"] = "primary"
    tiers: list[TierSpec] = Field(min_length=1, max_length=50)
    reserved: list[ReservedSpec] = Field(default_factory=list, max_length=50)
    classes: ClassesSpec | None = None


class CategorySpec(_Strict):
    id: Identifier
    label: Label


class BeaconSourceSpec(_Strict):
    """A future public value (protocol §7.2). `at` is when it is published (UTC); for a drand
    source (`drand:<chain hash>`) it may be left out: the chain's round time is used."""

    source: Label
    round: Label
    format: Literal["hex64", "decimal"]
    at: UtcTime | None = None


class BeaconSpec(_Strict):
    """The public beacon registered in the manifest (protocol §7.2)."""

    primary: BeaconSourceSpec
    fallback: BeaconSourceSpec | None = None


class DrawCreate(_Strict):
    """A new draw and its rules (protocol §6.1, §6.2)."""

    id: Identifier
    title: Label
    mode: Literal[
        "single_school_lottery", "deferred_acceptance", "immediate_acceptance", "zone_assignment"
    ]
    tie_breaking: Literal["single", "multiple"] = "single"
    max_preferences: int = Field(default=1, ge=1, le=50)
    min_reveals: int = Field(default=1, ge=1, le=100)
    beacon: BeaconSpec | None = None
    birth_date_from: datetime.date
    birth_date_to: datetime.date
    schools: list[SchoolSpec] = Field(min_length=1, max_length=10_000)
    categories: list[CategorySpec] = Field(default_factory=list, max_length=100)
    # Where the sealing announcement (manifest digest, witnesses' commitments) will appear:
    # free text, printed on every family's receipt (回执).
    sealing_announcement: Label | None = None


class DrawPublic(BaseModel):
    """What anyone may know about a draw that is past its draft."""

    id: str
    title: str
    authority: str
    state: str
    version: int
    mode: str
    tie_breaking: str
    max_preferences: int
    min_reveals: int
    beacon: BeaconSpec | None
    birth_date_from: datetime.date
    birth_date_to: datetime.date
    schools: list[SchoolSpec]
    categories: list[CategorySpec]
    applicant_count: int
    manifest_digest: str | None
    previous_draw: str | None = None  # a second round's first draw: `verify-draw --previous`
    sealing_announcement: str | None = None


class SealingWarningPublic(BaseModel):
    """A warning given at sealing (protocol §6.5): `ids` names the groups and schools."""

    code: str
    ids: list[str]
    message_zh: str
    message_en: str


class SealAnswer(DrawPublic):
    """The sealed draw and the warnings of §6.5 (sealing has proceeded; they are for the
    bureau to read: add seats next time, or know that such a group goes to the second round
    or to manual placement)."""

    warnings: list[SealingWarningPublic]


class SecondRoundCreate(_Strict):
    """A second round (补录, protocol §14.5) of a published draw: its own id, title and ceremony.

    The rules and applicants are derived from the first draw. The beacon is required (checked
    by the service, after who may ask): a round still in the future, not the first draw's.
    """

    id: Identifier
    title: Label
    min_reveals: int | None = Field(default=None, ge=1, le=100)  # default: the first draw's
    beacon: BeaconSpec | None = None


class ApplicantRow(_Strict):
    """One applicant sent as JSON; checked exactly like a row of an imported file."""

    application: Identifier | None = None
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    id_number: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    preferences: list[Identifier] = Field(default_factory=list, max_length=50)
    tiers: dict[Identifier, Identifier] = Field(default_factory=dict)
    category: Identifier | None = None
    group: Identifier | None = None


class ApplicantCreated(BaseModel):
    """The registration receipt of one child: what the clerk prints for the family."""

    application: str
    receipt_code: str
    masked_name: str


class ApplicantsCreated(BaseModel):
    count: int
    receipts: list[ApplicantCreated]


class ApplicantPublic(BaseModel):
    """A public record (protocol §4.1): masked, salted, nothing personal."""

    application: str
    category: str | None
    group: str | None
    masked_id: str
    masked_name: str
    preferences: list[str]
    private_digest: str
    receipt_check: str  # §4.8: a receipt code's check, not the code
    sex: str
    tiers: dict[str, str]


class ApplicantPrivate(ApplicantPublic):
    """The bureau's view: the public record and the personal data."""

    name: str
    id_number: str
    birth_date: datetime.date
    receipt_code: str


class WitnessCreate(_Strict):
    id: Identifier
    name: Label


class WitnessPublic(BaseModel):
    id: str
    name: str
    commitment: str | None
    public_key: str | None = None
    revealed: bool


class WitnessCreated(WitnessPublic):
    """Returned once, at registration: the witness's own credential."""

    token: str


class DrandProofSpec(_Strict):
    """A drand round's BLS signature (and the previous one, for a chained scheme), §7.5."""

    signature: LowerHex
    previous_signature: LowerHex | None = None


class BeaconCreate(_Strict):
    """The published beacon value (protocol §7.5); the fallback needs a reason."""

    used: Literal["primary", "fallback"] = "primary"
    value: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    reason: Annotated[str, StringConstraints(max_length=500)] | None = None
    proof: DrandProofSpec | None = None


class VoidCreate(_Strict):
    """Why a sealed draw is void (protocol §7.8)."""

    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]


class RehearsalCreate(_Strict):
    text: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class RehearsalPublic(BaseModel):
    seq: int
    text: str
    at: str
    actor: str
    digest: str
    marking: str


class ActionCreate(_Strict):
    type: Literal["decline", "disqualify"]
    application: Identifier
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


class ActionPublic(BaseModel):
    seq: int
    type: str
    application: str
    at: str
    moves: list[tuple[str, str | None, str]]


class AuditEventPublic(BaseModel):
    seq: int
    prev: str
    at: str
    actor: str
    action: str
    draw: str
    details: dict[str, object]
    entry_hash: str


class LookupRequest(_Strict):
    application: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    receipt: Annotated[str, StringConstraints(min_length=1, max_length=40)]


class WaitlistPlace(BaseModel):
    school: str
    position: int


class CutoffPublic(BaseModel):
    """One cutoff of a school (protocol §10.8): per seat label, `passed_over` children ranked
    above it and not admitted there."""

    label: str
    tier: str | None
    lottery_number: str | None
    passed_over: int


class SchoolCutoffs(BaseModel):
    """A school's cutoffs, as published and in words (Chinese, English)."""

    school: str
    cutoffs: list[CutoffPublic]
    text_zh: list[str]
    text_en: list[str]


class LookupResult(BaseModel):
    """A family's answer: outcome, lottery number, waitlists, explanation, inclusion proof;
    once published, the outcome proof of §12.7 item 4 against the last results head (a file
    the family keeps and checks offline) and the cutoffs of the school the child holds and of
    each school it waits for."""

    application: str
    masked_name: str
    state: str
    lottery_number: str | None
    status: str | None
    school: str | None
    label: str | None
    waitlist: list[WaitlistPlace]
    explanation_zh: str
    explanation_en: str
    record: ApplicantPublic
    leaf_index: int
    tree_size: int
    inclusion_proof: list[str]
    applicant_root: str
    outcome_proof: dict[str, Any] | None = None
    outcome_proof_file: str | None = None
    outcome_proof_check_zh: str | None = None
    outcome_proof_check_en: str | None = None
    cutoffs: list[SchoolCutoffs] = []

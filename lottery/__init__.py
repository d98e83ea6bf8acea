"""The sunshine draw engine: protocol `sunshine-draw/1` (docs/protocol.md).

Pure functions over data: the clock, entropy, keys and files come in as arguments. The usual
path is `public_record` for each child, `seal`, `witness_commitment` / `form_seed` for the
ceremony, `run_draw`, then `write_bundle`.
"""

from lottery.actions import ActionEntry, actions_digest, actions_document, actions_from_document
from lottery.applicants import applicant_root, check_records
from lottery.bundle import Bundle, bundle_files, read_bundle, write_bundle
from lottery.ceremony import (
    BeaconValue,
    Ceremony,
    ceremony_digest,
    ceremony_document,
    check_beacon_value,
    check_reveal,
    form_seed,
    witness_commitment,
)
from lottery.draw import DrawResult, SealedDraw, rehearse, rerun_results, run_draw, seal
from lottery.encoding import canonical_json, parse_canonical
from lottery.errors import (
    BundleError,
    CeremonyError,
    EncodingError,
    InvalidRecord,
    InvalidRules,
    LotteryError,
    SignatureError,
    UnsupportedVersion,
)
from lottery.hashing import PROTOCOL, tagged_hash
from lottery.manifest import (
    ApplicantCommitment,
    Beacon,
    BeaconSource,
    Category,
    ClassPolicy,
    DrawRules,
    Manifest,
    ReservedSeats,
    School,
    SigningKeyInfo,
    Tier,
    Witness,
    manifest_digest,
    manifest_document,
    validate_manifest,
    validate_rules,
)
from lottery.merkle import (
    ApplicantTree,
    InclusionError,
    applicant_entry,
    inclusion_proof,
    leaf_hash,
    merkle_root,
    verify_inclusion,
)
from lottery.reading import ceremony_from_document, manifest_from_document
from lottery.records import (
    PrivateRecord,
    PublicRecord,
    format_receipt,
    make_receipt_code,
    mask_id_number,
    mask_name,
    normalise_receipt,
    private_digest,
    public_record,
)
from lottery.results import encode_results, results_digest, results_document
from lottery.rounds import SecondRoundInputs, second_round_inputs
from lottery.signing import key_fingerprint, sign_document, signing_key_info, verify_signature
from lottery.units import build_problem

__all__ = [
    "PROTOCOL",
    "ActionEntry",
    "ApplicantCommitment",
    "ApplicantTree",
    "Beacon",
    "BeaconSource",
    "BeaconValue",
    "Bundle",
    "BundleError",
    "Category",
    "Ceremony",
    "CeremonyError",
    "ClassPolicy",
    "DrawResult",
    "DrawRules",
    "EncodingError",
    "InclusionError",
    "InvalidRecord",
    "InvalidRules",
    "LotteryError",
    "Manifest",
    "PrivateRecord",
    "PublicRecord",
    "ReservedSeats",
    "School",
    "SealedDraw",
    "SecondRoundInputs",
    "SignatureError",
    "SigningKeyInfo",
    "Tier",
    "UnsupportedVersion",
    "Witness",
    "actions_digest",
    "actions_document",
    "actions_from_document",
    "applicant_entry",
    "applicant_root",
    "build_problem",
    "bundle_files",
    "canonical_json",
    "ceremony_digest",
    "ceremony_document",
    "ceremony_from_document",
    "check_beacon_value",
    "check_records",
    "check_reveal",
    "encode_results",
    "form_seed",
    "format_receipt",
    "inclusion_proof",
    "key_fingerprint",
    "leaf_hash",
    "make_receipt_code",
    "manifest_digest",
    "manifest_document",
    "manifest_from_document",
    "mask_id_number",
    "mask_name",
    "merkle_root",
    "normalise_receipt",
    "parse_canonical",
    "private_digest",
    "public_record",
    "read_bundle",
    "rehearse",
    "rerun_results",
    "results_digest",
    "results_document",
    "run_draw",
    "seal",
    "second_round_inputs",
    "sign_document",
    "signing_key_info",
    "tagged_hash",
    "validate_manifest",
    "validate_rules",
    "verify_inclusion",
    "verify_signature",
    "witness_commitment",
    "write_bundle",
]

"""The in-browser check (`check.js`) is a third implementation of the protocol's JCS, Merkle
proofs and signature rules: the protocol's vectors run through it in Chromium."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from browsing import Browsing, Server
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from lottery import normalise_code, receipt_check
from lottery import pin as engine_pin

pytestmark = pytest.mark.browser

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
_L = 2**252 + 27742317777372353535851937790883648493


def _check_page(browsing: Browsing, server: Server):  # type: ignore[no-untyped-def]
    page = browsing.page()
    page.goto(server.url + "/verify")
    page.add_script_tag(url="/assets/check.js")
    page.wait_for_function("() => window.SunshineCheck !== undefined")
    return page


_RUN_ENCODING = """(cases) => cases.map((c) => {
  try { return {name: c.name, out: SunshineCheck.canonicalise(c.input)}; }
  catch (e) { return {name: c.name, out: null, error: e.name}; }
})"""


def test_encoding_vectors(browsing: Browsing, server: Server) -> None:
    cases = json.loads((VECTORS / "encoding" / "cases.json").read_text("utf-8"))
    page = _check_page(browsing, server)
    answers = page.evaluate(_RUN_ENCODING, cases)
    for case, answer in zip(cases, answers, strict=True):
        assert answer["out"] == case["canonical"], case["name"]
        if case["canonical"] is None:
            assert answer["error"] == "CheckFailure", case["name"]


_RUN_TREES = """async (trees) => {
  const out = [];
  for (const tree of trees) {
    for (let i = 0; i < tree.records.length; i++) {
      const text = new TextDecoder().decode(SunshineCheck.fromHex(tree.records[i]));
      const again = SunshineCheck.canonicalise(text);
      const leaf = await SunshineCheck.recordLeafHash(again);
      const proof = tree.proofs[i].map(SunshineCheck.fromHex);
      let verdict = "ok";
      try { await SunshineCheck.verifyInclusion(leaf, i, tree.size, proof, SunshineCheck.fromHex(tree.root)); }
      catch (e) { verdict = e.name + ": " + e.message; }
      out.push({size: tree.size, index: i, same: again === text, verdict});
      if (tree.size > 1) {  // the same proof must fail for the neighbouring leaf and a wrong root
        const wrong = [];
        for (const [index, root] of [[(i + 1) % tree.size, tree.root], [i, "00".repeat(32)]]) {
          try { await SunshineCheck.verifyInclusion(leaf, index, tree.size, proof, SunshineCheck.fromHex(root)); wrong.push("accepted"); }
          catch (e) { wrong.push(e.name); }
        }
        out.push({size: tree.size, index: i, same: true, verdict: wrong.every((w) => w === "CheckFailure") ? "ok" : "mutation accepted"});
      }
    }
  }
  return out;
}"""


def test_applicant_tree_vectors(browsing: Browsing, server: Server) -> None:
    trees = json.loads((VECTORS / "merkle" / "trees.json").read_text("utf-8"))
    page = _check_page(browsing, server)
    results = page.evaluate(_RUN_TREES, trees)
    assert len(results) >= sum(len(t["records"]) for t in trees)
    for result in results:
        assert result["same"] and result["verdict"] == "ok", result


_RUN_RFC9162 = """async (cases) => {
  const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const out = [];
  for (const c of cases) {
    let accepted = true;
    try { await SunshineCheck.verifyInclusion(b64(c.leafHash || ""), c.leafIdx, c.treeSize, (c.proof || []).map(b64), b64(c.root || "")); }
    catch (e) { accepted = false; }
    out.push({name: c.name, accepted, wantErr: c.wantErr});
  }
  return out;
}"""


def test_rfc9162_inclusion_vectors(browsing: Browsing, server: Server) -> None:
    cases = []
    for path in sorted((VECTORS / "rfc9162-merkle" / "inclusion").rglob("*.json")):
        case = json.loads(path.read_text("utf-8"))
        case["name"] = str(path.relative_to(VECTORS))
        cases.append(case)
    assert len(cases) > 50
    page = _check_page(browsing, server)
    for result in page.evaluate(_RUN_RFC9162, cases):
        assert result["accepted"] is not result["wantErr"], result["name"]


_RUN_SIGNATURES = """async (cases) => {
  const out = {};
  for (const [name, c] of Object.entries(cases)) {
    try {
      await SunshineCheck.ed25519Verify(SunshineCheck.fromHex(c.key), SunshineCheck.fromHex(c.sig), SunshineCheck.fromHex(c.msg));
      out[name] = "ok";
    } catch (e) { out[name] = e.name; }
  }
  return out;
}"""


def _signature_cases() -> dict[str, dict[str, str]]:
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    message = b"sunshine-draw/1/signature\x00manifest\x00" + hashlib.sha256(b"m").digest()
    signature = key.sign(message)
    s = int.from_bytes(signature[32:], "little")
    high_s = signature[:32] + (s + _L).to_bytes(32, "little")  # verifies in lax libraries
    identity = (1).to_bytes(32, "little")
    order_8 = bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85")
    non_canonical_y = (2**255 - 19 + 1).to_bytes(32, "little")
    other = Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key()
    other_public = other.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return {
        "valid": {"key": public.hex(), "sig": signature.hex(), "msg": message.hex()},
        "other_message": {"key": public.hex(), "sig": signature.hex(), "msg": message[:-1].hex()},
        "other_key": {"key": other_public.hex(), "sig": signature.hex(), "msg": message.hex()},
        "s_not_canonical": {"key": public.hex(), "sig": high_s.hex(), "msg": message.hex()},
        "identity_key": {"key": identity.hex(), "sig": signature.hex(), "msg": message.hex()},
        "order_8_key": {"key": order_8.hex(), "sig": signature.hex(), "msg": message.hex()},
        "y_not_canonical": {
            "key": non_canonical_y.hex(),
            "sig": signature.hex(),
            "msg": message.hex(),
        },
    }


def test_signature_rules(browsing: Browsing, server: Server) -> None:
    page = _check_page(browsing, server)
    verdicts = page.evaluate(_RUN_SIGNATURES, _signature_cases())
    assert verdicts == {
        "valid": "ok",
        "other_message": "CheckFailure",
        "other_key": "CheckFailure",
        "s_not_canonical": "CheckFailure",
        "identity_key": "CheckFailure",
        "order_8_key": "CheckFailure",
        "y_not_canonical": "CheckFailure",
    }


def test_browser_without_ed25519_cannot_check(browsing: Browsing, server: Server) -> None:
    """An old browser says "cannot check here", never "tampered"."""
    page = _check_page(browsing, server)
    page.evaluate(
        """() => { const original = crypto.subtle.importKey.bind(crypto.subtle);
        crypto.subtle.importKey = (format, data, algorithm, ...rest) =>
          (algorithm && algorithm.name === "Ed25519")
            ? Promise.reject(new DOMException("no Ed25519", "NotSupportedError"))
            : original(format, data, algorithm, ...rest); }"""
    )
    verdicts = page.evaluate(_RUN_SIGNATURES, {"valid": _signature_cases()["valid"]})
    assert verdicts == {"valid": "Unsupported"}


def test_rfc9162_vectors_are_base64(server: Server) -> None:
    """The transparency-dev vectors hold base64 hashes (the adapter above relies on it)."""
    case = json.loads(
        next((VECTORS / "rfc9162-merkle" / "inclusion").rglob("*.json")).read_text("utf-8")
    )
    assert len(base64.b64decode(case["root"])) in (0, 32)


def _tagged(use: str, data: bytes) -> bytes:
    return hashlib.sha256(b"sunshine-draw/2/" + use.encode() + b"\x00" + data).digest()


def _pin(manifest_digest: bytes, fingerprint: bytes) -> str:
    value = int.from_bytes(_tagged("pin", manifest_digest + fingerprint)[:13], "big") >> 4
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    return "".join(alphabet[(value >> (5 * d)) & 31] for d in range(19, -1, -1))


_RUN_CODES = """async (cases) => {
  const out = [];
  for (const c of cases) {
    out.push({
      check: await SunshineCheck.receiptCheck(c.application, SunshineCheck.normaliseCode(c.typed)),
      pin: SunshineCheck.formatPin(await SunshineCheck.pinOf(SunshineCheck.fromHex(c.manifest), SunshineCheck.fromHex(c.fingerprint))),
      typedPin: SunshineCheck.normaliseCode(c.typedPin),
    });
  }
  return out;
}"""


def test_receipt_check_and_pin_follow_the_protocol(browsing: Browsing, server: Server) -> None:
    """§4.8 and §12.6, computed from the protocol text with hashlib; the typed forms are read
    as §12.6 says (hyphens and spaces dropped, upper case, O as 0, I and L as 1)."""
    cases = []
    for n in range(8):
        manifest = hashlib.sha256(b"m%d" % n).digest()
        fingerprint = hashlib.sha256(b"k%d" % n).digest()
        receipt = "G9PWHYBZYZH2MC6G" if n % 2 else "10PQ0RST1VWX1Y2Z"
        typed = receipt.lower() if n % 2 else "lo-pq-ORST-iVWX-1y2z"
        application = f"XQ{n:06d}"
        pin = _pin(manifest, fingerprint)
        cases.append(
            {
                "application": application,
                "typed": typed,
                "manifest": manifest.hex(),
                "fingerprint": fingerprint.hex(),
                "typedPin": " ".join(pin[i : i + 4].lower() for i in range(0, 20, 4)),
                "want_check": _tagged(
                    "receipt",
                    json.dumps(
                        {"application": application, "receipt": receipt}, separators=(",", ":")
                    ).encode(),
                ).hex(),
                "want_pin": pin,
            }
        )
    for case in cases:  # the engine agrees with the protocol text: three implementations, one value
        assert case["want_pin"] == engine_pin(bytes.fromhex(case["manifest"]), case["fingerprint"])
        receipt = normalise_code(case["typed"])
        assert case["want_check"] == receipt_check(case["application"], receipt)
    page = _check_page(browsing, server)
    for case, answer in zip(cases, page.evaluate(_RUN_CODES, cases), strict=True):
        assert answer["check"] == case["want_check"]
        assert answer["pin"] == "-".join(case["want_pin"][i : i + 4] for i in range(0, 20, 4))
        assert answer["typedPin"] == case["want_pin"]


_RUN_LENGTHS = """async (cases) => {
  const out = [];
  for (const c of cases) {
    let accepted = true;
    try {
      await SunshineCheck.verifyInclusion(SunshineCheck.fromHex(c.leaf_hash), c.leaf_index, c.tree_size,
        c.proof.map(SunshineCheck.fromHex), SunshineCheck.fromHex(c.root));
    } catch (e) { accepted = e.name === "CheckFailure" ? false : e.name; }
    out.push({name: c.name, accepted, valid: c.valid});
  }
  return out;
}"""


def test_proof_hash_length_vectors(browsing: Browsing, server: Server) -> None:
    """§5.3: a leaf hash, root or proof element that is not 32 bytes fails (merkle/lengths.json),
    the RFC 9162 hole (m = 0, n = 1, all empty) among them."""
    cases = json.loads((VECTORS / "merkle" / "lengths.json").read_text("utf-8"))
    page = _check_page(browsing, server)
    results = page.evaluate(_RUN_LENGTHS, cases)
    assert len(results) == len(cases) >= 10
    for result in results:
        assert result["accepted"] is result["valid"], result


_RUN_OUTCOME_PROOFS = """async (runs) => {
  const out = [];
  for (const run of runs) {
    let verdict = "valid", leaf = null;
    try {
      const checked = await SunshineCheck.checkOutcomeProof(run.proof, run.pins, run.application, run.receipt);
      leaf = checked.leaf;
      if (checked.pinned !== (run.pins !== null)) verdict = "pinned is wrong";
    } catch (e) {
      verdict = e.name === "ReceiptMismatch" ? "does not match"
        : (e.name === "CheckFailure" || e.name === "PinMismatch") ? "invalid" : e.name + ": " + e.message;
    }
    out.push({verdict, leaf});
  }
  return out;
}"""


def _outcome_runs() -> list[tuple[str, dict[str, object], str]]:
    """Each case of outcomes/proofs.json with the pins given as B.16 allows: the pin (as
    displayed, and typed in lower case without hyphens), the manifest digest together with the
    key fingerprint, all three; a "does not match" case also without the receipt code (steps
    1-3 hold)."""
    runs = []
    for case in json.loads((VECTORS / "outcomes" / "proofs.json").read_text("utf-8")):
        pins = case["pins"]
        choices: list[object] = [None]
        if pins is not None:
            typed = pins["pin"].replace("-", "").lower()
            both = {"manifest": pins["manifest"], "key": pins["key"]}
            choices = [{"pin": pins["pin"]}, {"pin": typed}, both, pins]
        for given in choices:
            run = {"proof": case["proof"], "pins": given, "application": case["application"]}
            runs.append((case["name"], {**run, "receipt": case["receipt"]}, case["expected"]))
            if case["expected"] == "does not match":
                runs.append((case["name"] + " (no code)", {**run, "receipt": None}, "valid"))
    return runs


def test_outcome_proof_vectors(browsing: Browsing, server: Server) -> None:
    """§12.7 item 4: every outcome-proof vector gives its expected result in check.js, and a
    valid one returns its leaf."""
    runs = _outcome_runs()
    assert {expected for _, _, expected in runs} == {"valid", "invalid", "does not match"}
    page = _check_page(browsing, server)
    answers = page.evaluate(_RUN_OUTCOME_PROOFS, [run for _, run, _ in runs])
    assert len(answers) == len(runs) > 80
    for (name, run, expected), answer in zip(runs, answers, strict=True):
        assert answer["verdict"] == expected, (name, run["pins"], answer)
        if expected == "valid":
            assert answer["leaf"] == run["proof"]["outcome"], name  # type: ignore[index]


def test_a_manifest_digest_alone_is_not_a_pin(browsing: Browsing, server: Server) -> None:
    """§12.7 item 4 step 2 (B.16.1): anyone can sign a head naming the real manifest digest, so
    the digest alone is refused, as is the fingerprint alone; with the pin the same proof holds."""
    case = next(
        c
        for c in json.loads((VECTORS / "outcomes" / "proofs.json").read_text("utf-8"))
        if c["name"] == "draw-day-admitted"
    )
    alone = [{"manifest": case["pins"]["manifest"]}, {"key": case["pins"]["key"]}, {}]
    runs = [
        {"proof": case["proof"], "pins": pins, "application": case["application"], "receipt": None}
        for pins in [*alone, {"pin": case["pins"]["pin"]}]
    ]
    page = _check_page(browsing, server)
    verdicts = [a["verdict"] for a in page.evaluate(_RUN_OUTCOME_PROOFS, runs)]
    assert verdicts == ["invalid", "invalid", "invalid", "valid"]

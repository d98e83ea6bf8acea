// Check it yourself: a third, independent implementation of the parts of protocol
// sunshine-draw/2 that a family needs (JCS §2, hashing §3, the receipt check §4.8, the
// applicant tree §5 / RFC 9162, Ed25519 signatures §12.4, pins §12.6, outcome proofs §12.7),
// run in the browser with Web Crypto. It shares no code with the engine (lottery/) or the
// verifier (verifier/); the browser tests run the protocol's vectors through it. This one file
// is the whole check: a notary or a newspaper can host a copy.
//
// The family's check follows §17.1: the record of its application number exists; its
// receipt_check equals §4.8 for the receipt code typed (otherwise the code "does not match"
// and no outcome is shown); the record is in the sealed tree; once published, the outcome is
// checked with the child's outcome proof against the signed results head (§12.7 item 4), without
// downloading the whole results file. Only when the pin typed equals the bundle's pin (§12.6) does
// the check call the draw the bureau's ("authentic"); without a pin it says plainly that it
// has not checked whose draw it is.
//
// Verdicts: "ok" (authentic and correct: every check passed, the pin matches), "partial"
// (correct but not pinned), "mismatch" (the receipt code does not match the record),
// "pin_mismatch" (the pin differs: not the draw of the sealing announcement), "failed"
// (something does not match: tampered), "unsupported" (this browser cannot check: never
// reported as tampering), "unavailable" (a document could not be fetched).
"use strict";
(function (global) {
  var PROTOCOL = "sunshine-draw/2";
  var MAX_INTEGER = 9007199254740991; // 2^53 - 1, §1.4

  function CheckFailure(message) { this.name = "CheckFailure"; this.message = message; }
  CheckFailure.prototype = Object.create(Error.prototype);
  function Unsupported(message) { this.name = "Unsupported"; this.message = message; }
  Unsupported.prototype = Object.create(Error.prototype);
  function Unavailable(message) { this.name = "Unavailable"; this.message = message; }
  Unavailable.prototype = Object.create(Error.prototype);
  function ReceiptMismatch(message) { this.name = "ReceiptMismatch"; this.message = message; }
  ReceiptMismatch.prototype = Object.create(Error.prototype);
  function PinMismatch(message) { this.name = "PinMismatch"; this.message = message; }
  PinMismatch.prototype = Object.create(Error.prototype);

  // ---- §2: a strict JSON reader (no fractions, exponents, -0, duplicate keys, lone surrogates)
  function parseStrict(text) {
    var at = 0;
    function fail(what) { throw new CheckFailure("JSON: " + what + " at " + at); }
    function space() { while (at < text.length && " \t\n\r".indexOf(text[at]) >= 0) at++; }
    function literal(word, value) {
      if (text.substr(at, word.length) !== word) fail("unexpected character");
      at += word.length;
      return value;
    }
    function string() {
      var out = "";
      at++; // opening quote
      for (;;) {
        if (at >= text.length) fail("unterminated string");
        var c = text[at++];
        if (c === '"') break;
        if (c < " ") fail("control character in string");
        if (c !== "\\") { out += c; continue; }
        var e = text[at++];
        var simple = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
        if (e in simple) { out += simple[e]; continue; }
        if (e !== "u" || !/^[0-9a-fA-F]{4}$/.test(text.substr(at, 4))) fail("bad escape");
        out += String.fromCharCode(parseInt(text.substr(at, 4), 16));
        at += 4;
      }
      checkSurrogates(out);
      return out;
    }
    function number() {
      var match = /^-?(0|[1-9][0-9]*)([.eE][-+0-9.eE]*)?/.exec(text.slice(at));
      if (!match) fail("bad number");
      if (match[2]) fail("only integers are allowed (§2.2)");
      at += match[0].length;
      var value = Number(match[0]);
      if (Math.abs(value) > MAX_INTEGER) fail("integer out of range (§1.4)");
      if (Object.is(value, -0)) fail("-0 is not allowed");
      return value;
    }
    function value() {
      space();
      var c = text[at];
      if (c === "{") {
        var object = {};
        at++; space();
        if (text[at] === "}") { at++; return object; }
        for (;;) {
          space();
          if (text[at] !== '"') fail("expected a key");
          var key = string();
          if (Object.prototype.hasOwnProperty.call(object, key)) fail("duplicate key " + key);
          space();
          if (text[at++] !== ":") fail("expected ':'");
          object[key] = value();
          space();
          var next = text[at++];
          if (next === "}") return object;
          if (next !== ",") fail("expected ',' or '}'");
        }
      }
      if (c === "[") {
        var array = [];
        at++; space();
        if (text[at] === "]") { at++; return array; }
        for (;;) {
          array.push(value());
          space();
          var after = text[at++];
          if (after === "]") return array;
          if (after !== ",") fail("expected ',' or ']'");
        }
      }
      if (c === '"') return string();
      if (c === "t") return literal("true", true);
      if (c === "f") return literal("false", false);
      if (c === "n") return literal("null", null);
      return number();
    }
    var result = value();
    space();
    if (at !== text.length) fail("trailing characters");
    return result;
  }

  function checkSurrogates(s) {
    for (var i = 0; i < s.length; i++) {
      var u = s.charCodeAt(i);
      if (u >= 0xd800 && u <= 0xdbff) {
        var low = s.charCodeAt(i + 1);
        if (!(low >= 0xdc00 && low <= 0xdfff)) throw new CheckFailure("lone surrogate");
        i++;
      } else if (u >= 0xdc00 && u <= 0xdfff) {
        throw new CheckFailure("lone surrogate");
      }
    }
  }

  // ---- §2.3: JCS output rules for the allowed values
  var ESCAPES = { '"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r" };
  function jcsString(s) {
    checkSurrogates(s);
    var out = '"';
    for (var i = 0; i < s.length; i++) {
      var c = s[i];
      if (c in ESCAPES) out += ESCAPES[c];
      else if (c < " ") out += "\\u00" + ("0" + c.charCodeAt(0).toString(16)).slice(-2);
      else out += c;
    }
    return out + '"';
  }
  function jcs(v) {
    if (v === null) return "null";
    if (v === true) return "true";
    if (v === false) return "false";
    if (typeof v === "number") {
      if (!Number.isInteger(v) || Math.abs(v) > MAX_INTEGER || Object.is(v, -0)) {
        throw new CheckFailure("not an allowed integer: " + v);
      }
      return String(v);
    }
    if (typeof v === "string") return jcsString(v);
    if (Array.isArray(v)) return "[" + v.map(jcs).join(",") + "]";
    if (typeof v === "object") {
      // Default sort compares UTF-16 code units, as RFC 8785 §3.2.3 asks.
      return "{" + Object.keys(v).sort().map(function (k) { return jcsString(k) + ":" + jcs(v[k]); }).join(",") + "}";
    }
    throw new CheckFailure("not a JSON value");
  }
  function canonicalise(text) { return jcs(parseStrict(text)); }

  // ---- bytes
  var utf8 = new TextEncoder();
  function bytes(text) { return utf8.encode(text); }
  function concat() {
    var parts = Array.prototype.slice.call(arguments);
    var total = parts.reduce(function (n, p) { return n + p.length; }, 0);
    var out = new Uint8Array(total), offset = 0;
    parts.forEach(function (p) { out.set(p, offset); offset += p.length; });
    return out;
  }
  function hex(b) {
    return Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
  }
  function fromHex(h) {
    if (typeof h !== "string" || !/^([0-9a-f]{2})*$/.test(h)) throw new CheckFailure("not lowercase hex: " + h);
    var out = new Uint8Array(h.length / 2);
    for (var i = 0; i < out.length; i++) out[i] = parseInt(h.substr(2 * i, 2), 16);
    return out;
  }
  function equalBytes(a, b) {
    if (a.length !== b.length) return false;
    var d = 0;
    for (var i = 0; i < a.length; i++) d |= a[i] ^ b[i];
    return d === 0;
  }

  // ---- §3: SHA-256 and domain-separated hashing
  function subtle() {
    if (!global.crypto || !global.crypto.subtle) throw new Unsupported("no Web Crypto (not a secure context?)");
    return global.crypto.subtle;
  }
  async function sha256(data) { return new Uint8Array(await subtle().digest("SHA-256", data)); }
  function tag(use) { return concat(bytes(PROTOCOL + "/" + use), new Uint8Array([0])); }
  function domainHash(use, data) { return sha256(concat(tag(use), data)); }

  // ---- §5: the applicant tree, RFC 9162 §2.1.3.2 inclusion proof verification
  async function leafHash(entry) { return sha256(concat(new Uint8Array([0]), entry)); }
  async function nodeHash(left, right) { return sha256(concat(new Uint8Array([1]), left, right)); }
  async function recordLeafHash(recordJcs) { return leafHash(concat(tag("applicant"), bytes(recordJcs))); }

  async function verifyInclusion(leaf, index, size, proof, root) {
    // §5.3, before RFC 9162's steps: the leaf hash, the root and every proof element are 32 bytes
    if (leaf.length !== 32 || root.length !== 32) throw new CheckFailure("a hash is not 32 bytes (§5.3)");
    if (!proof.every(function (p) { return p.length === 32; })) throw new CheckFailure("a proof element is not 32 bytes (§5.3)");
    // (1) the index must be inside the tree
    if (!(Number.isInteger(index) && Number.isInteger(size)) || index < 0 || index >= size) {
      throw new CheckFailure("leaf index outside the tree");
    }
    var fn = index, sn = size - 1, r = leaf; // (2), (3)
    for (var i = 0; i < proof.length; i++) { // (4)
      var p = proof[i];
      if (sn === 0) throw new CheckFailure("proof is too long");
      if (fn % 2 === 1 || fn === sn) {
        r = await nodeHash(p, r);
        if (fn % 2 === 0) {
          while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
        }
      } else {
        r = await nodeHash(r, p);
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    // (5) the proof must end at the root, exactly
    if (sn !== 0) throw new CheckFailure("proof is too short");
    if (!equalBytes(r, root)) throw new CheckFailure("the proof does not lead to the root");
  }

  // ---- §12.4: Ed25519 with the strict rules (RFC 8032 §5.1.7 plus small-order keys refused)
  var L = (1n << 252n) + 27742317777372353535851937790883648493n; // the group order
  var P = (1n << 255n) - 19n; // the field prime
  var SMALL_ORDER = [ // y coordinates of the points of order 1, 2, 4 and 8 (sign bit ignored)
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  ];
  function littleEndian(b) {
    var n = 0n;
    for (var i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]);
    return n;
  }
  function checkPublicKey(key) {
    if (key.length !== 32) throw new CheckFailure("public key is not 32 bytes");
    var y = key.slice(); y[31] &= 0x7f;
    if (littleEndian(y) >= P) throw new CheckFailure("public key is not canonical (y >= p)");
    if (SMALL_ORDER.indexOf(hex(y)) >= 0) throw new CheckFailure("public key has small order");
  }
  function checkSignatureBytes(signature) {
    if (signature.length !== 64) throw new CheckFailure("signature is not 64 bytes");
    if (littleEndian(signature.slice(32)) >= L) throw new CheckFailure("signature is not canonical (S >= L)");
  }
  async function ed25519Verify(publicKey, signature, message) {
    checkPublicKey(publicKey);
    checkSignatureBytes(signature);
    var key;
    try {
      key = await subtle().importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
    } catch (error) {
      if (error instanceof CheckFailure) throw error;
      // NotSupportedError (no Ed25519 here) and DataError alike: this browser cannot tell.
      throw new Unsupported("this browser has no Ed25519 in Web Crypto (" + error.name + ")");
    }
    var ok;
    try {
      ok = await subtle().verify({ name: "Ed25519" }, key, signature, message);
    } catch (error) {
      throw new Unsupported("Ed25519 verification is not available (" + error.name + ")");
    }
    if (!ok) throw new CheckFailure("the signature is not valid");
  }
  function signedMessage(kind, digest) {
    return concat(tag("signature"), bytes(kind), new Uint8Array([0]), digest);
  }
  async function keyFingerprint(publicKey) { return hex(await domainHash("key-fingerprint", publicKey)); }

  // ---- §4.3, §12.6: codes as people type them, the receipt check and the pin
  var ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; // Crockford base 32, §4.3
  function normaliseCode(typed) {
    // §12.6: hyphens and spaces removed, upper case, O read as 0, I and L as 1 (and the
    // full-width forms a phone keyboard may give, folded by NFKC first)
    return String(typed || "").normalize("NFKC").replace(/[\s-]/g, "").toUpperCase()
      .replace(/O/g, "0").replace(/[IL]/g, "1");
  }
  async function receiptCheck(application, receipt) {
    // §4.8: hex(H("receipt", JCS({"application": A, "receipt": R})))
    return hex(await domainHash("receipt", bytes(jcs({ application: application, receipt: receipt }))));
  }
  async function pinOf(manifestDigest, fingerprint) {
    // §12.6: the first 100 bits of H("pin", manifest_digest || fingerprint), 20 digits
    var h = await domainHash("pin", concat(manifestDigest, fingerprint));
    var v = 0n;
    for (var i = 0; i < 13; i++) v = (v << 8n) | BigInt(h[i]);
    v >>= 4n;
    var out = "";
    for (var d = 19; d >= 0; d--) out += ALPHABET[Number((v >> BigInt(5 * d)) & 31n)];
    return out;
  }
  function formatPin(pin) { return pin.match(/.{1,4}/g).join("-"); }

  // A signature file (§12.4) over `digest`, by the key the manifest names.
  async function checkSignatureFile(sig, kind, digest, signingKey) {
    if (sig.algorithm !== "ed25519") throw new CheckFailure(kind + ": algorithm is not ed25519");
    if (sig.kind !== kind) throw new CheckFailure(kind + ": signature is for kind " + sig.kind);
    if (sig.digest !== hex(digest)) throw new CheckFailure(kind + ": signature is for another document");
    if (sig.public_key !== signingKey.public_key || sig.fingerprint !== signingKey.fingerprint) {
      throw new CheckFailure(kind + ": signed by a key the manifest does not name");
    }
    var publicKey = fromHex(sig.public_key);
    if ((await keyFingerprint(publicKey)) !== sig.fingerprint) throw new CheckFailure("fingerprint does not match the key");
    await ed25519Verify(publicKey, fromHex(sig.signature), signedMessage(kind, digest));
  }

  // ---- §12.7 item 4: an outcome proof, the child's leaf against a signed results head
  var PROOF_KEYS = "head,index,kind,outcome,proof,protocol,signature";
  var LEAF_KEYS = "application,choices,label,lottery_number,receipt_check,school,status"; // §12.7 item 1
  var RECEIPT = /^[0-9A-HJKMNP-TV-Z]{16}$/; // §4.3
  function hasKeys(object, keys) {
    return object !== null && typeof object === "object" && !Array.isArray(object) && Object.keys(object).sort().join(",") === keys;
  }
  function isHex64(h) { return typeof h === "string" && /^[0-9a-f]{64}$/.test(h); }
  async function outcomeLeafHash(leaf) { return leafHash(concat(tag("outcome"), bytes(jcs(leaf)))); } // §12.7 item 2

  // `proof` is the parsed document; `pins` null, or {pin} and/or {manifest, key} as the family
  // holds them (§12.6); `application` the number asked for; `receipt` the code typed, or null.
  // Returns {leaf, head, pinned}; throws CheckFailure, PinMismatch or ReceiptMismatch.
  async function checkOutcomeProof(proof, pins, application, receipt) {
    if (!hasKeys(proof, PROOF_KEYS) || proof.protocol !== PROTOCOL || proof.kind !== "outcome-proof") {
      throw new CheckFailure("not an outcome proof (§12.7 item 4)");
    }
    var head = proof.head, sig = proof.signature, leaf = proof.outcome;
    if (!head || head.protocol !== PROTOCOL || head.kind !== "results-head" || !isHex64(head.manifest) || !head.outcomes) {
      throw new CheckFailure("the head is not a results head (§12.7 item 3)");
    }
    // (1) the head's signature file: kind results-head, digest H("results-head", JCS(head)), the
    // fingerprint of its own public key, strict Ed25519 (§12.4-§12.5)
    if (!sig || !isHex64(sig.public_key)) throw new CheckFailure("results-head: no public key");
    var fingerprint = await keyFingerprint(fromHex(sig.public_key));
    var headDigest = await domainHash("results-head", bytes(jcs(head)));
    await checkSignatureFile(sig, "results-head", headDigest, { public_key: sig.public_key, fingerprint: fingerprint });
    // (2) the pins: the short pin (it binds both), or the manifest digest together with the key
    // fingerprint; a manifest digest alone is not a pin (the proof carries no manifest)
    var pinned = false;
    if (pins) {
      var pin = normaliseCode(pins.pin);
      if (!pin && !(pins.manifest && pins.key)) throw new CheckFailure("a manifest digest (or a key fingerprint) alone is not a pin (§12.7 item 4)");
      var headPin = await pinOf(fromHex(head.manifest), fromHex(fingerprint));
      if ((pin && pin !== headPin) || (pins.manifest && String(pins.manifest).toLowerCase() !== head.manifest) ||
          (pins.key && String(pins.key).toLowerCase() !== fingerprint)) {
        throw new PinMismatch(formatPin(headPin));
      }
      pinned = true;
    }
    // (3) the index is in the tree, the leaf is the child's, and its inclusion proof (§5.3, every
    // element and the root 32 bytes) takes SHA-256(0x00 || e_index) to head.outcomes.root
    var count = head.outcomes.count;
    if (!Number.isInteger(proof.index) || !Number.isInteger(count) || proof.index < 0 || proof.index >= count) {
      throw new CheckFailure("index " + proof.index + " is not below the count " + count);
    }
    if (!hasKeys(leaf, LEAF_KEYS)) throw new CheckFailure("the outcome's keys are not those of §12.7 item 1");
    if (application != null && leaf.application !== application) throw new CheckFailure("it is the outcome of " + leaf.application + ", not of " + application);
    if (!Array.isArray(proof.proof) || !proof.proof.every(isHex64) || !isHex64(head.outcomes.root)) {
      throw new CheckFailure("a proof element or the root is not 32 bytes of hex (§5.3)");
    }
    try {
      await verifyInclusion(await outcomeLeafHash(leaf), proof.index, count, proof.proof.map(fromHex), fromHex(head.outcomes.root));
    } catch (error) {
      if (!(error instanceof CheckFailure)) throw error; // "cannot check here" stays so
      throw new CheckFailure("the outcome is not the one the head signed: " + error.message);
    }
    // (4) the receipt code matches the leaf's receipt_check (§4.8), or no outcome is shown
    if (receipt != null) {
      var code = normaliseCode(receipt);
      if (!RECEIPT.test(code) || (await receiptCheck(leaf.application, code)) !== leaf.receipt_check) {
        throw new ReceiptMismatch(leaf.application);
      }
    }
    return { leaf: leaf, head: head, pinned: pinned };
  }

  // ---- fetching the signed documents (canonical files, §2.5)
  async function fetchCanonical(url) {
    var response;
    try { response = await fetch(url, { credentials: "omit", cache: "no-store" }); } catch (e) { throw new Unavailable(url); }
    if (!response.ok) throw new Unavailable(url + " (" + response.status + ")");
    var raw = new Uint8Array(await response.arrayBuffer());
    var text = new TextDecoder("utf-8", { fatal: true }).decode(raw);
    var value = parseStrict(text);
    if (jcs(value) !== text) throw new CheckFailure(url + " is not canonical (§2.5)");
    return { bytes: raw, value: value };
  }

  // The family's check (§17.1), step by step; `report(key, ok, detail)` shows each step.
  // `typed` is {receipt, pin} as the family typed them from its receipt and the sealing
  // announcement.
  async function checkAnswer(data, typed, report) {
    var base = "/api/draws/" + encodeURIComponent(data.draw);
    // (1) the record shown is the child's, and its receipt check matches the code (§4.8):
    // before anything else, so that a wrong code learns nothing of the outcome
    if (data.record.application !== data.application) throw new CheckFailure("the record is another child's");
    var receipt = normaliseCode(typed.receipt);
    if (!RECEIPT.test(receipt)) throw new ReceiptMismatch("not 16 characters of the receipt alphabet");
    if (typeof data.record.receipt_check !== "string" || !/^[0-9a-f]{64}$/.test(data.record.receipt_check)) {
      throw new CheckFailure("the record has no receipt_check (§4.8)");
    }
    if ((await receiptCheck(data.application, receipt)) !== data.record.receipt_check) {
      throw new ReceiptMismatch(data.application);
    }
    report("receipt", true, data.application);
    var leaf = await recordLeafHash(jcs(data.record));
    // (2) the manifest, canonical, and its signature by the key it names
    var manifest = await fetchCanonical(base + "/manifest.json");
    var manifestDigest = await domainHash("manifest", manifest.bytes);
    var signingKey = manifest.value.signing_key;
    var manifestSig = await fetchCanonical(base + "/manifest.sig.json");
    await checkSignatureFile(manifestSig.value, "manifest", manifestDigest, signingKey);
    report("manifest", true, hex(manifestDigest));
    // (3) whose draw: the pin of the sealing announcement (§12.6), if the family typed it
    var pin = await pinOf(manifestDigest, fromHex(signingKey.fingerprint));
    var typedPin = normaliseCode(typed.pin);
    if (typedPin) {
      if (typedPin !== pin) throw new PinMismatch(formatPin(pin));
      report("pin", true, formatPin(pin));
    } else {
      report("pin", null, formatPin(pin));
    }
    // (4) the record is in the sealed applicant tree (§5.3)
    if (manifest.value.applicants.count !== data.tree_size) throw new CheckFailure("tree size differs from the sealed count");
    await verifyInclusion(leaf, data.leaf_index, data.tree_size, data.inclusion_proof.map(fromHex), fromHex(manifest.value.applicants.root));
    report("record", true, manifest.value.applicants.root);
    // (5) once published: the outcome, from the child's outcome proof (§12.7 item 4, §17.1)
    // against the last signed results head; the whole results file is not downloaded
    if (data.published) {
      var proof = data.outcome_proof;
      if (!proof) throw new CheckFailure("the page holds no outcome proof (§12.7 item 4)");
      // the head names the manifest checked in (2) and is signed by its key, so the pin of (3)
      // covers it (§12.4: every signature is by the manifest's key)
      if (!proof.head || proof.head.manifest !== hex(manifestDigest)) throw new CheckFailure("the results head is for another manifest");
      if (!proof.signature || proof.signature.public_key !== signingKey.public_key || proof.signature.fingerprint !== signingKey.fingerprint) {
        throw new CheckFailure("results-head: signed by a key the manifest does not name");
      }
      var checked = await checkOutcomeProof(proof, { manifest: hex(manifestDigest), key: signingKey.fingerprint }, data.application, receipt);
      var outcome = checked.leaf;
      if (outcome.receipt_check !== data.record.receipt_check) throw new CheckFailure("the outcome's receipt_check is not the record's (§12.7 item 1)");
      if (outcome.lottery_number !== data.lottery_number) throw new CheckFailure("the lottery number differs from the signed outcome");
      report("outcome", true, { status: outcome.status, school: outcome.school, label: outcome.label });
      report("head", true, { seq: checked.head.seq, actions: checked.head.actions });
    }
    return typedPin ? "ok" : "partial";
  }

  // ---- the page part (only where the look-up answer page holds the data blocks)
  function start() {
    var dataBlock = document.getElementById("check-data");
    var button = document.getElementById("check-run");
    if (!dataBlock || !button) return;
    var data = JSON.parse(dataBlock.textContent);
    var words = JSON.parse(document.getElementById("check-messages").textContent);
    var steps = document.getElementById("check-steps");
    var verdict = document.getElementById("check-verdict");
    function say(key, detail) { // a detail is appended, or an object fills the message's {names}
      var text = words["check." + key];
      if (key === "step_outcome") { // the verified leaf: status (in words), school, label
        detail = [words["check.status_" + detail.status] || detail.status, detail.school, detail.label]
          .filter(function (x) { return x !== null; }).join(" · ");
      }
      if (detail && typeof detail === "object") return text.replace(/\{(\w+)\}/g, function (m, name) { return String(detail[name]); });
      return text + (detail ? " " + detail : "");
    }
    button.disabled = false; // the button works from the moment the script is ready
    button.addEventListener("click", async function () {
      button.disabled = true;
      steps.textContent = "";
      verdict.className = "verdict";
      verdict.textContent = words["check.running"];
      function report(key, ok, detail) {
        var item = document.createElement("li");
        item.className = ok === true ? "pass" : "note";
        item.textContent = (ok === true ? "✓ " : "• ") + say("step_" + key + (ok === null ? "_unchecked" : ""), detail);
        steps.appendChild(item);
      }
      var outcome, detail = "";
      try {
        outcome = await checkAnswer(data, {
          receipt: document.getElementById("check-receipt").value,
          pin: document.getElementById("check-pin").value,
        }, report);
      } catch (error) {
        outcome = error instanceof Unsupported ? "unsupported" : error instanceof Unavailable ? "unavailable"
          : error instanceof ReceiptMismatch ? "mismatch" : error instanceof PinMismatch ? "pin_mismatch" : "failed";
        detail = error instanceof ReceiptMismatch ? "" : error.message;
        if (outcome === "mismatch") steps.textContent = ""; // a wrong code is shown nothing
      }
      verdict.className = "verdict verdict-" + outcome;
      verdict.textContent = say("verdict_" + outcome, detail ? "(" + detail + ")" : "");
      button.disabled = false;
    });
  }

  global.SunshineCheck = {
    parseStrict: parseStrict, jcs: jcs, canonicalise: canonicalise, hex: hex, fromHex: fromHex,
    sha256: sha256, domainHash: domainHash, recordLeafHash: recordLeafHash, leafHash: leafHash,
    verifyInclusion: verifyInclusion, ed25519Verify: ed25519Verify, signedMessage: signedMessage,
    checkAnswer: checkAnswer, checkOutcomeProof: checkOutcomeProof, outcomeLeafHash: outcomeLeafHash,
    CheckFailure: CheckFailure, Unsupported: Unsupported,
    normaliseCode: normaliseCode, receiptCheck: receiptCheck, pinOf: pinOf, formatPin: formatPin,
    ReceiptMismatch: ReceiptMismatch, PinMismatch: PinMismatch, Unavailable: Unavailable,
  };
  if (global.document) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
  }
})(window);

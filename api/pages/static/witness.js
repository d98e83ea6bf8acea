// The witness page: the secret is drawn here (Web Crypto), its commitment (protocol §7.1) is
// sent, and the secret itself only at the reveal. Needs a secure context (HTTPS or localhost).
"use strict";
(function () {
  var words = JSON.parse(document.getElementById("witness-messages").textContent);
  var work = document.getElementById("witness-work");
  var drawId = work.getAttribute("data-draw"), witnessId = work.getAttribute("data-witness");
  var base = "/api/draws/" + encodeURIComponent(drawId) + "/witnesses/" + encodeURIComponent(witnessId);
  function byId(id) { return document.getElementById(id); }
  function say(key, extra) { byId("witness-status").textContent = (words["witness." + key] || key) + (extra ? " " + extra : ""); }
  if (!window.isSecureContext || !window.crypto || !window.crypto.subtle) {
    byId("witness-insecure").classList.remove("hidden");
    work.classList.add("hidden");
    return;
  }
  var fragment = new URLSearchParams(window.location.hash.slice(1));
  if (fragment.get("token")) byId("witness-token").value = fragment.get("token");
  function hex(bytes) { return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join(""); }
  async function commitment(secretHex) {
    // H("witness-commitment", JCS({"secret": hex(S), "witness": id})), protocol §3.1 and §7.1
    var text = '{"secret":' + JSON.stringify(secretHex) + ',"witness":' + JSON.stringify(witnessId) + "}";
    var prefix = new TextEncoder().encode("sunshine-draw/1/witness-commitment");
    var body = new TextEncoder().encode(text);
    var data = new Uint8Array(prefix.length + 1 + body.length);
    data.set(prefix, 0); data.set(body, prefix.length + 1);
    return hex(new Uint8Array(await crypto.subtle.digest("SHA-256", data)));
  }
  async function send(method, path, body) {
    var response = await fetch(path, {
      method: method, credentials: "omit",
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + byId("witness-token").value.trim() },
      body: JSON.stringify(body),
    });
    var data = await response.json();
    if (!response.ok) throw new Error(document.documentElement.lang === "en" ? data.message_en : data.message_zh);
    return data;
  }
  byId("witness-generate").addEventListener("click", async function () {
    var secret = hex(crypto.getRandomValues(new Uint8Array(32)));
    var value = await commitment(secret);
    byId("witness-secret").textContent = secret;
    byId("witness-commitment").textContent = value;
    byId("witness-secret-box").classList.remove("hidden");
    try { await send("PUT", base + "/commitment", { commitment: value }); say("committed"); }
    catch (error) { say("", error.message); }
  });
  byId("witness-download").addEventListener("click", function () {
    var text = drawId + " " + witnessId + "\nsecret " + byId("witness-secret").textContent + "\ncommitment " + byId("witness-commitment").textContent + "\n";
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    link.download = drawId + "-" + witnessId + "-secret.txt";
    document.body.appendChild(link); link.click(); link.remove();
  });
  byId("witness-print").addEventListener("click", function () { window.print(); });
  // The buttons are disabled in the page until this script has wired them.
  Array.prototype.forEach.call(work.querySelectorAll("button"), function (b) { b.disabled = false; });
  byId("witness-reveal").addEventListener("click", async function () {
    var secret = byId("witness-reveal-secret").value.trim().toLowerCase() || byId("witness-secret").textContent;
    try { await send("POST", base + "/reveal", { secret: secret }); say("revealed"); }
    catch (error) { say("", error.message); }
  });
})();

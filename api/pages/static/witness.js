// The witness page: it carries the files of protocol §7.9 between the witness's own machine
// and the service. The witness's key and secret are made by the verifier's witness tool
// (`verify-draw witness ...`) on the witness's own computer; this page never generates a key
// nor sees a secret before the reveal file carries it. The witness token comes in the link's
// fragment (`#token=...`), which a browser never sends to a server.
"use strict";
(function () {
  var words = JSON.parse(document.getElementById("witness-messages").textContent);
  var work = document.getElementById("witness-work");
  var drawId = work.getAttribute("data-draw"), witnessId = work.getAttribute("data-witness");
  var draw = "/api/draws/" + encodeURIComponent(drawId);
  var mine = draw + "/witnesses/" + encodeURIComponent(witnessId);
  // The service routes this page drives, in one table (method, path).
  var ROUTES = {
    commitment: ["PUT", mine + "/commitment"],
    reveal: ["POST", mine + "/reveal"],
    checkpoint: ["GET", draw + "/checkpoint"],
    beacon: ["GET", draw + "/beacon"],
    cosignature: ["POST", draw + "/cosignatures"],
  };
  function byId(id) { return document.getElementById(id); }
  function say(key, extra, bad) {
    var el = byId("witness-status");
    el.textContent = (key ? words["witness." + key] || key : "") + (extra ? " " + extra : "");
    el.className = bad ? "error" : "";
  }
  var fragment = new URLSearchParams(window.location.hash.slice(1));
  if (fragment.get("token")) byId("witness-token").value = fragment.get("token");

  async function call(route, body) {
    var headers = { Authorization: "Bearer " + byId("witness-token").value.trim() };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    var response = await fetch(route[1], { method: route[0], credentials: "omit", headers: headers, body: body });
    var text = await response.text();
    var data = null;
    try { data = JSON.parse(text); } catch (e) { data = null; }
    if (!response.ok) {
      var en = document.documentElement.lang === "en";
      throw new Error(data && data.message_zh ? (en ? data.message_en : data.message_zh) : String(response.status));
    }
    return text;
  }
  // A file the witness tool made, sent as it is: its bytes are what the witness signed.
  async function fileText(inputId) {
    var file = byId(inputId).files[0];
    if (!file) throw new Error(words["witness.choose_file"]);
    return await file.text();
  }
  function download(text, name) {
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    link.download = name;
    document.body.appendChild(link); link.click(); link.remove();
  }
  function stem() { return drawId + "-" + witnessId; }
  function on(id, work) {
    byId(id).addEventListener("click", async function () {
      say("working");
      try { await work(); } catch (error) { say("", error.message, true); }
    });
  }
  var receipt = null;
  on("witness-commit", async function () {
    await call(ROUTES.commitment, await fileText("witness-commitment-file"));
    say("committed");
  });
  on("witness-reveal", async function () {
    receipt = await call(ROUTES.reveal, await fileText("witness-reveal-file"));
    byId("witness-receipt-box").classList.remove("hidden");
    say("revealed");
  });
  on("witness-receipt", async function () {
    if (receipt) download(receipt, stem() + "-reveal-receipt.json");
  });
  on("witness-get-checkpoint", async function () {
    download(await call(ROUTES.checkpoint), drawId + "-checkpoint.json");
    say("downloaded");
  });
  on("witness-get-beacon", async function () {
    download(await call(ROUTES.beacon), drawId + "-beacon.json");
    say("downloaded");
  });
  on("witness-cosign-checkpoint", async function () {
    await call(ROUTES.cosignature, await fileText("witness-checkpoint-file"));
    say("cosigned");
  });
  on("witness-cosign-beacon", async function () {
    await call(ROUTES.cosignature, await fileText("witness-beacon-file"));
    say("cosigned");
  });
  // The buttons are disabled in the page until this script has wired them.
  Array.prototype.forEach.call(work.querySelectorAll("button"), function (b) { b.disabled = false; });
})();

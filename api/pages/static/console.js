// The operator console: drives the service's JSON API with the operator token (kept in this
// tab's session storage only). Irreversible steps ask for confirmation first. The ceremony
// panel shows, per witness, its commitment, reveal and co-signatures (protocol §7.3-§7.5),
// closes the reveals (the checkpoint), enters the beacon value, and lists refused attempts.
"use strict";
(function () {
  var words = JSON.parse(document.getElementById("console-messages").textContent);
  var store = window.sessionStorage;
  function byId(id) { return document.getElementById(id); }
  function word(key, values) {
    var text = words["console." + key] || key;
    Object.keys(values || {}).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
    return text;
  }
  function status(text, bad) { var el = byId("console-status"); el.textContent = text; el.className = bad ? "error" : ""; }
  function drawId() { return store.getItem("draw") || ""; }
  function base() { return "/api/draws/" + encodeURIComponent(drawId()); }
  // The ceremony routes of the service, in one place (method, path under the draw).
  var CEREMONY = {
    close: ["POST", "/checkpoint"],
    beacon: ["POST", "/beacon"],
    audit: ["GET", "/audit"],
  };

  // Every call goes through here: bearer token, JSON in and out, errors in the clerk's words.
  async function call(method, path, body, contentType) {
    var headers = { Authorization: "Bearer " + (store.getItem("token") || "") };
    if (body !== undefined) headers["Content-Type"] = contentType || "application/json";
    var response = await fetch(path, {
      method: method, headers: headers, credentials: "omit",
      body: body === undefined ? undefined : (contentType ? body : JSON.stringify(body)),
    });
    var type = response.headers.get("Content-Type") || "";
    var data = type.indexOf("json") >= 0 ? await response.json() : await response.blob();
    if (!response.ok) {
      var error = new Error(data.message_zh ? (document.documentElement.lang === "en" ? data.message_en : data.message_zh) : String(response.status));
      error.problems = data.problems || [];
      throw error;
    }
    return data;
  }
  async function attempt(what, work) {
    status(what + " …");
    try { await work(); status(what + ": " + word("done")); }
    catch (error) { status(what + ": " + word("failed") + " — " + error.message, true); if (error.problems && error.problems.length) showProblems(error.problems); }
  }
  function showProblems(problems) {
    var box = byId("import-result");
    box.textContent = "";
    var heading = document.createElement("h3"); heading.textContent = word("report"); box.appendChild(heading);
    var table = document.createElement("table");
    var head = table.createTHead().insertRow();
    [word("row"), word("field"), word("problem")].forEach(function (h) { var th = document.createElement("th"); th.scope = "col"; th.textContent = h; head.appendChild(th); });
    var tbody = table.createTBody();
    var en = document.documentElement.lang === "en";
    problems.forEach(function (p) {
      var row = tbody.insertRow();
      [p.row === null ? "" : p.row, p.field || "", en ? p.message_en : p.message_zh].forEach(function (v) { row.insertCell().textContent = String(v); });
    });
    box.appendChild(table);
  }
  function showSignedIn() {
    var signedIn = !!store.getItem("token");
    byId("signed-in").classList.toggle("hidden", !signedIn);
    byId("sign-in-form").classList.toggle("hidden", signedIn);
    byId("sign-out").classList.toggle("hidden", !signedIn);
    byId("screen-link").href = "/draws/" + encodeURIComponent(drawId()) + "/screen";
  }
  async function refresh() {
    if (!drawId()) return;
    var draw = await call("GET", base());
    byId("draw-summary").textContent = [draw.id, draw.title, word("state") + ": " + (words["state." + draw.state] || draw.state),
      word("applicants", { count: draw.applicant_count }), draw.manifest_digest ? word("manifest") + " " + draw.manifest_digest : ""].filter(Boolean).join(" · ");
    var witnesses = await call("GET", base() + "/witnesses");
    var list = byId("witness-list");
    Array.prototype.slice.call(list.querySelectorAll("li.known")).forEach(function (li) { li.remove(); });
    witnesses.forEach(function (w) {
      var li = document.createElement("li"); li.className = "known";
      li.textContent = w.id + " · " + w.name + " · " + (w.commitment || "—") + (w.revealed ? " ✓" : "");
      list.appendChild(li);
    });
    var events = await call(CEREMONY.audit[0], base() + CEREMONY.audit[1]);
    showCeremony(witnesses, events);
    showRefusals(events);
  }
  function mark(flag) { return flag ? "✓" : "—"; }
  // One row per witness: committed, revealed, co-signed the checkpoint, co-signed the beacon
  // (the co-signatures as the audit log records them, `witness.cosigned`, §15.3).
  function showCeremony(witnesses, events) {
    var cosigned = {};
    events.forEach(function (e) {
      if (e.action === "witness.cosigned" && e.details) cosigned[e.details.of + ":" + e.details.witness] = true;
    });
    var tbody = byId("ceremony-table").tBodies[0];
    tbody.textContent = "";
    var counts = { revealed: 0, checkpoint: 0, beacon: 0 };
    witnesses.forEach(function (w) {
      var row = tbody.insertRow();
      var head = document.createElement("th"); head.scope = "row"; head.textContent = w.name + " (" + w.id + ")"; row.appendChild(head);
      var checkpoint = cosigned["checkpoint:" + w.id], beacon = cosigned["beacon:" + w.id];
      [w.commitment, w.revealed, checkpoint, beacon].forEach(function (flag) { row.insertCell().textContent = mark(flag); });
      if (w.revealed) counts.revealed++;
      if (checkpoint) counts.checkpoint++;
      if (beacon) counts.beacon++;
    });
    byId("ceremony-summary").textContent = word("ceremony_counts", { revealed: counts.revealed, checkpoint: counts.checkpoint, beacon: counts.beacon, total: witnesses.length });
  }
  // Refused attempts (a late reveal, a wrong signature, a bad token) are logged as refused.*
  // and change nothing else (§15.3): the operator sees each with its reason.
  function showRefusals(events) {
    var list = byId("refusal-list");
    list.textContent = "";
    events.filter(function (e) { return e.action.indexOf("refused.") === 0; }).forEach(function (e) {
      var li = document.createElement("li");
      var why = e.details && e.details.reason;
      li.textContent = e.seq + " · " + e.at + " · " + e.action + (e.details && e.details.witness ? " · " + e.details.witness : "") + (why ? " · " + why : "");
      list.appendChild(li);
    });
    if (!list.children.length) { var none = document.createElement("li"); none.textContent = word("no_refusals"); list.appendChild(none); }
  }
  function submit(id, handler) {
    byId(id).addEventListener("submit", function (event) { event.preventDefault(); handler(); });
  }
  function value(id) { return byId(id).value.trim(); }

  submit("sign-in-form", function () { store.setItem("token", value("token")); byId("token").value = ""; showSignedIn(); status(word("signed_in")); });
  byId("sign-out").addEventListener("click", function () { store.clear(); showSignedIn(); });
  submit("open-form", function () { store.setItem("draw", value("open-id")); showSignedIn(); attempt(word("open"), refresh); });

  function schoolsFromLines(text) {
    return text.split("\n").map(function (l) { return l.trim(); }).filter(Boolean).map(function (line) {
      var parts = line.split(/[,，]/).map(function (p) { return p.trim(); });
      var tiers = (parts[3] || "general").split("/").map(function (label, i) { return { id: "T" + (i + 1), label: label.trim() }; });
      return { id: parts[0], name: parts[1], seats: parseInt(parts[2], 10), tiers: tiers };
    });
  }
  // The registered beacon (§7.2): a drand chain's round (its time follows from the chain), or
  // another public value with the time it is published.
  function beaconSource() {
    var source = value("create-beacon-source");
    var primary = { source: source, round: value("create-beacon-round"), format: source.indexOf("drand:") === 0 ? "hex64" : "decimal" };
    if (value("create-beacon-at")) primary.at = value("create-beacon-at");
    return primary;
  }
  submit("create-form", function () {
    attempt(word("create"), async function () {
      var rules = value("create-rules") ? JSON.parse(value("create-rules")) : {
        id: value("create-id"), title: value("create-title"), mode: value("create-mode"),
        birth_date_from: value("create-birth-from"), birth_date_to: value("create-birth-to"),
        max_preferences: parseInt(value("create-max-preferences"), 10), min_reveals: parseInt(value("create-min-reveals"), 10),
        schools: schoolsFromLines(byId("create-schools").value),
        beacon: { primary: beaconSource() },
      };
      var draw = await call("POST", "/api/draws", rules);
      store.setItem("draw", draw.id); byId("open-id").value = draw.id; showSignedIn();
      await refresh();
    });
  });
  submit("import-form", function () {
    attempt(word("import"), async function () {
      var file = byId("import-file").files[0];
      byId("import-result").textContent = "";
      var answer = await call("POST", base() + "/applicants/import?filename=" + encodeURIComponent(file.name), file, "application/octet-stream");
      var box = byId("import-result");
      var p = document.createElement("p"); p.textContent = word("receipts", { count: answer.count }); box.appendChild(p);
      var pre = document.createElement("pre"); pre.className = "log";
      pre.textContent = answer.receipts.map(function (r) { return r.application + "  " + r.masked_name + "  " + r.receipt_code; }).join("\n");
      box.appendChild(pre);
      await refresh();
    });
  });
  submit("witness-form", function () {
    attempt(word("add_witness"), async function () {
      var created = await call("POST", base() + "/witnesses", { id: value("witness-id"), name: value("witness-name") });
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = "/draws/" + encodeURIComponent(drawId()) + "/witness/" + encodeURIComponent(created.id) + "#token=" + encodeURIComponent(created.token);
      link.textContent = link.href;
      li.textContent = word("witness_link") + " " + created.name + ": ";
      li.appendChild(link);
      byId("witness-list").appendChild(li);
      await refresh();
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-step]"), function (button) {
    button.addEventListener("click", function () {
      var what = button.textContent;
      if (button.getAttribute("data-confirm") && !window.confirm(word("confirm", { what: what }))) return;
      attempt(what, async function () { await call("POST", base() + "/" + button.getAttribute("data-step")); await refresh(); });
    });
  });
  byId("close-reveals").addEventListener("click", function () {
    var what = byId("close-reveals").textContent;
    if (!window.confirm(word("confirm", { what: what }))) return;
    attempt(what, async function () { await call(CEREMONY.close[0], base() + CEREMONY.close[1]); await refresh(); });
  });
  submit("beacon-form", function () {
    var signature = value("beacon-signature").toLowerCase(), previous = value("beacon-previous").toLowerCase();
    var body = { used: byId("beacon-used").value, value: value("beacon-value") };
    // a drand round's BLS signature, when the operator has it (§7.5); else no proof
    if (signature) body.proof = { signature: signature, previous_signature: previous || null };
    var what = word("enter_beacon") + " " + body.used + " " + body.value;
    if (!window.confirm(word("confirm", { what: what }))) return;
    attempt(word("enter_beacon"), async function () { await call(CEREMONY.beacon[0], base() + CEREMONY.beacon[1], body); await refresh(); });
  });
  submit("rehearsal-form", function () {
    attempt(word("rehearse"), async function () {
      var r = await call("POST", base() + "/rehearsals", { text: value("rehearsal-text") });
      var out = byId("rehearsal-result"); out.textContent = r.marking + " #" + r.seq + " " + r.digest + " ";
      var link = document.createElement("a");
      link.href = "/draws/" + encodeURIComponent(drawId()) + "/screen?rehearsal=" + r.seq;
      link.textContent = word("rehearse") + " #" + r.seq + " · " + word("screen"); out.appendChild(link);
    });
  });
  submit("action-form", function () {
    var reason = value("action-reason");
    if (!reason) { status(word("reason_required"), true); return; }
    var kind = byId("action-type");
    var what = kind.options[kind.selectedIndex].textContent + " " + value("action-application") + " (" + reason + ")";
    if (!window.confirm(word("confirm", { what: what }))) return;
    attempt(word("record_action"), async function () {
      // The reason is sent with the action: the service records it in the audit log.
      var a = await call("POST", base() + "/actions", { type: kind.value, application: value("action-application"), reason: reason });
      byId("action-result").textContent = a.type + " " + a.application + ": " + a.moves.map(function (m) { return m.join(" "); }).join("; ");
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-download]"), function (button) {
    button.addEventListener("click", function () {
      attempt(button.textContent, async function () {
        var name = button.getAttribute("data-download");
        var data = await call("GET", base() + "/" + name);
        var blob = data instanceof Blob ? data : new Blob([JSON.stringify(data, null, 1)], { type: "application/json" });
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = drawId() + "-" + name.replace("/", "-") + (name.indexOf(".") < 0 ? ".json" : "");
        document.body.appendChild(link); link.click(); link.remove();
      });
    });
  });
  byId("audit-button").addEventListener("click", function () {
    attempt(word("audit"), async function () {
      var events = await call("GET", base() + "/audit");
      byId("audit-log").textContent = events.map(function (e) { return e.seq + " " + e.at + " " + e.actor + " " + e.action; }).join("\n");
    });
  });
  showSignedIn();
  // The buttons are disabled in the page until this script has wired them.
  Array.prototype.forEach.call(document.querySelectorAll("main button"), function (b) { b.disabled = false; });
  if (store.getItem("token") && drawId()) { byId("open-id").value = drawId(); attempt(word("open"), refresh); }
})();

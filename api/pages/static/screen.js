// The big screen: polls screen.json every two seconds and updates the page without reloading.
// Results scroll school by school, in lottery-number order, a page of rows at a time.
"use strict";
(function () {
  var body = document.body;
  var words = JSON.parse(document.getElementById("screen-messages").textContent);
  var rehearsal = body.getAttribute("data-rehearsal");
  var url = "/draws/" + encodeURIComponent(body.getAttribute("data-draw")) + "/screen.json" + (rehearsal ? "?rehearsal=" + encodeURIComponent(rehearsal) : "");
  var POLL_MS = parseInt(body.getAttribute("data-poll"), 10) || 2000;
  var ROWS = 12, PAGE_MS = Math.max(2 * POLL_MS, 4000);
  var results = null, schoolIndex = 0, rowStart = 0;

  function byId(id) { return document.getElementById(id); }
  function setText(id, text) { var el = byId(id); if (el.textContent !== text) el.textContent = text; }
  function word(key, values) {
    var text = words[key] || key;
    Object.keys(values || {}).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
    return text;
  }
  function grouped(hex) { return hex ? hex.match(/.{1,8}/g).join(" ") : "—"; }
  function list(id, items) {
    var el = byId(id), html = items.map(function (i) { return i.text + "|" + i.className; }).join("\n");
    if (el.getAttribute("data-shown") === html) return;
    el.setAttribute("data-shown", html);
    el.textContent = "";
    items.forEach(function (i) {
      var li = document.createElement("li");
      li.textContent = i.text;
      if (i.className) li.className = i.className;
      el.appendChild(li);
    });
  }

  function show(state) {
    setText("screen-state", state.rehearsal
      ? words["screen.rehearsal"] + " #" + state.rehearsal.seq + " · " + state.rehearsal.text
      : word("state." + state.state));
    setText("screen-applicants", String(state.applicant_count));
    setText("screen-seats", String(state.seats));
    setText("screen-manifest", grouped(state.manifest_digest));
    setText("screen-fingerprint", grouped(state.fingerprint));
    // Once sealed, the sealing announcement's pin (§12.6), large, for families to write down
    byId("screen-sealing").classList.toggle("hidden", !state.pin);
    setText("screen-pin", state.pin || "");
    list("screen-schools", state.schools.map(function (s) { return { text: s.name + " · " + s.seats + " · " + s.tiers.join(" > "), className: "" }; }));
    list("screen-witnesses", state.witnesses.map(function (w) {
      var shown = w.secret ? words["screen.revealed"] + ": " + w.secret : (w.commitment || "—") + " (" + words["screen.waiting"] + ")";
      return { text: w.name + " — " + shown, className: w.secret ? "revealed" : "" };
    }));
    setText("screen-beacon", state.beacon ? state.beacon.value : "—");
    setText("screen-seed", state.seed || "—");
    if (state.results) {
      if (!results) { schoolIndex = 0; rowStart = 0; }
      results = state.results;
      setText("screen-results-note", rehearsal ? words["screen.rehearsal_note"] : "");
    } else {
      results = null;
      setText("screen-results-note", state.state === "drawn" ? words["screen.drawn_wait"] : words["screen.no_results"]);
      setText("screen-school-name", "");
      setText("screen-progress", "");
      byId("screen-results").tBodies[0].textContent = "";
    }
  }

  function page() {
    if (!results || results.length === 0) return;
    var school = results[schoolIndex % results.length];
    setText("screen-school-name", "· " + school.name);
    setText("screen-progress", word("screen.school_progress", { index: (schoolIndex % results.length) + 1, total: results.length }));
    var tbody = byId("screen-results").tBodies[0];
    tbody.textContent = "";
    school.admitted.slice(rowStart, rowStart + ROWS).forEach(function (r) {
      var tr = document.createElement("tr");
      var seat = r.label === "open" ? words["screen.seat_open"] : words["screen.seat_reserved"] + " " + r.label.replace("reserved:", "");
      [r.lottery_number, r.application, r.masked_name, seat].forEach(function (v) {
        var td = document.createElement("td");
        td.textContent = v;
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
    rowStart += ROWS;
    if (rowStart >= school.admitted.length) { rowStart = 0; schoolIndex += 1; }
  }

  async function poll() {
    try {
      var response = await fetch(url, { cache: "no-store" });
      if (response.ok) {
        var first = !results;
        show(await response.json());
        if (first && results) page();
      }
    } catch (e) { /* the hall's network hiccups: keep the last frame */ }
  }
  poll();
  setInterval(poll, POLL_MS);
  setInterval(page, PAGE_MS);
})();

// The check-in screen: every few seconds, the current code (QR and address) and the
// roster's marks, so the trainer sees people check in. Works without it: reload the page.
(function () {
  "use strict";
  var root = document.getElementById("checkin");
  if (!root) { return; }
  var stateUrl = root.getAttribute("data-state-url");
  var qr = document.getElementById("checkin-qr");
  var link = document.getElementById("checkin-url");
  var roster = document.getElementById("checkin-roster");
  var present = document.getElementById("checkin-present");
  var lastCode = null;
  function render(data) {
    if (data.code !== lastCode) {
      lastCode = data.code;
      qr.src = data.qr;
      link.href = data.url;
      link.textContent = data.url;
    }
    present.textContent = String(data.present);
    roster.textContent = "";
    data.rows.forEach(function (row) {
      var item = document.createElement("li");
      item.className = "list-group-item";
      item.setAttribute("data-person", row.id);
      item.setAttribute("data-status", row.status);
      item.appendChild(document.createTextNode(row.name + " – "));
      var mark = document.createElement("span");
      mark.className = "mark";
      mark.textContent = row.status_label + (row.marked_at ? " " + row.marked_at : "");
      item.appendChild(mark);
      roster.appendChild(item);
    });
  }
  function poll() {
    fetch(stateUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { render(data); } })
      .catch(function () { /* offline for a moment: the next poll tries again */ })
      .finally(function () { window.setTimeout(poll, 3000); });
  }
  poll();
})();

// Follows the exports being prepared and says when each file is ready (aria-live cell).
(function () {
  "use strict";
  var cells = Array.prototype.slice.call(document.querySelectorAll(".export-status"));
  function pending(cell) {
    var status = cell.getAttribute("data-status");
    return status === "pending" || status === "running";
  }
  function show(cell, data) {
    cell.setAttribute("data-status", data.status);
    cell.textContent = "";
    if (data.download_url) {
      var link = document.createElement("a");
      link.href = data.download_url;
      link.textContent = data.status_label;
      cell.appendChild(link);
    } else if (data.status === "failed") {
      var span = document.createElement("span");
      span.className = "error";
      span.textContent = data.status_label + ": " + data.error;
      cell.appendChild(span);
    } else {
      cell.appendChild(document.createTextNode(data.status_label + " "));
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = data.progress;
      bar.textContent = data.progress + " %";
      cell.appendChild(bar);
    }
  }
  function poll() {
    var waiting = cells.filter(pending);
    if (!waiting.length) { return; }
    waiting.forEach(function (cell) {
      fetch(cell.getAttribute("data-status-url"), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { if (data) { show(cell, data); } });
    });
    window.setTimeout(poll, 3000);
  }
  window.setTimeout(poll, 2000);
})();

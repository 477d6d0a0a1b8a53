// The print button of registers and summaries (no inline script: the CSP forbids it).
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) { window.print(); }
});

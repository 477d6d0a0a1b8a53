// Small progressive enhancements; every page works without them.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-copy]");
  if (!button) { return; }
  var source = document.getElementById(button.getAttribute("data-copy"));
  if (!source) { return; }
  var text = source.value || source.textContent;
  var done = function () { button.setAttribute("data-copied", "true"); var s = button.getAttribute("data-copied-label"); if (s) { button.textContent = s; } };
  if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(text).then(done, function () { source.select && source.select(); document.execCommand("copy"); done(); }); }
  else { if (source.select) { source.select(); } document.execCommand("copy"); done(); }
});

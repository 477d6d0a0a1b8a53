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
// Tables that scroll sideways on a phone: the keyboard must reach them too (WCAG 2.1.1), so
// each scroll wrapper becomes a focusable, named region - named by the table's caption, else
// by the heading before it, else by a generic label. Done here once for every page's
// wrappers (.table-wrap, .scroll, .table-scroll, .table-responsive).
(function () {
  // The page's catalogue (/jsi18n/, loaded before this file); the English text without it.
  function gettext(text) { return window.gettext ? window.gettext(text) : text; }
  function label(wrapper) {
    var caption = wrapper.querySelector("caption");
    if (caption && caption.textContent.trim()) { return caption.textContent.trim(); }
    var el = wrapper;
    while (el) {
      var prev = el.previousElementSibling;
      while (prev) {
        if (/^H[1-6]$/.test(prev.tagName)) { return prev.textContent.trim(); }
        var inner = prev.querySelectorAll ? prev.querySelectorAll("h1, h2, h3, h4, h5, h6") : [];
        if (inner.length) { return inner[inner.length - 1].textContent.trim(); }
        prev = prev.previousElementSibling;
      }
      el = el.parentElement;
      if (el && el.tagName === "MAIN") { break; }
    }
    return document.body.getAttribute("data-scroll-label") || gettext("Table");
  }
  function enhance() {
    var wrappers = document.querySelectorAll(".table-wrap, .scroll, .table-scroll, .table-responsive");
    Array.prototype.forEach.call(wrappers, function (wrapper) {
      if (!wrapper.hasAttribute("tabindex")) { wrapper.setAttribute("tabindex", "0"); }
      if (!wrapper.hasAttribute("role")) { wrapper.setAttribute("role", "region"); }
      if (!wrapper.hasAttribute("aria-label") && !wrapper.hasAttribute("aria-labelledby")) {
        wrapper.setAttribute("aria-label", label(wrapper));
      }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", enhance); } else { enhance(); }
})();

// Django's two-box select (filter_horizontal) puts aria-label on a plain <span> help icon,
// which ARIA does not allow without a role: give it role="img". Runs after Django's own
// script, which builds the boxes on "load".
(function () {
  function fixHelpIcons() {
    document.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach(function (span) {
      span.setAttribute("role", "img");
    });
  }
  window.addEventListener("load", function () { setTimeout(fixHelpIcons, 0); });
})();

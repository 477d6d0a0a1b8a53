// The "select all" box of the export page, wired here rather than by an inline handler
// (the Content Security Policy blocks those). onSelectToggleChange comes from
// django-import-export's export_selectable_fields.js, loaded with the form.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".select-toggle").forEach((toggle) => {
    toggle.addEventListener("change", (event) => window.onSelectToggleChange(event));
  });
});

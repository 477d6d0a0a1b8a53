// The draft's autosave: every change is sent (debounced) to the form's save endpoint; what
// has not reached the server yet is kept in localStorage, so that text typed when the
// session expired is restored and sent again after the applicant logs back in.
(function () {
  "use strict";
  var form = document.getElementById("draft-form");
  if (!form || !window.fetch) { return; }
  var key = "draft-" + form.getAttribute("data-draft");
  var url = form.getAttribute("data-autosave");
  var status = form.querySelector("[data-autosave-status]");
  var expired = form.querySelector("[data-autosave-expired]");
  var timer = null;
  var inFlight = null;  // the autosave being sent, if any
  // The page's catalogue (/jsi18n/, loaded by base.html); the English text without it.
  function gettext(text) { return window.gettext ? window.gettext(text) : text; }

  function values() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.name === "csrfmiddlewaretoken") { return; }
      if (el.type === "checkbox") { data[el.name] = data[el.name] || []; if (el.checked) { data[el.name].push(el.value); } return; }
      if (el.type === "radio") { if (el.checked) { data[el.name] = el.value; } return; }
      data[el.name] = el.value;
    });
    return data;
  }

  function restore(data) {
    Object.keys(data).forEach(function (name) {
      var value = data[name];
      Array.prototype.forEach.call(form.querySelectorAll("[name='" + name + "']"), function (el) {
        if (el.type === "checkbox") { el.checked = Array.isArray(value) && value.indexOf(el.value) >= 0; }
        else if (el.type === "radio") { el.checked = el.value === value; }
        else if (el.type !== "hidden") { el.value = value; }
      });
    });
  }

  function body(data) {
    var fd = new FormData();
    fd.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    Object.keys(data).forEach(function (name) {
      var value = data[name];
      if (Array.isArray(value)) { fd.append(name + "-present", "1"); value.forEach(function (v) { fd.append(name, v); }); }
      else { fd.append(name, value); }
    });
    return fd;
  }

  function show(text) { if (status) { status.textContent = text; } }

  function save() {
    var data = values();
    try { localStorage.setItem(key, JSON.stringify(data)); } catch (e) { /* private mode: the save still runs */ }
    show(form.getAttribute("data-saving") || gettext("Saving…"));
    form.setAttribute("data-autosave-busy", "true");
    inFlight = fetch(url, { method: "POST", body: body(data), credentials: "same-origin", headers: { "Accept": "application/json" }, redirect: "manual" })
      .then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 403 || response.status === 401) {
          if (expired) { expired.classList.remove("d-none"); }
          return;
        }
        return response.json().then(function (answer) {
          if (answer.saved) {
            try { localStorage.removeItem(key); } catch (e) { /* nothing kept */ }
            if (expired) { expired.classList.add("d-none"); }
            show((status.getAttribute("data-saved-label") || gettext("Saved at")) + " " + answer.at);
          }
          form.setAttribute("data-saved", answer.saved ? "true" : "false");
        });
      })
      .catch(function () { show(gettext("Not saved: check the connection. Your text is kept on this device.")); })
      .then(function () { inFlight = null; form.removeAttribute("data-autosave-busy"); });
    return inFlight;
  }

  // The save button sends the whole form: it waits for an autosave still on its way, so the
  // two never race and the last word is the button's.
  form.addEventListener("submit", function (event) {
    clearTimeout(timer);
    if (!inFlight) { return; }
    event.preventDefault();
    var submitter = event.submitter;
    inFlight.then(function () { form.requestSubmit(submitter || undefined); });
  });

  form.addEventListener("input", function (event) {
    if (event.target.type === "file") { return; }
    clearTimeout(timer);
    timer = setTimeout(save, 800);
  });
  form.addEventListener("change", function (event) {
    if (event.target.type === "checkbox" || event.target.type === "radio" || event.target.type === "date") { clearTimeout(timer); save(); }
  });

  var kept = null;
  try { kept = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { kept = null; }
  if (kept) { restore(kept); save(); }
})();

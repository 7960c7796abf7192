// Staff UI glue: htmx sends the CSRF token from <body hx-headers>; keep Bootstrap widgets
// alive after htmx swaps.
document.addEventListener("htmx:afterSwap", function (event) {
  event.target.querySelectorAll('[data-bs-toggle="tooltip"]').forEach(function (el) {
    bootstrap.Tooltip.getOrCreateInstance(el);
  });
});

// Copy buttons: <button data-copy="#input" data-copied="#note"> copies the input's value and
// shows the note ("Copied") for a few seconds. The Clipboard API needs a secure context;
// elsewhere (plain http on a LAN) the input is selected and copied the old way.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) return;
  var source = document.querySelector(button.getAttribute("data-copy"));
  var note = document.querySelector(button.getAttribute("data-copied"));
  if (!source) return;
  function done() {
    if (!note) return;
    note.hidden = false;
    clearTimeout(note._zapysTimer);
    note._zapysTimer = setTimeout(function () { note.hidden = true; }, 4000);
  }
  function fallback() {
    source.select();
    try { if (document.execCommand("copy")) done(); } catch (e) { /* nothing to copy with */ }
  }
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(source.value).then(done, fallback);
  } else {
    fallback();
  }
});

// A checkbox that makes other choices moot: <input type="checkbox" data-disables="[name=x]">
// greys out (disables) the inputs the selector finds while it is ticked ("Covers every
// service" beside the services to choose from).
function zapysApplyDisables(box) {
  document.querySelectorAll(box.getAttribute("data-disables")).forEach(function (input) {
    input.disabled = box.checked;
  });
}
document.addEventListener("change", function (event) {
  if (event.target.matches && event.target.matches("[data-disables]")) {
    zapysApplyDisables(event.target);
  }
});
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-disables]").forEach(zapysApplyDisables);
});
document.addEventListener("htmx:afterSwap", function (event) {
  event.target.querySelectorAll("[data-disables]").forEach(zapysApplyDisables);
});

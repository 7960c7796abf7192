// Staff UI glue: htmx sends the CSRF token from <body hx-headers>; keep Bootstrap widgets
// alive after htmx swaps.
document.addEventListener("htmx:afterSwap", function (event) {
  event.target.querySelectorAll('[data-bs-toggle="tooltip"]').forEach(function (el) {
    bootstrap.Tooltip.getOrCreateInstance(el);
  });
});

// Calendar modal: htmx loads the quick-create form or a visit card into #modal-content;
// show the modal when content arrives, hide it when the server says the calendar changed.
(function () {
  var modalEl = document.getElementById("visitModal");
  if (!modalEl) return;
  var modal = bootstrap.Modal.getOrCreateInstance(modalEl);
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "modal-content") modal.show();
  });
  document.body.addEventListener("calendarChanged", function (event) {
    if (event.detail && event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("#modal-content [data-testid=visit-card]")) return;
    if (!document.querySelector("#modal-content [data-testid=visit-card]")) modal.hide();
  });
})();

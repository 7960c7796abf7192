// The new-visit dialog's client picker. htmx fills #client-results as the user types
// (schedule:client_search); this script only moves the choice into the hidden `client`
// input, and opens the "new client" fields. Delegated, so it works in a dialog loaded later.
(function () {
  function parts(el) {
    var root = el.closest("form") || document;
    return {
      picker: root.querySelector("[data-client-picker]"),
      value: root.querySelector("[data-picker-value]"),
      chosen: root.querySelector("[data-picker-chosen]"),
      label: root.querySelector("[data-picker-label]"),
      detail: root.querySelector("[data-picker-detail]"),
      search: root.querySelector("[data-picker-search]"),
      input: root.querySelector("#client-search"),
      results: root.querySelector("#client-results"),
      newLink: root.querySelector("[data-client-picker] > [data-picker-new]"),
      newFields: root.querySelector("[data-picker-new-fields]"),
    };
  }

  function closeResults(p) {
    if (p.results) p.results.innerHTML = "";
    if (p.input) p.input.setAttribute("aria-expanded", "false");
  }

  function setNewFields(p, open, name, phone) {
    if (!p.newFields) return;
    p.newFields.classList.toggle("d-none", !open);
    if (p.newLink) p.newLink.classList.toggle("d-none", open);
    if (open) {
      // a new client instead of a search: the search (and its text) steps aside
      p.search.classList.add("d-none");
      if (p.input) p.input.value = "";
    }
    var nameInput = p.newFields.querySelector("[name=new_client_name]");
    var phoneInput = p.newFields.querySelector("[name=new_client_phone]");
    if (!open) {
      if (nameInput) nameInput.value = "";
      if (phoneInput) phoneInput.value = "";
      return;
    }
    if (nameInput && name) nameInput.value = name;
    if (phoneInput && phone) phoneInput.value = phone;
    var first = nameInput && !nameInput.value ? nameInput : phoneInput && !phoneInput.value ? phoneInput : nameInput;
    if (first) first.focus();
  }

  function choose(p, id, label, detail) {
    p.value.value = id;
    p.label.textContent = label;
    if (p.detail) p.detail.textContent = detail || "";
    p.chosen.classList.remove("d-none");
    p.search.classList.add("d-none");
    if (p.input) {
      p.input.value = "";
      p.input.classList.remove("is-invalid");
    }
    closeResults(p);
    var error = p.picker.querySelector(".invalid-feedback");
    if (error) error.remove();
    setNewFields(p, false);
  }

  function clear(p) {
    p.value.value = "";
    p.label.textContent = "";
    if (p.detail) p.detail.textContent = "";
    p.chosen.classList.add("d-none");
    p.search.classList.remove("d-none");
    if (p.input) p.input.focus();
  }

  document.addEventListener("click", function (event) {
    var option = event.target.closest("[data-pick-client]");
    if (option) {
      event.preventDefault();
      choose(
        parts(option),
        option.getAttribute("data-pick-client"),
        option.getAttribute("data-label"),
        option.getAttribute("data-detail")
      );
      return;
    }
    var change = event.target.closest("[data-picker-clear]");
    if (change) {
      event.preventDefault();
      clear(parts(change));
      return;
    }
    var back = event.target.closest("[data-picker-cancel-new]");
    if (back) {
      event.preventDefault();
      var q = parts(back);
      setNewFields(q, false);
      q.search.classList.remove("d-none");
      if (q.input) q.input.focus();
      return;
    }
    var add = event.target.closest("[data-picker-new]");
    if (add) {
      event.preventDefault();
      var p = parts(add);
      if (p.value.value) clear(p);
      closeResults(p);
      setNewFields(p, true, add.getAttribute("data-name"), add.getAttribute("data-phone"));
    }
  });

  // Keyboard: Enter in the search picks the first match (never submits the visit form);
  // arrows move through the matches; Escape closes them.
  document.addEventListener("keydown", function (event) {
    var input = event.target.closest && event.target.closest("#client-search");
    var option = event.target.closest && event.target.closest("#client-results .list-group-item-action");
    if (!input && !option) return;
    var p = parts(event.target);
    var items = p.results ? Array.prototype.slice.call(p.results.querySelectorAll(".list-group-item-action")) : [];
    if (event.key === "Enter" && input) {
      event.preventDefault();
      if (items.length) items[0].click();
    } else if (event.key === "ArrowDown" && items.length) {
      event.preventDefault();
      var next = option ? items[items.indexOf(option) + 1] : items[0];
      if (next) next.focus();
    } else if (event.key === "ArrowUp" && option) {
      event.preventDefault();
      var prev = items[items.indexOf(option) - 1];
      (prev || p.input).focus();
    } else if (event.key === "Escape" && items.length) {
      event.preventDefault();
      event.stopPropagation(); // close the list, not the dialog
      closeResults(p);
      if (p.input) p.input.focus();
    }
  }, true);

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "client-results") {
      var p = parts(event.detail.target);
      if (p.input) p.input.setAttribute("aria-expanded", event.detail.target.children.length ? "true" : "false");
    }
  });
})();

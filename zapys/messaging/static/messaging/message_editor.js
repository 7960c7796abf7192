// Message texts with their variables as chips: a progressive enhancement of the insert
// buttons (`messaging/_variable_chips.html`).
//
// The form field stays the textarea (or, for an e-mail subject, the input) holding the key
// text, "{client.first_name}, see you": the server, validation, storage and the API read it
// as before. With JavaScript the field is hidden and an editable box shows the same text with
// every placeholder the buttons know as an atomic chip named in the page's language («Ім'я
// клієнта»). Every change is written back into the field, which gets the "input" event the
// user's typing gave it (htmx previews listen to it) and "change" when the box loses focus.
//
// Everything is done on the key text, not on the DOM: a point in the box is an offset in the
// key text (a chip counts as its whole "{name}"), an edit is a splice of that text, and the
// box is drawn again from it. Plain typing and deleting are left to the browser; what it
// leaves behind is read back and, if it is not what the text would be drawn as (a key typed
// by hand that is now complete, a line break the browser added), drawn again with the caret
// where it was.
//
// A placeholder the buttons do not offer stays text as typed, so the server's "Unknown
// variables: {x}" reads against what is on the screen. Without JavaScript nothing changes.
(function () {
  "use strict";
  if (window.zapysMessageEditor) {
    // The partial is included once per text: a second copy of this file only binds what a
    // swap brought (the first copy binds the page once it is parsed).
    if (document.readyState !== "loading") window.zapysMessageEditor.bindAll(document);
    return;
  }

  // The server's syntax (`messaging.rendering.PLACEHOLDER_RE`): {name.path} and {{ name }}.
  var PATH = "[A-Za-z][A-Za-z0-9_]*(?:\\.[A-Za-z][A-Za-z0-9_]*)*";
  function placeholders() {
    return new RegExp("\\{\\{\\s*(" + PATH + ")\\s*\\}\\}|\\{(" + PATH + ")\\}", "g");
  }
  var BLOCK = /^(DIV|P|LI|H[1-6])$/;

  function isChip(node) {
    return node && node.nodeType === 1 && node.hasAttribute("data-key");
  }

  // A <br> that ends its block adds no line: it is the browser's placeholder in an empty
  // box, or ours after a final newline (which would not show a line of its own).
  function isTrailingBreak(node) {
    var next = node.nextSibling;
    while (next && next.nodeType === 3 && !next.nodeValue) next = next.nextSibling;
    return !next;
  }

  // The key text of a box, or of a piece of it (a fragment of what is before the caret).
  function keyText(root) {
    var out = "";
    (function walk(node) {
      for (var child = node.firstChild; child; child = child.nextSibling) {
        if (child.nodeType === 3) {
          out += child.nodeValue;
        } else if (child.nodeType !== 1) {
          continue;
        } else if (isChip(child)) {
          out += child.getAttribute("data-source");
        } else if (child.tagName === "BR") {
          if (!isTrailingBreak(child)) out += "\n";
        } else {
          if (BLOCK.test(child.tagName) && out && out.slice(-1) !== "\n") out += "\n";
          walk(child);
        }
      }
    })(root);
    return out;
  }

  function Editor(field, labels) {
    this.field = field;
    this.labels = labels;
    this.multiline = field.tagName === "TEXTAREA";
    this.saved = null; // the selection as key-text offsets, kept while the focus is away
    this.undo = [];
    this.redo = [];
    this.lastKind = "";
    this.valueOnFocus = field.value;
    this.box = this.build();
    this.draw(field.value);
    this.listen();
  }

  Editor.prototype.build = function () {
    var field = this.field;
    var box = document.createElement("div");
    box.className = "form-control zapys-message-editor" + (this.multiline ? "" : " is-single-line");
    if (field.classList.contains("is-invalid")) {
      box.classList.add("is-invalid");
      box.setAttribute("aria-invalid", "true");
    }
    if (field.classList.contains("form-control-sm")) box.classList.add("form-control-sm");
    box.contentEditable = "true";
    box.spellcheck = true;
    box.setAttribute("role", "textbox");
    box.setAttribute("aria-multiline", this.multiline ? "true" : "false");
    box.setAttribute("data-editor-for", field.id);
    box.setAttribute(
      "data-testid",
      (field.getAttribute("data-testid") || "message-text") + "-editor"
    );
    if (this.multiline) box.style.minHeight = (field.rows || 4) * 1.5 + 0.75 + "em";
    var label = document.querySelector('label[for="' + field.id + '"]');
    if (label) {
      if (!label.id) label.id = field.id + "-label";
      box.setAttribute("aria-labelledby", label.id);
      // The label points at the hidden field: a click on it goes to the box instead.
      label.addEventListener("click", function (event) {
        event.preventDefault();
        box.focus();
      });
    } else if (field.getAttribute("aria-label")) {
      box.setAttribute("aria-label", field.getAttribute("aria-label"));
    }
    if (field.getAttribute("aria-describedby")) {
      box.setAttribute("aria-describedby", field.getAttribute("aria-describedby"));
    }
    if (field.required) {
      // A hidden field cannot take the browser's "fill this in": the server says it.
      field.required = false;
      box.setAttribute("aria-required", "true");
    }
    field.classList.add("zapys-message-source");
    field.hidden = true;
    field.setAttribute("aria-hidden", "true");
    field.tabIndex = -1;
    field.parentNode.insertBefore(box, field.nextSibling);
    return box;
  };

  Editor.prototype.chip = function (key, source) {
    var chip = document.createElement("span");
    chip.className = "zapys-chip";
    chip.contentEditable = "false";
    chip.setAttribute("data-key", key);
    chip.setAttribute("data-source", source);
    chip.setAttribute("data-testid", "chip");
    chip.textContent = this.labels[key];
    return chip;
  };

  // Draws `text` into `target` (the box, or a detached copy to compare with): text runs and
  // chips, with a (maybe empty) text node on each side of every chip for the caret.
  Editor.prototype.drawInto = function (target, text) {
    while (target.firstChild) target.removeChild(target.firstChild);
    var re = placeholders(), last = 0, match;
    while ((match = re.exec(text))) {
      var key = match[1] || match[2];
      if (!Object.prototype.hasOwnProperty.call(this.labels, key)) continue;
      target.appendChild(document.createTextNode(text.slice(last, match.index)));
      target.appendChild(this.chip(key, match[0]));
      last = re.lastIndex;
    }
    target.appendChild(document.createTextNode(text.slice(last)));
    if (text.slice(-1) === "\n") target.appendChild(document.createElement("br"));
  };

  Editor.prototype.draw = function (text) {
    this.drawInto(this.box, text);
  };

  Editor.prototype.text = function () {
    return keyText(this.box);
  };

  // --- points: DOM positions <-> key-text offsets -------------------------------------

  Editor.prototype.offsetOf = function (node, offset, after) {
    var range = document.createRange();
    range.selectNodeContents(this.box);
    var chip = node.nodeType === 1 ? node.closest("[data-key]") : node.parentNode.closest("[data-key]");
    if (chip && this.box.contains(chip)) {
      // A point inside a chip is before it (a selection's start) or after it (its end).
      if (after) range.setEndAfter(chip);
      else range.setEndBefore(chip);
    } else {
      range.setEnd(node, offset);
    }
    var holder = document.createElement("div");
    holder.appendChild(range.cloneContents());
    return keyText(holder).length;
  };

  // The selection as {start, end} key-text offsets, or null when it is not in the box.
  Editor.prototype.selection = function () {
    var selection = window.getSelection();
    if (!selection.rangeCount) return null;
    var range = selection.getRangeAt(0);
    if (!this.box.contains(range.startContainer) || !this.box.contains(range.endContainer)) {
      return null;
    }
    return {
      start: this.offsetOf(range.startContainer, range.startOffset, false),
      end: this.offsetOf(range.endContainer, range.endOffset, true),
    };
  };

  Editor.prototype.pointAt = function (offset) {
    var seen = 0;
    for (var node = this.box.firstChild; node; node = node.nextSibling) {
      var length;
      if (node.nodeType === 3) {
        length = node.nodeValue.length;
        if (offset <= seen + length) return {node: node, offset: offset - seen};
      } else if (isChip(node)) {
        length = node.getAttribute("data-source").length;
        if (offset < seen + length) {
          // Inside a chip: after it (the text there was typed right up to the chip's end).
          var index = Array.prototype.indexOf.call(this.box.childNodes, node);
          return {node: this.box, offset: index + 1};
        }
      } else {
        length = node.tagName === "BR" && !isTrailingBreak(node) ? 1 : 0;
      }
      seen += length;
    }
    var end = this.box.lastChild;
    if (end && end.nodeType === 3) return {node: end, offset: end.nodeValue.length};
    return {node: this.box, offset: this.box.childNodes.length};
  };

  Editor.prototype.select = function (start, end) {
    var from = this.pointAt(start), to = end === start ? from : this.pointAt(end);
    var range = document.createRange();
    range.setStart(from.node, from.offset);
    range.setEnd(to.node, to.offset);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  };

  // --- changes --------------------------------------------------------------------------

  // Keep the text before a change to go back to; typing letter by letter is one step.
  Editor.prototype.remember = function (kind, text, where) {
    if (kind === "typing" && this.lastKind === "typing") return;
    this.lastKind = kind;
    this.undo.push({text: text, where: where || {start: text.length, end: text.length}});
    if (this.undo.length > 100) this.undo.shift();
    this.redo = [];
  };

  // Writes the text into the field and tells whoever listens to the field (htmx, the page).
  Editor.prototype.write = function (text) {
    if (this.field.value === text) return;
    this.field.value = text;
    this.field.dispatchEvent(new Event("input", {bubbles: true}));
  };

  // Replaces the selection (or the saved one, or the end) with `insert`, draws the result
  // and puts the caret after it.
  Editor.prototype.replace = function (insert, kind) {
    var text = this.text();
    var where = this.selection() || this.saved || {start: text.length, end: text.length};
    var start = Math.min(where.start, where.end), end = Math.max(where.start, where.end);
    this.remember(kind || "insert", text, where);
    var next = text.slice(0, start) + insert + text.slice(end);
    this.draw(next);
    this.box.focus();
    this.select(start + insert.length, start + insert.length);
    this.saved = null;
    this.write(next);
  };

  // One step back (`back`) or forward in the history of this box's text.
  Editor.prototype.history = function (back) {
    var from = back ? this.undo : this.redo, to = back ? this.redo : this.undo;
    if (!from.length) return;
    var state = from.pop();
    to.push({text: this.text(), where: this.selection() || state.where});
    this.draw(state.text);
    this.select(state.where.start, state.where.end);
    this.lastKind = "";
    this.write(state.text);
  };

  // After the browser's own edit (typing, deleting): read the box back; draw it again if
  // it is not drawn as its text would be, keeping the caret.
  Editor.prototype.settle = function () {
    var text = this.text();
    var copy = document.createElement("div");
    this.drawInto(copy, text);
    if (copy.innerHTML !== this.box.innerHTML) {
      var where = this.selection();
      this.draw(text);
      if (where) this.select(where.start, where.end);
    }
    this.write(text);
  };

  // The chip beside a collapsed caret (before it with `backward`), if there is one.
  Editor.prototype.chipBeside = function (backward) {
    var selection = window.getSelection();
    if (!selection.rangeCount || !selection.isCollapsed) return null;
    var range = selection.getRangeAt(0);
    var node = range.startContainer, offset = range.startOffset, next;
    if (!this.box.contains(node)) return null;
    if (node.nodeType === 3) {
      if (backward ? offset > 0 : offset < node.nodeValue.length) return null;
      next = backward ? node.previousSibling : node.nextSibling;
    } else {
      next = backward ? node.childNodes[offset - 1] : node.childNodes[offset];
    }
    while (next && next.nodeType === 3 && !next.nodeValue) {
      next = backward ? next.previousSibling : next.nextSibling;
    }
    return isChip(next) ? next : null;
  };

  Editor.prototype.removeChip = function (chip) {
    var text = this.text();
    var start = this.offsetOf(chip, 0, false);
    var end = start + chip.getAttribute("data-source").length;
    this.remember("delete", text, this.selection());
    var next = text.slice(0, start) + text.slice(end);
    this.draw(next);
    this.select(start, start);
    this.write(next);
  };

  Editor.prototype.listen = function () {
    var editor = this, box = this.box, composing = false;

    box.addEventListener("beforeinput", function (event) {
      var type = event.inputType || "";
      if (type === "insertParagraph" || type === "insertLineBreak") {
        event.preventDefault();
        if (editor.multiline) editor.replace("\n", "newline");
      } else if (type === "historyUndo" || type === "historyRedo") {
        event.preventDefault();
        editor.history(type === "historyUndo");
      } else if (type.indexOf("format") === 0 || type === "insertFromDrop") {
        event.preventDefault(); // no bold or dropped markup: the message is plain text
      } else if (type === "insertText" || type === "insertReplacementText") {
        editor.remember("typing", editor.text(), editor.selection());
      } else if (type.indexOf("delete") === 0) {
        editor.remember("delete", editor.text(), editor.selection());
      }
    });

    box.addEventListener("keydown", function (event) {
      if (event.isComposing) return;
      // Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y: our own history (the browser's does not know the
      // edits made here, and may not even offer them).
      var key = (event.key || "").toLowerCase();
      if ((event.ctrlKey || event.metaKey) && !event.altKey && (key === "z" || key === "y")) {
        event.preventDefault();
        editor.history(key === "z" && !event.shiftKey);
        return;
      }
      if (event.key === "Backspace" || event.key === "Delete") {
        var selection = window.getSelection();
        if (selection.rangeCount && !selection.isCollapsed && editor.selection()) {
          // A selection goes as its key text says, chips and all.
          event.preventDefault();
          editor.replace("", "delete");
          return;
        }
        var chip = editor.chipBeside(event.key === "Backspace");
        if (chip) {
          event.preventDefault();
          editor.removeChip(chip);
        }
      } else if (event.key === "Enter" && !editor.multiline) {
        event.preventDefault();
      }
    });

    // A click on a chip puts the caret beside it (the nearer side), never inside it.
    box.addEventListener("mousedown", function (event) {
      var chip = event.target.closest && event.target.closest("[data-key]");
      if (!chip || !box.contains(chip) || event.button !== 0) return;
      event.preventDefault();
      var bounds = chip.getBoundingClientRect();
      var start = editor.offsetOf(chip, 0, false);
      var at = event.clientX < bounds.left + bounds.width / 2
        ? start
        : start + chip.getAttribute("data-source").length;
      box.focus();
      editor.select(at, at);
    });

    box.addEventListener("compositionstart", function () { composing = true; });
    box.addEventListener("compositionend", function () {
      composing = false;
      editor.settle();
    });
    box.addEventListener("input", function () {
      if (!composing) editor.settle();
    });

    // Text is not dragged around nor dropped in (a move would first delete what it drags).
    box.addEventListener("dragstart", function (event) { event.preventDefault(); });
    box.addEventListener("drop", function (event) { event.preventDefault(); });

    box.addEventListener("paste", function (event) {
      event.preventDefault();
      var data = (event.clipboardData || window.clipboardData).getData("text/plain") || "";
      data = data.replace(/\r\n?/g, "\n");
      if (!editor.multiline) data = data.replace(/\n+/g, " ");
      editor.replace(data, "paste");
    });

    // Copying gives the key text: pasted back (here or into another text) the chips return.
    function copy(event, cut) {
      var where = editor.selection();
      if (!where || where.start === where.end || !event.clipboardData) return;
      event.preventDefault();
      event.clipboardData.setData("text/plain", editor.text().slice(where.start, where.end));
      if (cut) editor.replace("", "cut");
    }
    box.addEventListener("copy", function (event) { copy(event, false); });
    box.addEventListener("cut", function (event) { copy(event, true); });

    box.addEventListener("focus", function () {
      editor.valueOnFocus = editor.field.value;
      if (editor.saved) {
        editor.select(editor.saved.start, editor.saved.end);
        editor.saved = null;
      }
    });
    box.addEventListener("blur", function () {
      editor.saved = editor.selection();
      editor.lastKind = "";
      if (editor.field.value !== editor.valueOnFocus) {
        editor.valueOnFocus = editor.field.value;
        editor.field.dispatchEvent(new Event("change", {bubbles: true}));
      }
    });
  };

  // --- the insert buttons ---------------------------------------------------------------

  function labelsOf(panel) {
    var data = panel.querySelector('script[type="application/json"]');
    var labels = {};
    if (!data) return labels;
    JSON.parse(data.textContent).forEach(function (pair) { labels[pair[0]] = pair[1]; });
    return labels;
  }

  var editors = {}; // field id -> Editor

  function enhance(field, labels) {
    if (editors[field.id]) return editors[field.id];
    if (field.tagName !== "TEXTAREA" && !(field.tagName === "INPUT" && field.type === "text")) {
      return null;
    }
    editors[field.id] = new Editor(field, labels);
    return editors[field.id];
  }

  function bindPanel(panel) {
    if (panel.getAttribute("data-bound")) return;
    panel.setAttribute("data-bound", "1");
    var labels = labelsOf(panel);
    var fields = panel.getAttribute("data-variable-fields").split(" ")
      .map(function (id) { return id && document.getElementById(id); })
      .filter(function (field) { return field; });
    if (!fields.length) return;
    var targets = fields.map(function (field) { return enhance(field, labels) || field; });
    panel.classList.add("zapys-chips-on");
    var last = targets[0];
    targets.forEach(function (target) {
      (target.box || target).addEventListener("focus", function () { last = target; });
    });
    panel.querySelectorAll(".js-insert-variable").forEach(function (button) {
      // The caret stays in the text while the button is pressed with a mouse.
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", function () {
        var token = "{" + button.getAttribute("data-variable") + "}";
        if (last.box) {
          last.replace(token, "insert");
          return;
        }
        // A field without the chip editor: "{name}" at its cursor, as before.
        var field = last, start = field.selectionStart, end = field.selectionEnd;
        field.value = field.value.slice(0, start) + token + field.value.slice(end);
        field.focus();
        field.selectionStart = field.selectionEnd = start + token.length;
        field.dispatchEvent(new Event("input", {bubbles: true}));
      });
    });
  }

  // A text only to read (the default text beside the editor): its known placeholders as
  // chips of the editor named by `data-chip-text`.
  function showChips(element) {
    if (element.getAttribute("data-chips-shown")) return;
    var editor = editors[element.getAttribute("data-chip-text")];
    if (!editor) return;
    element.setAttribute("data-chips-shown", "1");
    var walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    nodes.forEach(function (node) {
      var piece = document.createElement("span");
      editor.drawInto(piece, node.nodeValue);
      piece.querySelectorAll("[data-key]").forEach(function (chip) {
        chip.removeAttribute("contenteditable");
      });
      var parent = node.parentNode;
      while (piece.firstChild) parent.insertBefore(piece.firstChild, node);
      parent.removeChild(node);
    });
  }

  function bindAll(root) {
    root.querySelectorAll("[data-variable-fields]").forEach(bindPanel);
    root.querySelectorAll("[data-chip-text]").forEach(showChips);
  }

  window.zapysMessageEditor = {bindAll: bindAll, editors: editors, keyText: keyText};

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { bindAll(document); });
  } else {
    bindAll(document);
  }
  document.addEventListener("htmx:load", function (event) { bindAll(event.detail.elt); });
})();

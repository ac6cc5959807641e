/* The survey builder's question form (admin): shows the parts of the chosen question kind
 * and lets staff reorder option, matrix and question rows by drag and drop or keyboard.
 *
 * Without this script everything still works: every part is shown (the server ignores the
 * fields a kind does not use) and rows are ordered by their position fields.
 * No inline code, no other host (CSP). */
(function () {
  "use strict";

  // --- Parts of the chosen kind ------------------------------------------------------------

  var PART_GROUPS = { options: ["options-group"], items: ["items-group"] };

  function partsFor(select) {
    var parts = {};
    Array.prototype.forEach.call(select.attributes, function (attr) {
      if (attr.name.indexOf("data-kind-") === 0) {
        var part = attr.name.slice("data-kind-".length);
        parts[part] = attr.value.split(" ").indexOf(select.value) !== -1 || !select.value;
      }
    });
    return parts;
  }

  function showKindParts(select) {
    var parts = partsFor(select);
    Object.keys(parts).forEach(function (part) {
      document.querySelectorAll(".kind-part-" + part).forEach(function (el) {
        el.hidden = !parts[part];
      });
      (PART_GROUPS[part] || []).forEach(function (id) {
        var el = document.getElementById(id);
        if (el) {
          el.hidden = !parts[part];
        }
      });
    });
  }

  // --- Condition options of the chosen question -------------------------------------------

  function showConditionOptions(select) {
    // Option labels start with the question's code ("F1 · nie"), question labels with
    // "F1: …"; without a question every option is listed (the server checks the pair).
    var chosen = select.selectedIndex > 0 ? select.options[select.selectedIndex].text : "";
    var code = chosen.split(":")[0];
    document.querySelectorAll("#id_condition_options input[type=checkbox]").forEach(
      function (box) {
        var holder = box.closest("div") || box.parentNode;
        var label = box.parentNode.textContent.trim();
        holder.hidden = Boolean(code) && label.indexOf(code + " · ") !== 0 && !box.checked;
      }
    );
  }

  // --- Sortable rows -------------------------------------------------------------------------

  var live;

  function announce(text) {
    if (!live) {
      live = document.createElement("p");
      live.className = "sortable-live visually-hidden";
      live.setAttribute("aria-live", "polite");
      document.body.appendChild(live);
    }
    live.textContent = text;
  }

  function rowsOf(tbody) {
    return Array.prototype.filter.call(tbody.children, function (row) {
      return row.classList.contains("form-row") && !row.classList.contains("empty-form");
    });
  }

  function rowInUse(row) {
    // A saved row, or one staff typed into (a label, a text): only those get a position,
    // untouched empty rows stay unchanged so the server skips them.
    if (row.classList.contains("has_original")) {
      return true;
    }
    return Array.prototype.some.call(
      row.querySelectorAll("input[type=text], textarea"),
      function (input) { return input.value.trim() !== ""; }
    );
  }

  function renumber(tbody) {
    var number = 1;
    rowsOf(tbody).forEach(function (row) {
      var input = row.querySelector("input.sortable-position");
      if (input && rowInUse(row)) {
        input.value = String(number);
        number += 1;
      }
    });
  }

  function rowName(row) {
    var text = row.querySelector(
      "td.field-label input, td.field-text input, td.field-title input"
    );
    return (text && text.value.trim()) || "Zeile";
  }

  function move(row, step) {
    var tbody = row.parentNode;
    var rows = rowsOf(tbody);
    var index = rows.indexOf(row);
    var target = rows[index + step];
    if (!target) {
      return;
    }
    if (step < 0) {
      tbody.insertBefore(row, target);
    } else {
      tbody.insertBefore(row, target.nextSibling);
    }
    renumber(tbody);
    var position = rowsOf(tbody).indexOf(row) + 1;
    announce("„" + rowName(row) + "“ steht jetzt an Stelle " + position + " von " + rows.length + ".");
  }

  function button(label, text, className) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "sortable-button " + className;
    b.setAttribute("aria-label", label);
    b.title = label;
    b.textContent = text;
    return b;
  }

  function enhanceRow(row) {
    var input = row.querySelector("input.sortable-position");
    if (!input || row.dataset.sortable) {
      return;
    }
    row.dataset.sortable = "1";
    input.hidden = true;  // still submitted; the buttons and dragging set it
    var cell = input.closest("td");
    var handle = button(
      "Zeile verschieben: ziehen oder mit Pfeil hoch/runter", "⠿", "sortable-handle"
    );
    var up = button("Zeile nach oben", "↑", "sortable-up");
    var down = button("Zeile nach unten", "↓", "sortable-down");
    cell.appendChild(handle);
    cell.appendChild(up);
    cell.appendChild(down);
    up.addEventListener("click", function () { move(row, -1); up.focus(); });
    down.addEventListener("click", function () { move(row, 1); down.focus(); });
    handle.addEventListener("keydown", function (event) {
      if (event.key === "ArrowUp" || event.key === "ArrowDown") {
        event.preventDefault();
        move(row, event.key === "ArrowUp" ? -1 : 1);
        handle.focus();
      }
    });
    handle.addEventListener("mousedown", function () { row.draggable = true; });
    row.addEventListener("dragstart", function (event) {
      row.classList.add("sortable-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", "");
    });
    row.addEventListener("dragend", function () {
      row.draggable = false;
      row.classList.remove("sortable-dragging");
      renumber(row.parentNode);
    });
  }

  function enhanceTable(tbody) {
    if (tbody.dataset.sortableBody) {
      return;
    }
    tbody.dataset.sortableBody = "1";
    tbody.addEventListener("dragover", function (event) {
      var dragging = tbody.querySelector(".sortable-dragging");
      var over = event.target.closest("tr.form-row");
      if (!dragging || !over || over === dragging || over.parentNode !== tbody) {
        return;
      }
      event.preventDefault();
      var box = over.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      tbody.insertBefore(dragging, after ? over.nextSibling : over);
    });
    rowsOf(tbody).forEach(enhanceRow);
    var form = tbody.closest("form");
    if (form) {
      form.addEventListener("submit", function () { renumber(tbody); });
    }
  }

  function enhanceAll() {
    document.querySelectorAll("input.sortable-position").forEach(function (input) {
      var tbody = input.closest("tbody");
      if (tbody) {
        enhanceTable(tbody);
        enhanceRow(input.closest("tr"));
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var select = document.querySelector("select.question-kind");
    if (select) {
      showKindParts(select);
      select.addEventListener("change", function () { showKindParts(select); });
    }
    var condition = document.querySelector("select#id_condition_question");
    if (condition) {
      showConditionOptions(condition);
      condition.addEventListener("change", function () { showConditionOptions(condition); });
    }
    enhanceAll();
  });
  // Rows added with "Add another" (Django's inlines.js).
  document.addEventListener("formset:added", function (event) {
    enhanceRow(event.target);
  });
})();

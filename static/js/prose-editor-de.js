/*
 * German tooltips for the rich-text editor's toolbar (django-prose-editor passes its button
 * titles untranslated: "bold", "insert link", "Heading 1"). Its dialogs use Django's
 * JavaScript catalog, which the admin loads with the editor's German texts
 * (oschatzerland/urls.py, admin:jsi18n). Loaded on every admin change form.
 */
(function () {
  "use strict";
  var TITLES = {
    "bold": "Fett",
    "italic": "Kursiv",
    "underline": "Unterstrichen",
    "strike": "Durchgestrichen",
    "subscript": "Tiefgestellt",
    "superscript": "Hochgestellt",
    "paragraph": "Absatz",
    "blockquote": "Zitat",
    "unordered list": "Aufzählung",
    "ordered list": "Nummerierte Liste",
    "horizontal rule": "Trennlinie",
    "insert link": "Link einfügen",
    "remove link": "Link entfernen",
    "undo": "Rückgängig",
    "redo": "Wiederholen",
    "edit HTML": "HTML bearbeiten",
    "Code": "Code",
    "Code block": "Codeblock",
    "figure": "Bild",
    "Insert table": "Tabelle einfügen",
    "Merge cells": "Zellen verbinden",
    "Split cell": "Zelle teilen",
    "Delete table": "Tabelle löschen",
  };
  for (var level = 1; level <= 6; level += 1) {
    TITLES["Heading " + level] = "Überschrift " + level;
  }

  function translate(button) {
    ["title", "aria-label"].forEach(function (name) {
      var value = button.getAttribute(name);
      if (value && Object.prototype.hasOwnProperty.call(TITLES, value)) {
        button.setAttribute(name, TITLES[value]);
      }
    });
  }

  function translateAll(root) {
    Array.prototype.forEach.call(root.querySelectorAll(".prose-menubar__button"), translate);
  }

  function start() {
    translateAll(document);
    // The editor builds its toolbar after this script ran, and again for new inline rows.
    new MutationObserver(function (mutations) {
      mutations.forEach(function (mutation) {
        Array.prototype.forEach.call(mutation.addedNodes, function (node) {
          if (node.nodeType !== 1) {
            return;
          }
          if (node.classList.contains("prose-menubar__button")) {
            translate(node);
          } else {
            translateAll(node);
          }
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

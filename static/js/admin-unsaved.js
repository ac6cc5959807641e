/*
 * Admin change forms: a warning before leaving the page with unsaved changes, and a draft of
 * the long texts (textareas, including the rich-text editor's) in this browser's
 * localStorage, offered for restoring when the form is opened again.
 *
 * Only the staff's own texts of public content are kept (ALLOWED): never forms with
 * residents' personal data (ideas, registrations, responses). A draft is stored per user,
 * form address and object, expires after a week and is removed when the form is sent.
 * Restoring reloads the page and fills the textareas before the rich-text editor starts
 * (this classic script runs while the page is parsed, module scripts run after it).
 * No inline script or style (CSP); the page works without it.
 */
(function () {
  "use strict";
  var script = document.getElementById("admin-unsaved");
  var form = script && script.closest("form");
  if (!form) {
    return;
  }
  var ALLOWED = ["portal.newsarticle", "portal.page", "portal.municipality", "portal.topic", "events.event"];
  var MAX_AGE = 7 * 24 * 3600 * 1000;
  var key = "osl-draft:" + script.dataset.user + ":" + window.location.pathname;
  var restoreKey = key + ":restore";
  var autosave = ALLOWED.indexOf(script.dataset.model) !== -1 && storageWorks();
  var dirty = false;
  var sending = false;

  function storageWorks() {
    try {
      window.localStorage.setItem("osl-draft-test", "1");
      window.localStorage.removeItem("osl-draft-test");
      return true;
    } catch (error) {
      return false; // private mode, storage full or disabled: only the warning
    }
  }

  function textareas() {
    return Array.prototype.filter.call(form.querySelectorAll("textarea[name]"), function (area) {
      return !area.disabled && !area.readOnly && area.name.indexOf("__prefix__") === -1;
    });
  }

  function texts() {
    var values = {};
    textareas().forEach(function (area) {
      values[area.name] = area.value;
    });
    return values;
  }

  function readDraft() {
    try {
      var draft = JSON.parse(window.localStorage.getItem(key) || "null");
      if (draft && Date.now() - draft.savedAt < MAX_AGE && draft.fields) {
        return draft;
      }
    } catch (error) {
      /* an unreadable draft is dropped below */
    }
    window.localStorage.removeItem(key);
    return null;
  }

  function differs(fields) {
    var current = texts();
    return Object.keys(fields).some(function (name) {
      return name in current && current[name] !== fields[name];
    });
  }

  // 1. A restore asked for on the previous load: fill the textareas now.
  if (autosave && window.sessionStorage.getItem(restoreKey)) {
    window.sessionStorage.removeItem(restoreKey);
    var pending = readDraft();
    if (pending) {
      textareas().forEach(function (area) {
        if (area.name in pending.fields) {
          area.value = pending.fields[area.name];
        }
      });
      dirty = true;
      notice(script.dataset.restored, []);
    }
  }

  // 2. Otherwise offer a draft that differs from what the form shows.
  var initial = texts();
  // The rich-text editor may rewrite its textarea when it starts: what it shows then is
  // the unchanged state.
  window.addEventListener("load", function () {
    window.setTimeout(function () {
      if (!dirty) {
        initial = texts();
      }
    }, 800);
  });
  if (autosave && !dirty) {
    var draft = readDraft();
    if (draft && differs(draft.fields)) {
      var stamp = new Date(draft.savedAt).toLocaleString("de-DE");
      notice(script.dataset.restoreText + " " + stamp + ".", [
        [script.dataset.restore, function () {
          window.sessionStorage.setItem(restoreKey, "1");
          window.location.reload();
        }],
        [script.dataset.discard, function (box) {
          window.localStorage.removeItem(key);
          box.remove();
        }],
      ]);
    } else if (draft) {
      window.localStorage.removeItem(key); // saved meanwhile
    }
  }

  function notice(text, buttons) {
    // Styled like the admin's own messages.
    var box = document.createElement("ul");
    box.className = "messagelist unsaved-draft-notice";
    box.setAttribute("role", "status");
    var item = document.createElement("li");
    item.className = "warning";
    item.appendChild(document.createTextNode(text + " "));
    box.appendChild(item);
    var paragraph = item;
    buttons.forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button";
      button.textContent = spec[0];
      button.addEventListener("click", function () {
        spec[1](box);
      });
      paragraph.appendChild(button);
      paragraph.appendChild(document.createTextNode(" "));
    });
    form.insertBefore(box, form.firstChild);
  }

  function save() {
    if (!autosave || sending) {
      return;
    }
    var current = texts();
    var changed = Object.keys(current).some(function (name) {
      return current[name] !== initial[name];
    });
    if (!changed) {
      return;
    }
    dirty = true;
    try {
      window.localStorage.setItem(key, JSON.stringify({ savedAt: Date.now(), fields: current }));
    } catch (error) {
      /* storage full: the warning still protects the text */
    }
  }

  form.addEventListener("input", function () {
    dirty = true;
  });
  form.addEventListener("change", function () {
    dirty = true;
  });
  form.addEventListener("submit", function () {
    sending = true;
    if (autosave) {
      window.localStorage.removeItem(key);
    }
  });
  // The rich-text editor writes its textarea without an input event: compare now and then.
  window.setInterval(function () {
    if (!dirty && JSON.stringify(texts()) !== JSON.stringify(initial)) {
      dirty = true;
    }
    save();
  }, 3000);
  window.addEventListener("beforeunload", function (event) {
    if (dirty && !sending) {
      save();
      event.preventDefault();
      event.returnValue = script.dataset.warning;
      return script.dataset.warning;
    }
    return undefined;
  });
})();

/* Display conditions on the same page of the questionnaire (and on the paper-entry page).
 *
 * A question whose condition refers to an answer on its own page sits in an element with
 * data-condition (JSON: {"mode": "all"|"any", "rules": [...]}, see survey/conditions.py).
 * A rule reads the form field "field" (radio buttons, checkboxes, a select or a number) and
 * compares it with "options" (option ids) or "value"; {"fixed": true|false} is a rule
 * already decided by answers on earlier pages. Hidden questions get the hidden attribute.
 *
 * Only a help: without this script every question is shown, and the server decides
 * (answers to a question whose condition does not hold are dropped).
 */
(function () {
  "use strict";

  function fieldValues(form, name) {
    var values = [];
    var fields = form.querySelectorAll("[name='" + name.replace(/'/g, "") + "']");
    fields.forEach(function (field) {
      if ((field.type === "radio" || field.type === "checkbox") && !field.checked) {
        return;
      }
      if (field.value === "" || field.closest("[hidden]")) {
        return;
      }
      var number = Number(field.value);
      if (Number.isInteger(number)) {
        values.push(number);
      }
    });
    return values;
  }

  function holds(form, rule) {
    if (Object.prototype.hasOwnProperty.call(rule, "fixed")) {
      return rule.fixed;
    }
    var values = fieldValues(form, rule.field);
    if (rule.op === "equals" || rule.op === "one_of") {
      if (rule.options.length) {
        return values.some(function (v) { return rule.options.indexOf(v) !== -1; });
      }
      return rule.value !== null && values.indexOf(rule.value) !== -1;
    }
    if (rule.value === null) {
      return false;
    }
    if (rule.op === "greater") {
      return values.some(function (v) { return v > rule.value; });
    }
    if (rule.op === "less") {
      return values.some(function (v) { return v < rule.value; });
    }
    return false;
  }

  function update(form) {
    // In page order, so that a question hidden on the page hides those depending on it.
    form.querySelectorAll("[data-condition]").forEach(function (element) {
      var condition;
      try {
        condition = JSON.parse(element.getAttribute("data-condition"));
      } catch (error) {
        return; // leave it shown: the server decides
      }
      var results = condition.rules.map(function (rule) { return holds(form, rule); });
      var shown = condition.mode === "any"
        ? results.some(Boolean)
        : results.every(Boolean);
      element.hidden = !shown;
    });
  }

  document.querySelectorAll("form").forEach(function (form) {
    if (!form.querySelector("[data-condition]")) {
      return;
    }
    update(form);
    form.addEventListener("change", function () { update(form); });
    form.addEventListener("input", function () { update(form); });
  });
})();

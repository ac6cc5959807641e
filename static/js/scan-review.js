// Review of scanned questionnaires (templates/survey/survey_scan_review.html): the answer's
// field has the focus when the page opens, and Enter confirms from any field of the form,
// ticked boxes and radio buttons included (browsers submit on Enter only from text fields).
// Without the script, Tab leads to the field and the button.
(function () {
  "use strict";
  var form = document.querySelector(".scan-review__form");
  if (!form) {
    return;
  }
  var first =
    form.querySelector("input:checked:not([type=hidden])") ||
    form.querySelector("input:not([type=hidden]), select, textarea");
  if (first && !document.querySelector(".error-summary")) {
    first.focus();
  }
  form.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "Enter" || event.isComposing || target.tagName === "TEXTAREA") {
      return;
    }
    if (target.tagName === "BUTTON" || target.type === "submit") {
      return;
    }
    event.preventDefault();
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  });
})();

// Progress of a scanned stack being read (templates/admin/survey/scanbatch/progress.html).
// Without this script the page has a "Refresh" link; with it, the numbers follow by
// themselves every two seconds and the page reloads once reading is finished, to list the
// sheets and the link to the review.
(function () {
  "use strict";
  var section = document.getElementById("scan-progress");
  if (!section || !section.dataset.scanStatus || !window.fetch) {
    return;
  }
  var bar = document.getElementById("scan-progress-bar");
  function show(state) {
    section.querySelectorAll("[data-field]").forEach(function (element) {
      element.textContent = state[element.dataset.field];
    });
    bar.max = Math.max(state.pages_total, 1);
    bar.value = state.pages_done;
    bar.textContent = state.pages_done + " / " + state.pages_total;
  }
  function poll() {
    fetch(section.dataset.scanStatus, { credentials: "same-origin", cache: "no-store" })
      .then(function (answer) {
        return answer.ok ? answer.json() : null;
      })
      .then(function (state) {
        if (!state) {
          return;
        }
        show(state);
        if (state.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 1000);
})();

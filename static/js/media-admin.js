// Media library admin: focal point picker and copy buttons for embed codes.
// Focal point of a library image: a click on the preview sets the two number fields (which
// stay usable on their own, with the keyboard and without JavaScript).
(function () {
  "use strict";
  function init(picker) {
    var image = picker.querySelector("img");
    var marker = picker.querySelector(".focal-picker__marker");
    var fieldX = document.getElementById("id_focal_x");
    var fieldY = document.getElementById("id_focal_y");
    if (!image || !marker || !fieldX || !fieldY) {
      return;
    }
    function show() {
      marker.style.left = (parseFloat(fieldX.value) || 0) * 100 + "%";
      marker.style.top = (parseFloat(fieldY.value) || 0) * 100 + "%";
    }
    image.addEventListener("click", function (event) {
      var box = image.getBoundingClientRect();
      var x = Math.min(Math.max((event.clientX - box.left) / box.width, 0), 1);
      var y = Math.min(Math.max((event.clientY - box.top) / box.height, 0), 1);
      fieldX.value = x.toFixed(2);
      fieldY.value = y.toFixed(2);
      show();
    });
    fieldX.addEventListener("input", show);
    fieldY.addEventListener("input", show);
    picker.classList.add("focal-picker--active");
    show();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-focal-picker]").forEach(init);
  });
})();

// "Code kopieren": puts the embed code ([bild:12]) on the clipboard for the rich-text editor.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    if (!navigator.clipboard) {
      return;
    }
    document.querySelectorAll("button.media-copy[data-copy]").forEach(function (button) {
      var status = button.nextElementSibling;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(button.dataset.copy).then(function () {
          if (status) {
            status.textContent = button.dataset.copied || "✓";
          }
        });
      });
    });
  });
})();

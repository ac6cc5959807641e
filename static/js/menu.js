// The phone menu (templates/includes/header.html) is a <details> and works without this
// script. It only adds what a menu button is expected to do beyond that: Escape closes the
// open menu and puts the focus back on the button.
(function () {
  "use strict";
  var menu = document.getElementById("site-menu");
  if (!menu) {
    return;
  }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !menu.open) {
      return;
    }
    var button = menu.querySelector("summary");
    if (getComputedStyle(button).display === "none") {
      return; // wide screen: no menu button, nothing to close
    }
    menu.open = false;
    button.focus();
  });
})();

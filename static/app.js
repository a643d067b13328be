// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" ||
      target.tagName === "SELECT" || target.isContentEditable);
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "/") {
      var search = document.getElementById("search");
      if (search) { event.preventDefault(); search.focus(); }
      return;
    }
    // Buttons that declare a shortcut (e.g. "c" claims the open case).
    var button = document.querySelector('[data-shortcut="' + event.key + '"]');
    if (button) { event.preventDefault(); button.click(); }
  });
})();

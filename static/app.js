// Progressive enhancement only: every page works without this file (the queue's forms and
// buttons do everything; these keys are shortcuts to them).
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.case-row"));
  var current = -1;

  function focusRow(index) {
    if (!rows.length) return;
    if (current >= 0) rows[current].classList.remove("selected-row");
    current = Math.max(0, Math.min(rows.length - 1, index));
    rows[current].classList.add("selected-row");
    var link = rows[current].querySelector("a.ref");
    if (link) link.focus();
  }

  function currentPick() {
    if (current < 0) return null;
    var box = rows[current].querySelector("input[name=case]");
    return box ? box.value : null;
  }

  // "Select page": a header check box, shown only when scripts run.
  var selectPage = document.getElementById("select-page");
  if (selectPage) {
    selectPage.hidden = false;
    selectPage.addEventListener("change", function () {
      rows.forEach(function (row) {
        var box = row.querySelector("input[name=case]");
        if (box) box.checked = selectPage.checked;
      });
    });
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.tagName === "INPUT" && target.type !== "checkbox" ||
      target.tagName === "TEXTAREA" || target.tagName === "SELECT" || target.isContentEditable);
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    var key = event.key;
    if (key === "/") {
      var search = document.getElementById("search");
      if (search) { event.preventDefault(); search.focus(); }
    } else if (key === "?") {
      var help = document.getElementById("shortcuts");
      if (help) { event.preventDefault(); help.hidden = !help.hidden; }
    } else if (rows.length && (key === "j" || key === "k")) {
      event.preventDefault();
      focusRow(current + (key === "j" ? 1 : -1));
    } else if (rows.length && key === "x" && current >= 0) {
      event.preventDefault();
      var box = rows[current].querySelector("input[name=case]");
      if (box) box.checked = !box.checked;
    } else if (rows.length && key === "Enter" && current >= 0 && target.tagName !== "A") {
      event.preventDefault();
      rows[current].querySelector("a.ref").click();
    } else if (key === "c") {
      var pick = currentPick();
      var claimForm = document.getElementById("claim-form");
      if (pick && claimForm) {
        // The case's own claim form, with the version shown in the queue.
        event.preventDefault();
        var dot = pick.lastIndexOf(".");
        claimForm.action = "/cases/" + pick.slice(0, dot) + "/claim";
        claimForm.querySelector("input[name=version]").value = pick.slice(dot + 1);
        claimForm.submit();
        return;
      }
      // On a case page: its claim button.
      var button = document.querySelector('[data-shortcut="c"]');
      if (button) { event.preventDefault(); button.click(); }
    } else if (key === "s") {
      // On a case page: apply the desk's suggestion (the button says what it does).
      var apply = document.querySelector('[data-shortcut="s"]');
      if (apply) { event.preventDefault(); apply.click(); }
    }
  });
})();

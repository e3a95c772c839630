// "Select all" checkboxes for bulk actions: <input type=checkbox data-select-all="ids">
// toggles every checkbox named "ids" in the same form. The page works without it.
(function () {
  "use strict";
  document.querySelectorAll("input[data-select-all]").forEach(function (master) {
    var name = master.getAttribute("data-select-all");
    var form = master.form;
    if (!form) return;
    master.addEventListener("change", function () {
      form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
        box.checked = master.checked;
      });
    });
  });
})();

// complyscan report: filtering only. Without JavaScript every finding is shown and the filter
// bar stays hidden. Inline in report.html, allowed by its CSP hash; reads only data-* attributes
// and form values, writes only `hidden` and a count (never HTML).
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) {
    return;
  }
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-finding]"));
  var count = document.getElementById("filter-count");

  function apply() {
    var severity = form.elements.severity.value;
    var rule = form.elements.rule.value;
    var place = form.elements.location.value;
    var showWaived = form.elements.waived.checked;
    var shown = 0;
    items.forEach(function (item) {
      var visible =
        (!severity || item.dataset.severity === severity) &&
        (!rule || item.dataset.rule === rule) &&
        (!place || item.dataset.location === place) &&
        (showWaived || item.dataset.waived !== "true");
      item.hidden = !visible;
      if (visible) {
        shown += 1;
      }
    });
    count.textContent = shown + " of " + items.length + " findings shown";
  }

  form.addEventListener("change", apply);
  form.addEventListener("reset", function () {
    window.setTimeout(apply, 0);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-only-severity]"), function (pill) {
    pill.addEventListener("click", function () {
      form.elements.severity.value = pill.dataset.onlySeverity;
      apply();
    });
  });
  form.hidden = false;
  apply();
})();

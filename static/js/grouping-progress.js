// Grouping progress: polls the job's JSON every second while it is queued or running,
// moves the <progress> bar, and reloads the page when the proposals are ready.
(function () {
  "use strict";
  var box = document.getElementById("grouping-progress");
  if (!box) return;
  var url = box.getAttribute("data-url");
  var status = box.getAttribute("data-status");
  if (!url || (status !== "queued" && status !== "running")) return;
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-text]");

  function show(state) {
    if (bar) bar.value = state.percent;
    if (!text) return;
    if (state.status === "done") text.textContent = text.getAttribute("data-label-done");
    else if (state.status === "failed") text.textContent = text.getAttribute("data-label-failed");
    else text.textContent = text.getAttribute("data-label-running") + " " + state.percent + "%";
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (resp) { return resp.ok ? resp.json() : null; })
      .then(function (state) {
        if (!state) return setTimeout(poll, 3000);
        show(state);
        if (state.status === "done") return setTimeout(function () { window.location.reload(); }, 600);
        if (state.status !== "failed") setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();

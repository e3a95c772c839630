// The presenter (studio) screen: the question on screen, in large type.
(function () {
  "use strict";
  var root = document.getElementById("live-presenter");
  if (!root || typeof io === "undefined" || !window.LiveQA) return;
  var Q = window.LiveQA, h = Q.h;
  var S = Q.readJSON(root, "data-strings");
  function $(name) { return root.querySelector("[data-bind=" + name + "]"); }
  new Q.LiveClient({
    sessionId: parseInt(root.getAttribute("data-session-id"), 10),
    onStatus: function (status, msg) {
      $("conn").textContent = status === "connected" ? "" : (status === "error" ? msg : S[status] || status);
      $("conn").className = "presenter-conn is-" + status;
    },
    onChange: function (st) {
      if (!st.session) return;
      $("state").textContent = S["state_" + st.session.state];
      $("viewers").textContent = String(st.viewers);
      var q = st.questions[st.session.on_screen_id], box = $("onscreen");
      box.textContent = "";
      if (!q) { box.appendChild(h("p", { class: "presenter-empty", text: S.nothing_on_screen })); return; }
      box.appendChild(h("p", { class: "presenter-body", text: q.body }));
      box.appendChild(h("p", { class: "presenter-meta", text: (q.author || S.anonymous) + " · ▲ " + q.votes + " " + S.votes }));
      if (q.answered_at) {
        box.appendChild(h("p", { class: "presenter-answer" }, [
          h("span", { class: "badge badge-ok", text: S.answered }), " ", q.answered_by || "", ": ", q.answer || ""
        ]));
      }
    }
  });
  var fs = root.querySelector("[data-action=fullscreen]");
  fs.addEventListener("click", function () {
    if (document.fullscreenElement) document.exitFullscreen();
    else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen();
  });
})();

// Live announcements and personal notifications over Socket.IO (/notify).
// Pages work without it; this only keeps the notice bar current.
(function () {
  "use strict";
  if (typeof io === "undefined") return;
  var bar = document.getElementById("announcement");
  var socket = io("/notify", { transports: ["websocket", "polling"] });
  socket.on("announcement", function (msg) {
    if (!bar) return;
    bar.querySelector("[data-text]").textContent = msg.text || "";
    bar.hidden = !msg.text;
  });
})();

// Plays the session's HLS stream: natively where the browser can (Safari, iOS), with
// hls.js elsewhere (loaded only when needed). Failures show a note, never a broken page.
(function () {
  "use strict";
  var box = document.querySelector(".live-player");
  if (!box) return;
  var video = box.querySelector("video");
  var note = box.querySelector("[data-bind=player-note]");
  var url = box.getAttribute("data-url");
  var root = document.getElementById("live-viewer");
  function fail() {
    if (note) note.hidden = false;
    box.classList.add("is-broken");
  }
  if (!video || !url) return;
  video.addEventListener("error", fail);
  if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = url;
    return;
  }
  var script = document.createElement("script");
  script.src = root.getAttribute("data-hls-src");
  script.onload = function () {
    if (!window.Hls || !window.Hls.isSupported()) { fail(); return; }
    var hls = new window.Hls({ manifestLoadingMaxRetry: 1, manifestLoadingTimeOut: 8000, levelLoadingMaxRetry: 2 });
    hls.on(window.Hls.Events.ERROR, function (_e, data) { if (data.fatal) { hls.destroy(); fail(); } });
    hls.loadSource(url);
    hls.attachMedia(video);
  };
  script.onerror = fail;
  document.head.appendChild(script);
})();

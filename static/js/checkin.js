// Camera check-in: where the browser has the BarcodeDetector API, scan the QR code and
// submit the form with it. Typing the code always works; this only adds a shortcut.
(function () {
  "use strict";
  var box = document.querySelector("[data-scanner]");
  var form = document.getElementById("checkin-form");
  if (!box || !form) return;
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  box.hidden = false;
  var video = box.querySelector("[data-scan-video]");
  var status = box.querySelector("[data-scan-status]");
  var input = form.querySelector("input[name=code]");
  var stream = null;

  function stop() {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
  }

  box.querySelector("[data-scan-start]").addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" } })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        status.textContent = box.dataset.msgLooking;
        return video.play();
      })
      .then(function tick() {
        if (!stream) return;
        detector.detect(video).then(function (codes) {
          if (codes.length) {
            input.value = codes[0].rawValue; // the server extracts the code from the URL
            stop();
            form.submit();
          } else {
            window.requestAnimationFrame(tick);
          }
        }, function () { window.requestAnimationFrame(tick); });
      })
      .catch(function () {
        stop();
        status.textContent = box.dataset.msgDenied;
      });
  });
  window.addEventListener("pagehide", stop);
})();

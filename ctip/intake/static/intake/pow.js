/* Proof of work for the public report form (docs/decisions/0750): while the reporter types,
   find a number whose SHA-256 with the form's challenge starts with the required zero bits,
   and put it in the form. Without this script, or without crypto.subtle (plain HTTP), the
   form is sent as it is and the report waits in the lower-trust queue. */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form || !window.crypto || !window.crypto.subtle || !window.TextEncoder) return;
  var challenge = form.elements.pow_challenge, solution = form.elements.pow_solution;
  var bits = parseInt(form.getAttribute("data-pow-bits"), 10) || 0;
  var status = document.getElementById("pow-status");
  var done = false, waiting = false, encoder = new TextEncoder();
  function zeroBits(bytes) {
    var n = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) { n += 8; continue; }
      for (var b = 7; b >= 0 && !(bytes[i] >> b & 1); b--) n++;
      break;
    }
    return n;
  }
  function search(counter) {
    var batch = [];
    for (var i = 0; i < 256; i++) {
      batch.push(crypto.subtle.digest("SHA-256", encoder.encode(challenge.value + ":" + (counter + i))));
    }
    Promise.all(batch).then(function (digests) {
      for (var i = 0; i < digests.length; i++) {
        if (zeroBits(new Uint8Array(digests[i])) >= bits) {
          solution.value = String(counter + i);
          done = true;
          if (waiting) form.submit();
          return;
        }
      }
      search(counter + 256);
    });
  }
  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (done || (submitter && submitter.name === "step")) return;
    event.preventDefault();
    waiting = true;
    if (status) status.textContent = status.getAttribute("data-wait") || "…";
    var send = document.createElement("input");
    send.type = "hidden"; send.name = "send"; send.value = "1";
    form.appendChild(send);
  });
  search(0);
})();

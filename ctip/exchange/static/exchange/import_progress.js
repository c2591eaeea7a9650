// Import page: follow a running check or import until it ends, then reload the page.
// A shipped file rather than an inline script, so the Content-Security-Policy needs no
// 'unsafe-inline' for scripts.
(function () {
  var box = document.getElementById("import-status");
  if (!box || box.dataset.running !== "1") return;
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (d) {
      var bar = document.getElementById("import-bar");
      if (bar) bar.value = d.percent;
      var count = document.getElementById("import-count");
      if (count) count.textContent = d.done + " / " + d.total;
      if (d.running) { setTimeout(poll, 2000); } else { window.location.reload(); }
    }).catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();

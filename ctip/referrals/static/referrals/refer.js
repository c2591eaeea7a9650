// The "Refer to" list shows only the agencies that offer the chosen service. Without
// this script every agency is listed and the server refuses a mismatch.
(function () {
  var service = document.getElementById("id_service");
  var agency = document.getElementById("id_to_agency");
  if (!service || !agency) return;
  function filter() {
    var wanted = service.value;
    Array.prototype.forEach.call(agency.options, function (option) {
      var offers = (option.getAttribute("data-services") || "").split(" ");
      var show = !option.value || !wanted || offers.indexOf(wanted) !== -1;
      option.hidden = !show;
      option.disabled = !show;
      if (!show && option.selected) agency.value = "";
    });
  }
  service.addEventListener("change", filter);
  filter();
})();

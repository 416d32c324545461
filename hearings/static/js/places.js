/* Registration and profile: the village list follows the chosen municipality. Progressive:
   without JavaScript the server shows the new municipality's villages after sending. */
(function () {
  "use strict";
  var municipality = document.getElementById("municipality_id");
  var village = document.getElementById("village_id");
  if (!municipality || !village || !window.fetch) { return; }
  var url = village.getAttribute("data-villages-url");
  municipality.addEventListener("change", function () {
    fetch(url + "?municipality=" + encodeURIComponent(municipality.value), {credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        village.textContent = "";
        data.villages.forEach(function (v) {
          var option = document.createElement("option");
          option.value = v.id;
          option.textContent = v.name;
          village.appendChild(option);
        });
      });
  });
}());

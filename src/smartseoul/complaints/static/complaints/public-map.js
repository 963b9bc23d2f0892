// Public map and officials' map view: pins for the viewport, clusters when there are more
// than 500 (the server decides), reloaded as the map moves.
(function () {
  "use strict";
  var element = document.getElementById("complaints-map");
  if (!element || typeof L === "undefined") return;
  var data = element.dataset;
  var map = L.map(element).setView([37.5665, 126.978], 11);
  L.tileLayer(data.tiles, { maxZoom: 19, attribution: "© OpenStreetMap" }).addTo(map);
  var layer = L.layerGroup().addTo(map);
  var linkBase = data.link || "/complaints/r/";
  function load() {
    var b = map.getBounds();
    var url = data.api + "?bbox=" + [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()].map(function (v) { return v.toFixed(5); }).join(",") +
      "&category=" + encodeURIComponent(data.category || "") + "&status=" + encodeURIComponent(data.status || "");
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; }).then(function (answer) {
      if (!answer) return;
      layer.clearLayers();
      answer.pins.forEach(function (pin) {
        var link = document.createElement("a");
        link.href = linkBase + pin.public_id + "/";
        link.textContent = pin.public_id + " · " + pin.category__code + " · " + pin.status;
        L.circleMarker([pin.lat, pin.lon], { radius: 7, className: "pin-" + pin.status }).bindPopup(link).addTo(layer);
      });
      answer.clusters.forEach(function (cluster) {
        var icon = L.divIcon({ className: "complaint-cluster", html: String(cluster.count), iconSize: [40, 40] });
        L.marker([cluster.lat, cluster.lon], { icon: icon }).on("click", function () {
          map.setView([cluster.lat, cluster.lon], map.getZoom() + 2);
        }).addTo(layer);
      });
    });
  }
  map.on("moveend", load);
  load();
})();

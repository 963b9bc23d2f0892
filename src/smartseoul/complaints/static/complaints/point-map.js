// A report's page: its point on a small map; a report just sent clears the kept draft.
(function () {
  "use strict";
  if (window.location.search.indexOf("sent=1") !== -1) {
    try { localStorage.removeItem("complaints-draft"); } catch (e) { /* private mode */ }
  }
  var element = document.getElementById("point-map");
  if (!element || typeof L === "undefined") return;
  var point = [Number(element.dataset.lat), Number(element.dataset.lon)];
  var map = L.map(element, { scrollWheelZoom: false }).setView(point, 16);
  L.tileLayer(element.dataset.tiles, { maxZoom: 19, attribution: "© OpenStreetMap" }).addTo(map);
  L.marker(point).addTo(map);
})();

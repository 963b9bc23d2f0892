// Map view of a datastore table: the server turns rows into GeoJSON (points, shapes, or
// district/neighbourhood boundaries); each feature's popup lists the row's values.
(function () {
  "use strict";
  var element = document.getElementById("od-map");
  if (!element || typeof L === "undefined") return;
  var map = L.map(element).setView([37.5665, 126.978], 11);
  L.tileLayer(element.dataset.tiles, { maxZoom: 19, attribution: "© OpenStreetMap" }).addTo(map);
  fetch(element.dataset.geojson, { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (collection) {
      if (!collection) return;
      var layer = L.geoJSON(collection, {
        pointToLayer: function (feature, latlng) { return L.circleMarker(latlng, { radius: 6 }); },
        onEachFeature: function (feature, featureLayer) {
          var list = document.createElement("dl");
          Object.keys(feature.properties || {}).forEach(function (key) {
            var term = document.createElement("dt");
            term.textContent = key;
            var value = document.createElement("dd");
            value.textContent = String(feature.properties[key]);
            list.appendChild(term);
            list.appendChild(value);
          });
          featureLayer.bindPopup(list);
        }
      }).addTo(map);
      var count = document.getElementById("od-map-count");
      if (count) count.textContent = String(collection.features.length);
      element.dataset.features = String(collection.features.length);
      if (collection.features.length) map.fitBounds(layer.getBounds(), { maxZoom: 15 });
    });
})();

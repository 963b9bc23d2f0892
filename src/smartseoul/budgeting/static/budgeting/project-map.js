// Budget maps: the projects of a list, one project's point, and the place picker of the
// proposal form.  Data comes from json_script / data- attributes (the CSP forbids inline code).
(function () {
  "use strict";
  if (typeof L === "undefined") return;

  function baseMap(element, center, zoom) {
    var map = L.map(element, { scrollWheelZoom: false }).setView(center, zoom);
    L.tileLayer(element.dataset.tiles, { maxZoom: 19, attribution: "© OpenStreetMap" }).addTo(map);
    return map;
  }
  var SEOUL = [37.5665, 126.978];

  var list = document.getElementById("project-map");
  var data = document.getElementById("project-points");
  if (list && data) {
    var points = JSON.parse(data.textContent || "[]");
    var map = baseMap(list, SEOUL, 11);
    var bounds = [];
    points.forEach(function (p) {
      var marker = L.marker([p.lat, p.lng], { title: p.title }).addTo(map);
      var link = document.createElement("a");
      link.href = list.dataset.base + p.id + "/";
      link.textContent = p.title;
      var box = document.createElement("div");
      box.appendChild(link);
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(p.status_label));
      marker.bindPopup(box);
      bounds.push([p.lat, p.lng]);
    });
    if (bounds.length) map.fitBounds(bounds, { maxZoom: 15, padding: [20, 20] });
  }

  var point = document.getElementById("point-map");
  if (point) {
    var here = [Number(point.dataset.lat), Number(point.dataset.lng)];
    L.marker(here).addTo(baseMap(point, here, 16));
  }

  var pick = document.getElementById("pick-map");
  if (pick) {
    var lat = document.getElementById("id_lat");
    var lng = document.getElementById("id_lng");
    var status = document.getElementById("pick-status");
    var start = lat.value && lng.value ? [Number(lat.value), Number(lng.value)] : null;
    var pickMap = baseMap(pick, start || SEOUL, start ? 16 : 11);
    var marker = start ? L.marker(start).addTo(pickMap) : null;
    var show = function () {
      status.textContent = lat.value ? status.dataset.chosen + " " + Number(lat.value).toFixed(5) + ", " + Number(lng.value).toFixed(5) : status.dataset.none;
    };
    pickMap.on("click", function (event) {
      lat.value = event.latlng.lat.toFixed(6);
      lng.value = event.latlng.lng.toFixed(6);
      if (marker) marker.setLatLng(event.latlng); else marker = L.marker(event.latlng).addTo(pickMap);
      show();
    });
    show();
  }
})();

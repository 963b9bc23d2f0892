// City dashboard: districts coloured by fine-dust grade, kept current by Server-Sent Events.
(function () {
  "use strict";
  var mapElement = document.getElementById("city-map");
  var table = document.getElementById("district-table");
  var status = document.getElementById("live-status");
  if (!mapElement || !table) return;
  var data = mapElement.dataset;
  var labels = {};
  var template = document.getElementById("grade-labels");
  if (template) {
    Array.prototype.forEach.call(template.content.querySelectorAll("[data-grade]"), function (span) {
      labels[span.dataset.grade] = span.textContent;
    });
  }
  var grades = {};  // district code -> grade, for the map
  var names = {};
  var layer = null;

  // Korea's air-quality palette (as in urbandata.css).
  var COLOURS = { good: "#1c64d1", moderate: "#1d7a3a", bad: "#f59e0b", very_bad: "#b91c1c", none: "#9ca3af" };

  function styleFor(code) {
    var grade = grades[code] || "none";
    return { className: "district-shape grade-" + grade, color: "#ffffff", weight: 1, fillColor: COLOURS[grade], fillOpacity: 0.65 };
  }

  function paint(shape) {
    var grade = grades[shape.feature.id] || "none";
    shape.setStyle(styleFor(shape.feature.id));
    // Leaflet sets className only when it draws a shape; keep the grade class current too.
    var element = shape.getElement();
    if (element) element.setAttribute("class", "leaflet-interactive district-shape grade-" + grade);
  }

  if (typeof L !== "undefined") {
    var map = L.map(mapElement, { scrollWheelZoom: false, zoomSnap: 0.25 }).setView([37.5665, 126.978], 10.5);
    if (data.tiles) L.tileLayer(data.tiles, { maxZoom: 18, attribution: "© OpenStreetMap" }).addTo(map);
    fetch(data.shapes).then(function (r) { return r.json(); }).then(function (shapes) {
      layer = L.geoJSON(shapes, {
        style: function (feature) { return styleFor(feature.id); },
        onEachFeature: function (feature, shape) {
          shape.on("click", function () { window.location.href = data.districtUrl + feature.id + "/"; });
          shape.bindTooltip(function () { return names[feature.id] || feature.id; });
        },
      }).addTo(map);
    });
  }

  function show(value) { return value === undefined || value === null ? "–" : String(value); }

  function render(snapshot) {
    snapshot.districts.forEach(function (district) {
      grades[district.code] = district.grade;
      names[district.code] = district.name + " · " + (district.grade_label || "–");
      var row = table.querySelector('tr[data-code="' + district.code + '"]');
      if (!row) return;
      ["pm10", "pm25", "temperature", "noise"].forEach(function (field) {
        var cell = row.querySelector('[data-field="' + field + '"]');
        if (cell) cell.textContent = show(district.values[field]);
      });
      var badge = row.querySelector('[data-field="grade"] .grade');
      if (badge) {
        badge.className = "grade grade-" + (district.grade || "none");
        badge.textContent = district.grade ? (labels[district.grade] || district.grade_label) : "–";
      }
    });
    if (layer) layer.eachLayer(paint);
    var list = document.getElementById("alert-list");
    if (list && snapshot.alerts.length) {
      list.textContent = "";
      snapshot.alerts.forEach(function (alert) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = "/city/alerts/" + alert.id + "/";
        link.textContent = [alert.kind, alert.severity, alert.district, alert.sensor].filter(Boolean).join(" · ");
        item.appendChild(link);
        item.appendChild(document.createTextNode(" " + alert.status));
        list.appendChild(item);
      });
    }
  }

  if (window.EventSource) {
    var source = new EventSource(data.stream);
    source.addEventListener("snapshot", function (event) {
      render(JSON.parse(event.data));
      if (status) { status.textContent = status.dataset.live || "● LIVE"; status.classList.add("is-live"); }
    });
    source.onerror = function () { if (status) status.classList.remove("is-live"); };
  }
})();

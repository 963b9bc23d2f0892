// The citizen's report flow: one step at a time on a phone, a kept draft, location by
// consented GPS, map tap, address or photo EXIF, and similar open reports before sending.
// Without JavaScript the same form works as one long page.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;
  var DRAFT_KEY = "complaints-draft";
  var SEOUL = [37.5665, 126.978];
  var text = form.dataset;
  var steps = Array.prototype.slice.call(form.querySelectorAll("fieldset.step"));
  var back = document.getElementById("step-back");
  var next = document.getElementById("step-next");
  var indicator = form.querySelector(".step-indicator");
  var latInput = document.getElementById("id_lat");
  var lonInput = document.getElementById("id_lon");
  var message = document.getElementById("location-message");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var current = 0;
  var map = null;
  var marker = null;

  // --- draft kept on the device (text fields only; files cannot be stored) -----------------
  var draftFields = ["category", "lat", "lon", "address", "details"];
  function saveDraft() {
    var data = {};
    draftFields.forEach(function (name) {
      var field = form.elements[name];
      if (field) data[name] = field.value;
    });
    data.anonymous = form.elements.anonymous.checked;
    data.step = current;
    try { localStorage.setItem(DRAFT_KEY, JSON.stringify(data)); } catch (e) { /* private mode */ }
  }
  function restoreDraft() {
    var raw = null;
    try { raw = localStorage.getItem(DRAFT_KEY); } catch (e) { return 0; }
    if (!raw || form.querySelector(".errorlist")) return 0;
    var data = JSON.parse(raw);
    draftFields.forEach(function (name) {
      var field = form.elements[name];
      if (!field || data[name] === undefined || data[name] === "") return;
      if (name === "category") {
        var radio = form.querySelector("input[name=category][value='" + data[name] + "']");
        if (radio) radio.checked = true;
      } else {
        field.value = data[name];
      }
    });
    form.elements.anonymous.checked = !!data.anonymous;
    message.textContent = text.textDraft;
    return Math.min(data.step || 0, steps.length - 1);
  }
  form.addEventListener("input", saveDraft);
  form.addEventListener("change", saveDraft);

  // --- steps -------------------------------------------------------------------------------
  function show(index) {
    current = index;
    steps.forEach(function (step, i) { step.hidden = i !== index; });
    back.hidden = index === 0;
    next.hidden = index === steps.length - 1;
    indicator.textContent = (index + 1) + " / " + steps.length;
    if (steps[index].dataset.step === "2") ensureMap();
    if (steps[index].dataset.step === "4") updateAnonymous();
    if (steps[index].dataset.step === "5") loadSimilar();
    saveDraft();
  }
  function stepValid(index) {
    var fields = steps[index].querySelectorAll("input, textarea, select");
    for (var i = 0; i < fields.length; i++) {
      if (!fields[i].checkValidity()) { fields[i].reportValidity(); return false; }
    }
    if (steps[index].dataset.step === "2" && (!latInput.value || !lonInput.value)) {
      latInput.reportValidity();
      return false;
    }
    return true;
  }
  next.addEventListener("click", function () { if (stepValid(current)) show(current + 1); });
  back.addEventListener("click", function () { show(current - 1); });
  latInput.required = true;
  lonInput.required = true;

  // --- location ----------------------------------------------------------------------------
  function setPoint(lat, lon, note) {
    latInput.value = Number(lat).toFixed(6);
    lonInput.value = Number(lon).toFixed(6);
    message.textContent = note || "";
    if (map) {
      if (marker) marker.setLatLng([lat, lon]); else marker = L.marker([lat, lon]).addTo(map);
      map.setView([lat, lon], Math.max(map.getZoom(), 16));
    }
    saveDraft();
  }
  function ensureMap() {
    if (map || typeof L === "undefined") return;
    var start = latInput.value ? [Number(latInput.value), Number(lonInput.value)] : SEOUL;
    map = L.map("report-map").setView(start, latInput.value ? 16 : 11);
    L.tileLayer(text.tiles, { maxZoom: 19, attribution: "© OpenStreetMap" }).addTo(map);
    if (latInput.value) marker = L.marker(start).addTo(map);
    map.on("click", function (event) { setPoint(event.latlng.lat, event.latlng.lng); });
  }
  var consent = document.getElementById("location-consent-box");
  var useGps = document.getElementById("use-gps");
  consent.addEventListener("change", function () { useGps.disabled = !consent.checked; });
  useGps.addEventListener("click", function () {
    if (!consent.checked || !navigator.geolocation) { message.textContent = text.textNoGps; return; }
    navigator.geolocation.getCurrentPosition(
      function (position) { setPoint(position.coords.latitude, position.coords.longitude); },
      function () { message.textContent = text.textNoGps; },
      { enableHighAccuracy: true, timeout: 15000 }
    );
  });
  document.getElementById("find-address").addEventListener("click", function () {
    var address = form.elements.address.value.trim();
    if (!address) return;
    fetch("/api/complaints/geocode?address=" + encodeURIComponent(address))
      .then(function (r) {
        // 400: found, but outside Seoul (the server says so); 404: not found at all.
        if (r.status === 400) return r.json().then(function (body) { return { refused: body.error.message }; });
        return r.ok ? r.json() : null;
      })
      .then(function (found) {
        if (found && found.refused) message.textContent = found.refused;
        else if (found) setPoint(found.lat, found.lon, found.label);
        else message.textContent = text.textNoAddress;
      })
      .catch(function () { message.textContent = text.textOffline; });
  });

  // --- photos: offer the location recorded in the first photo --------------------------------
  var mediaInput = document.getElementById("id_media");
  var photoBox = document.getElementById("photo-gps");
  var photoPoint = null;
  mediaInput.addEventListener("change", function () {
    photoBox.hidden = true;
    var photo = Array.prototype.find.call(mediaInput.files, function (f) { return f.type.indexOf("image/") === 0; });
    if (!photo) return;
    var body = new FormData();
    body.append("photo", photo);
    fetch("/api/complaints/photo-location", { method: "POST", body: body, headers: { "X-CSRFToken": csrf } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (point) {
        if (!point || point.lat === null) return;
        photoPoint = point;
        photoBox.querySelector("p").textContent = text.textPhotoGps + " (" + point.lat.toFixed(5) + ", " + point.lon.toFixed(5) + ")";
        photoBox.hidden = false;
      })
      .catch(function () { /* offline: the other ways still work */ });
  });
  document.getElementById("use-photo-gps").addEventListener("click", function () {
    if (photoPoint) { ensureMap(); setPoint(photoPoint.lat, photoPoint.lon); photoBox.hidden = true; }
  });

  // --- details -----------------------------------------------------------------------------
  var details = document.getElementById("id_details");
  var count = document.getElementById("details-count");
  function updateCount() { count.textContent = details.value.length; }
  details.addEventListener("input", updateCount);
  updateCount();
  function updateAnonymous() {
    var chosen = form.querySelector("input[name=category]:checked");
    var allowed = chosen && chosen.dataset.anonymous === "1";
    document.getElementById("anonymous-row").hidden = !allowed || text.signedIn !== "1";
    if (!allowed) form.elements.anonymous.checked = false;
  }

  // --- similar open reports within 50 m ------------------------------------------------------
  function loadSimilar() {
    var list = document.getElementById("similar-list");
    var chosen = form.querySelector("input[name=category]:checked");
    if (!chosen || !latInput.value) return;
    var url = "/api/complaints/similar?category=" + encodeURIComponent(chosen.value) +
      "&lat=" + latInput.value + "&lon=" + lonInput.value;
    fetch(url).then(function (r) { return r.ok ? r.json() : []; }).then(function (found) {
      list.textContent = "";
      if (!found.length) {
        var none = document.createElement("li");
        none.className = "muted";
        none.textContent = text.textNoneSimilar;
        list.appendChild(none);
        return;
      }
      found.forEach(function (item) {
        var li = document.createElement("li");
        li.className = "card similar-report";
        var link = document.createElement("a");
        link.href = item.report.url;
        link.textContent = item.report.id + " · " + item.report.status_name + " · " + Math.round(item.distance_metres) + " " + text.textMetres;
        var summary = document.createElement("p");
        summary.textContent = item.report.details.slice(0, 140);
        var follow = document.createElement("button");
        follow.type = "button";
        follow.textContent = text.textFollow;
        follow.addEventListener("click", function () { followInstead(item.report, li); });
        li.append(link, summary, follow);
        list.appendChild(li);
      });
    }).catch(function () { list.textContent = ""; });
  }
  function followInstead(report, li) {
    if (text.signedIn !== "1") { window.location.href = report.url; return; }
    fetch("/api/complaints/reports/" + report.id + "/follow", {
      method: "POST", headers: { "X-CSRFToken": csrf }, credentials: "same-origin",
    }).then(function (r) {
      if (!r.ok) return;
      try { localStorage.removeItem(DRAFT_KEY); } catch (e) { /* ignore */ }
      li.querySelector("button").replaceWith(document.createTextNode(text.textFollowed));
    });
  }

  // --- sending: a lost connection keeps the draft ----------------------------------------------
  form.addEventListener("submit", function (event) {
    if (!navigator.onLine) { event.preventDefault(); message.textContent = text.textOffline; alert(text.textOffline); }
  });

  var errorStep = steps.findIndex(function (s) { return s.querySelector(".errorlist"); });
  show(errorStep >= 0 ? errorStep : restoreDraft());
})();

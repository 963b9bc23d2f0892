// Officials' photo redaction: drag a rectangle over a face or a number plate on the photo.
// The box is written into the form's x / y / width / height fields (percent of the photo,
// from its top-left corner), which stay editable for keyboard users and without JavaScript;
// the server action is the same either way.  Mouse, pen and touch through pointer events.
(function () {
  "use strict";

  var form = document.getElementById("photo-redact-form");
  if (!form) return;
  var stage = form.querySelector(".redact-stage");
  var image = stage.querySelector("img");
  var box = stage.querySelector(".redact-box");
  var select = form.elements.photo;
  var fields = { x: form.elements.x, y: form.elements.y, width: form.elements.width, height: form.elements.height };
  var start = null;

  stage.hidden = false;

  function clamp(value, low, high) { return Math.min(Math.max(value, low), high); }
  function round(value) { return Math.round(value * 10) / 10; }

  // Where the pointer is, in percent of the photo as shown.
  function percentAt(event) {
    var rect = image.getBoundingClientRect();
    return {
      x: clamp((event.clientX - rect.left) / rect.width * 100, 0, 100),
      y: clamp((event.clientY - rect.top) / rect.height * 100, 0, 100)
    };
  }

  function show(x, y, width, height) {
    if (!(width > 0 && height > 0)) { box.hidden = true; return; }
    box.hidden = false;
    box.style.left = x + "%";
    box.style.top = y + "%";
    box.style.width = width + "%";
    box.style.height = height + "%";
  }

  function fromFields() {
    show(Number(fields.x.value), Number(fields.y.value), Number(fields.width.value), Number(fields.height.value));
  }

  function write(a, b) {
    var x = Math.min(a.x, b.x), y = Math.min(a.y, b.y);
    // The form takes boxes of at least 1 % each way (a click is not a box).
    var width = Math.max(Math.abs(a.x - b.x), 1), height = Math.max(Math.abs(a.y - b.y), 1);
    x = Math.min(x, 100 - width);
    y = Math.min(y, 100 - height);
    fields.x.value = round(x);
    fields.y.value = round(y);
    fields.width.value = round(width);
    fields.height.value = round(height);
    fromFields();
  }

  stage.addEventListener("pointerdown", function (event) {
    if (event.button !== 0) return;
    event.preventDefault();
    start = percentAt(event);
    stage.setPointerCapture(event.pointerId);
    write(start, start);
  });
  stage.addEventListener("pointermove", function (event) {
    if (start) write(start, percentAt(event));
  });
  function finish(event) {
    if (!start) return;
    write(start, percentAt(event));
    start = null;
  }
  stage.addEventListener("pointerup", finish);
  stage.addEventListener("pointercancel", function () { start = null; });
  // A dragged image would start the browser's own drag and drop instead.
  image.addEventListener("dragstart", function (event) { event.preventDefault(); });

  Object.keys(fields).forEach(function (name) { fields[name].addEventListener("input", fromFields); });
  select.addEventListener("change", function () {
    var option = select.options[select.selectedIndex];
    image.src = option.dataset.src;
    box.hidden = true;
  });
  fromFields();
})();

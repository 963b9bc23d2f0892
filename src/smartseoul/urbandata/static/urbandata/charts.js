// Small uPlot line charts: each .chart element names its JSON series ({t: [...], v: [...]}).
(function () {
  "use strict";
  if (typeof uPlot === "undefined") return;
  Array.prototype.forEach.call(document.querySelectorAll(".chart[data-series]"), function (element) {
    fetch(element.dataset.series).then(function (r) { return r.json(); }).then(function (series) {
      if (!series.t.length) { element.textContent = "–"; return; }
      var width = Math.max(280, element.clientWidth || 320);
      new uPlot({
        width: width,
        height: 180,
        legend: { show: false },
        series: [{}, { stroke: "#0b4f9c", width: 2 }],
        axes: [{}, { size: 44 }],
      }, [series.t, series.v], element);
    });
  });
})();

// Statistics dashboard (internal/stats/dashboard): draws the charts with Apache ECharts from the
// page's JSON data block (#dash-data). The tables below each chart hold the same figures, with
// links to the records; without JavaScript only the tables show.
(function () {
  "use strict";
  var el = document.getElementById("dash-data");
  if (!el || typeof echarts === "undefined") return;
  var data;
  try { data = JSON.parse(el.textContent); } catch (e) { return; }
  var months = [];
  for (var m = 1; m <= 12; m++) months.push(m + "月");
  function show(id) {
    var box = document.getElementById(id);
    if (!box) return null;
    box.hidden = false;
    var c = echarts.init(box);
    window.addEventListener("resize", function () { c.resize(); });
    return c;
  }
  if (data.trends && data.trends.length) {
    var t = show("chart-trends");
    if (t) t.setOption({
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { top: 40, left: 60, right: 20, bottom: 30 },
      xAxis: { type: "category", data: months },
      yAxis: { type: "value" },
      series: data.trends.map(function (s) { return { name: s.name + "（" + s.unit + "）", type: "line", data: s.months }; })
    });
  }
  if (data.children && data.children.length && data.codes && data.codes.length) {
    var names = data.children.map(function (k) { return k.name; });
    var pick = 0;
    var bar = show("chart-children");
    var map = null;
    var draw = function () {
      if (bar) bar.setOption({
        title: { text: data.names[pick], left: "center", textStyle: { fontSize: 14 } },
        tooltip: { trigger: "axis" },
        grid: { top: 40, left: 60, right: 20, bottom: 80 },
        xAxis: { type: "category", data: names, axisLabel: { rotate: 40 } },
        yAxis: { type: "value" },
        series: [{ type: "bar", data: data.children.map(function (k) { return k.values[pick]; }) }]
      }, true);
      if (map) {
        var vals = data.children.map(function (k) { return { name: k.code, value: k.values[pick], label: k.name }; });
        var max = Math.max.apply(null, vals.map(function (v) { return v.value; }).concat([1]));
        map.setOption({
          title: { text: data.names[pick], left: "center", textStyle: { fontSize: 14 } },
          tooltip: { formatter: function (p) { return (p.data ? p.data.label : p.name) + "：" + (p.value === p.value ? p.value : "—"); } },
          visualMap: { min: 0, max: max, calculable: true, left: 10, bottom: 10 },
          series: [{ type: "map", map: "kepu-units", roam: true, data: vals }]
        }, true);
      }
    };
    // A header click in the children table picks the indicator the charts show.
    var heads = document.querySelectorAll("table.dash-children thead th");
    for (var i = 1; i < heads.length; i++) {
      (function (k) {
        heads[i].style.cursor = "pointer";
        heads[i].addEventListener("click", function () { pick = k; draw(); });
      })(i - 1);
    }
    if (data.map) {
      fetch(data.map, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; }).then(function (gj) {
        if (!gj) return;
        var mine = {};
        data.children.forEach(function (k) { mine[k.code] = true; });
        gj.features = gj.features.filter(function (f) { return mine[f.properties.code]; });
        if (!gj.features.length) return;
        echarts.registerMap("kepu-units", gj);
        map = show("chart-map");
        draw();
      }).catch(function () {});
    }
    draw();
  }
})();

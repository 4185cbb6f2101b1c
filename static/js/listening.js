// The listening dashboard's charts, drawn with uPlot (static/vendor) from
// the JSON block the page carries: the content security policy allows no
// inline script, so the data travels as <script type="application/json">.
// The page's tables hold the same numbers, so nothing is lost without
// JavaScript.
(function () {
  "use strict";

  var palette = ["#1f5f8b", "#d9822b", "#1e7a46", "#7b4bb7", "#b42318", "#0f8b8d", "#6b7280", "#c2410c"];

  function readData() {
    var el = document.getElementById("listening-data");
    if (!el || typeof uPlot === "undefined") return null;
    try {
      return JSON.parse(el.textContent);
    } catch (e) {
      return null;
    }
  }

  // Days arrive as YYYY-MM-DD in the reader's zone; uPlot wants seconds.
  function dayStamps(days) {
    return days.map(function (d) {
      var p = d.split("-");
      return new Date(+p[0], +p[1] - 1, +p[2]).getTime() / 1000;
    });
  }

  function width(el) {
    return Math.max(280, el.clientWidth);
  }

  function minutes(list) {
    return list.map(function (s) { return s == null ? null : Math.round(s / 6) / 10; });
  }

  var charts = [];

  function add(el, opts, data) {
    if (!el) return;
    opts.width = width(el);
    opts.height = opts.height || 240;
    charts.push({ el: el, plot: new uPlot(opts, data, el) });
  }

  function volume(d, x) {
    add(document.getElementById("chart-volume"), {
      series: [
        {},
        { label: "Posts", stroke: palette[0], width: 2, fill: "rgba(31,95,139,.08)" },
        { label: "Inbox items", stroke: palette[1], width: 2 },
        { label: "Replied", stroke: palette[2], width: 2 }
      ],
      scales: { y: { range: function (u, lo, hi) { return [0, Math.max(4, hi)]; } } },
      axes: [{}, { label: "per day", size: 50 }]
    }, [x, d.items, d.inbox, d.replied]);
  }

  function terms(d) {
    var el = document.getElementById("chart-terms");
    if (!el || !d.terms || !d.terms.length) return;
    var top = d.terms.slice(0, 10);
    var xs = top.map(function (t, i) { return i; });
    add(el, {
      height: 260,
      legend: { show: false },
      scales: { x: { time: false, range: [-0.6, top.length - 0.4] }, y: { range: function (u, lo, hi) { return [0, Math.max(2, hi)]; } } },
      series: [
        {},
        { label: "Posts", fill: "rgba(31,95,139,.75)", stroke: palette[0], paths: uPlot.paths.bars({ size: [0.6, 60] }), points: { show: false } }
      ],
      axes: [
        {
          splits: function () { return xs; },
          values: function (u, splits) { return splits.map(function (i) { return top[i] ? top[i].term : ""; }); },
          rotate: top.length > 5 ? -30 : 0,
          size: top.length > 5 ? 70 : 40,
          grid: { show: false }
        },
        { label: "posts", size: 50 }
      ]
    }, [xs, top.map(function (t) { return t.count; })]);
  }

  // The colours of the response chart's lines live in social.css, beside
  // the keys that the figures and the table carry.
  function cssColour(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  function largest(lists) {
    return lists.reduce(function (m, l) {
      return l.reduce(function (m, v) { return v == null ? m : Math.max(m, v); }, m);
    }, 0);
  }

  // One small chart per department, on one scale so their heights compare:
  // with the median and the 90th percentile each in its own colour, a
  // department per colour would need twice as many colours to keep apart.
  function response(d, x) {
    var box = document.getElementById("chart-response");
    if (!box || !d.departments || !d.departments.length) return;
    var median = cssColour("--chart-median"), p90 = cssColour("--chart-p90"), target = cssColour("--chart-target");
    var goal = d.target_seconds ? Math.round(d.target_seconds / 6) / 10 : null;
    var top = Math.max(1, goal || 0, largest(d.departments.map(function (dep) { return minutes(dep.p90); })));
    d.departments.forEach(function (dep) {
      var fig = document.createElement("figure");
      fig.className = "chart-department";
      var cap = document.createElement("figcaption");
      cap.textContent = dep.name;
      var el = document.createElement("div");
      el.className = "chart";
      fig.appendChild(cap);
      fig.appendChild(el);
      box.appendChild(fig);
      var series = [
        {},
        { label: "Median", class: "series-median", stroke: median, width: 2, spanGaps: true },
        { label: "90th percentile", class: "series-p90", stroke: p90, width: 2, dash: [6, 4], spanGaps: true }
      ];
      var data = [x, minutes(dep.median), minutes(dep.p90)];
      if (goal) {
        series.push({ label: "Target", class: "series-target", stroke: target, width: 1, dash: [2, 3], points: { show: false } });
        data.push(x.map(function () { return goal; }));
      }
      add(el, {
        series: series,
        scales: { y: { range: [0, top * 1.1] } },
        axes: [{}, { label: "minutes", size: 50 }]
      }, data);
    });
  }

  function draw() {
    var d = readData();
    if (!d || !d.days || !d.days.length) return;
    var x = dayStamps(d.days);
    volume(d, x);
    terms(d);
    response(d, x);
  }

  var resizing;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      charts.forEach(function (c) { c.plot.setSize({ width: width(c.el), height: c.plot.height }); });
    }, 150);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();

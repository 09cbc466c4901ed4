/* parkmatch 招商工作台: progressive enhancement only. Every page works without this file
   (forms submit, links navigate); with it, charts are drawn, sliders re-rank live and board
   cards can be dragged. */
(function () {
  "use strict";

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function toast(text) {
    var el = document.getElementById("toast");
    if (!el) return;
    el.textContent = text;
    el.hidden = false;
    clearTimeout(el._timer);
    el._timer = setTimeout(function () { el.hidden = true; }, 6000);
  }

  var charts = [];
  function chartOn(el) {
    if (!window.echarts || !el) return null;
    var old = window.echarts.getInstanceByDom(el);
    if (old) old.dispose();
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    charts.push(chart);
    return chart;
  }
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { if (!c.isDisposed()) c.resize(); });
    clearTimeout(resizeTimer);  /* the waterfall's labels depend on the width: draw it again */
    resizeTimer = setTimeout(drawWaterfall, 150);
  });

  var FONT = getComputedStyle(document.documentElement).fontFamily;

  /* 瀑布图: baseline + contributions = score (the explanation's own numbers) */
  function drawWaterfall() {
    var el = document.getElementById("waterfall");
    var w = data("waterfall-data");
    if (!el || !w) return;
    var chart = chartOn(el);
    if (!chart) return;
    var steps = w.steps;
    var last = steps.length - 1;
    var base = steps.map(function (s, i) {
      return i === 0 || i === last ? 0 : Math.min(s.start, s.end);
    });
    var size = steps.map(function (s, i) {
      var v = i === 0 || i === last ? s.end : Math.abs(s.end - s.start);
      var color = i === last ? "#b71c1c" : i === 0 ? "#90a4ae" : s.value >= 0 ? "#1d5fbf" : "#e57373";
      return { value: Number(v.toFixed(2)), itemStyle: { color: color }, step: s };
    });
    chart.setOption({
      animation: false, textStyle: { fontFamily: FONT },
      grid: { left: 44, right: 12, top: 24, bottom: 24, containLabel: true },
      tooltip: {
        trigger: "axis", axisPointer: { type: "shadow" },
        formatter: function (items) {
          var s = items[items.length - 1].data.step;
          var sign = s.value >= 0 ? "+" : "";
          return s.label + "：" + (s.key === "score" || s.key === "baseline" ? "" : sign) +
            s.value.toFixed(2) + " 分<br>累计 " + s.end.toFixed(2) + " 分";
        }
      },
      xAxis: { type: "category", data: steps.map(function (s) { return s.label; }),
               axisLabel: { interval: 0, rotate: steps.length > 7 || el.clientWidth < 520 ? 40 : 0 } },
      yAxis: { type: "value", name: "分", min: 0 },
      series: [
        { name: "起点", type: "bar", stack: "w", silent: true, data: base,
          itemStyle: { color: "transparent" } },
        { name: "贡献", type: "bar", stack: "w", data: size, barMaxWidth: 48,
          label: { show: true, position: "top",
                   formatter: function (p) {
                     var s = p.data.step;
                     if (s.key === "score" || s.key === "baseline") return s.value.toFixed(1);
                     return (s.value >= 0 ? "+" : "") + s.value.toFixed(1);
                   } } }
      ]
    });
    el.setAttribute("data-ready", "1");
  }

  /* 园区总览地图: province outlines (bundled) + parks and leads by longitude/latitude */
  function drawMap() {
    var el = document.getElementById("park-map");
    var m = data("map-data");
    if (!el || !m || !window.echarts) return;
    /* province outlines, with Henan drawn by its prefecture cities (where the sample parks are) */
    Promise.all(["china", "henan"].map(function (name) {
      return fetch("/app/static/vendor/maps/" + name + ".json").then(function (r) { return r.json(); });
    }))
      .then(function (maps) {
        var geo = maps[0];
        geo.features = geo.features.filter(function (f) { return f.properties.name !== "河南"; })
          .concat(maps[1].features);
        window.echarts.registerMap("china", geo);
        var chart = chartOn(el);
        var b = m.bounds;  /* [[west, north], [east, south]]: centre the parks, zoom to fit them */
        var center = [(b[0][0] + b[1][0]) / 2, (b[0][1] + b[1][1]) / 2];
        var zoom = Math.max(1, Math.min(40, 55 / Math.max(b[1][0] - b[0][0], b[0][1] - b[1][1])));
        chart.setOption({
          animation: false, textStyle: { fontFamily: FONT },
          tooltip: { trigger: "item", formatter: function (p) {
            var d = p.data || {};
            if (p.seriesName === "园区") return "园区：" + d.name;
            if (p.seriesName === "跟进中的线索") return d.name + "<br>" + d.park + " · " + d.status;
            if (p.seriesName === "推荐线索") return d.name + "<br>" + d.park + " · " + d.score + " 分";
            return p.name;
          } },
          legend: { bottom: 4, data: ["园区", "跟进中的线索", "推荐线索"] },
          geo: { map: "china", roam: true, center: center, zoom: zoom, scaleLimit: { min: 1, max: 60 },
                 itemStyle: { areaColor: "#eef2f6", borderColor: "#9aa8b8" },
                 emphasis: { itemStyle: { areaColor: "#dde6ef" }, label: { show: false } },
                 label: { show: false } },
          series: [
            { name: "推荐线索", type: "scatter", coordinateSystem: "geo", data: m.top,
              symbolSize: 6, itemStyle: { color: "#73c0de", opacity: 0.8 } },
            { name: "跟进中的线索", type: "scatter", coordinateSystem: "geo", data: m.leads,
              symbolSize: 9, itemStyle: { color: "#fac858", borderColor: "#8a6d00" } },
            { name: "园区", type: "effectScatter", coordinateSystem: "geo", data: m.parks,
              symbolSize: 13, rippleEffect: { scale: 2.2 }, itemStyle: { color: "#b71c1c" },
              label: { show: false, position: "right", fontSize: 11,
                       formatter: function (p) { return p.data.name; } },
              emphasis: { label: { show: true } } }
          ]
        });
        chart.on("click", function (p) {
          if (p.data && p.data.url) window.location.href = p.data.url;
          else if (p.data && p.data.park_id) window.location.href = "/app/parks/" + encodeURIComponent(p.data.park_id) + "/leads";
        });
        el.setAttribute("data-ready", "1");
      })
      .catch(function () { el.textContent = "地图数据加载失败"; });
  }

  /* 产业链关系图 */
  function drawGraph() {
    var el = document.getElementById("chain-graph");
    var g = data("graph-data");
    if (!el || !g) return;
    var chart = chartOn(el);
    if (!chart) return;
    chart.setOption({
      animation: false, textStyle: { fontFamily: FONT },
      tooltip: { formatter: function (p) {
        if (p.dataType === "edge") return "上下游";
        var d = p.data;
        return d.chain + " · " + d.name + "<br>" + d.status + "，入驻 " + d.n_tenants + " 家";
      } },
      series: [{
        type: "graph", layout: "none", roam: true, data: g.nodes, links: g.edges,
        edgeSymbol: ["none", "arrow"], edgeSymbolSize: 7,
        lineStyle: { color: "#9aa8b8", curveness: 0.15 },
        label: { show: true, position: "bottom", fontSize: 11,
                 formatter: function (p) { return p.data.name + "\n" + p.data.status; } }
      }]
    });
    el.setAttribute("data-ready", "1");
  }

  /* 权重滑块: show each weight's share while dragging; htmx re-ranks on change */
  function sliders() {
    var box = document.querySelector(".sliders");
    if (!box) return;
    function shares() {
      var inputs = box.querySelectorAll("input[type=range]");
      var total = 0;
      inputs.forEach(function (i) { total += Number(i.value); });
      inputs.forEach(function (i) {
        var out = document.getElementById(i.id + "-share");
        if (out) out.textContent = total > 0 ? (100 * Number(i.value) / total).toFixed(0) + "%" : "—";
      });
    }
    box.addEventListener("input", shares);
    shares();
  }

  /* 看板: drag a card to another column = choose that status and submit the card's form */
  function board() {
    var root = document.getElementById("board");
    if (!root) return;
    root.querySelectorAll(".lead-card").forEach(function (card) {
      card.addEventListener("dragstart", function (e) {
        e.dataTransfer.setData("text/plain", card.id);
        e.dataTransfer.effectAllowed = "move";
      });
    });
    root.querySelectorAll(".column").forEach(function (col) {
      col.addEventListener("dragover", function (e) { e.preventDefault(); col.classList.add("drop"); });
      col.addEventListener("dragleave", function () { col.classList.remove("drop"); });
      col.addEventListener("drop", function (e) {
        e.preventDefault();
        col.classList.remove("drop");
        var card = document.getElementById(e.dataTransfer.getData("text/plain"));
        if (!card || card.closest(".column") === col) return;
        var form = card.querySelector("form");
        form.querySelector("select[name=status]").value = col.getAttribute("data-status");
        form.requestSubmit();
      });
    });
  }

  function init() {
    drawWaterfall();
    drawMap();
    drawGraph();
    sliders();
    board();
  }

  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSettle", function () { sliders(); board(); });
  document.addEventListener("htmx:responseError", function (e) {
    toast("请求失败（" + e.detail.xhr.status + "）：请刷新页面后重试");
  });
  document.addEventListener("htmx:sendError", function () { toast("无法连接服务，请检查网络后重试"); });
  document.addEventListener("submit", function (e) {
    var button = e.submitter;
    if (button && !e.target.hasAttribute("hx-post") && !e.target.hasAttribute("hx-get")) {
      setTimeout(function () { button.disabled = true; }, 0);
      setTimeout(function () { button.disabled = false; }, 8000);  /* downloads stay on the page */
    }
  });
})();

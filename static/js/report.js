/* The grid report's charts (Apache ECharts, served from static/vendor/, installed from npm
 * by `make vendor`): the children compared on one metric at a time (the chips switch it;
 * a tap on a bar opens that child's report), the monthly trend and the members' stars,
 * each with readable axis labels and its values on tap. Without ECharts (not installed, or
 * an old browser) the page keeps its lists and tables, which carry the same figures. */
/* global echarts */
"use strict";

(function () {
  const source = document.getElementById("report-data");
  if (!source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const big = document.documentElement.classList.contains("elder");
  const font = big ? 18 : 14;
  const accent = "#c8102e";
  const charts = [];
  const base = {
    textStyle: { fontSize: font, fontFamily: "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif" },
    aria: { enabled: true },
    animation: false,
    tooltip: { trigger: "axis", triggerOn: "click|mousemove", confine: true, textStyle: { fontSize: font } },
  };

  function show(id, option) {
    const el = document.getElementById(id);
    if (!el) return null;
    el.hidden = false;
    const chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(Object.assign({}, base, option));
    charts.push(chart);
    return chart;
  }

  function percent(v) {
    return v === null || v === undefined ? "—" : `${Math.round(v * 100)}%`;
  }

  // --- children: one metric at a time, sorted, values at the bars' ends -------------------
  const childEl = document.getElementById("chart-children");
  if (childEl && data.children.length) {
    const chips = Array.from(document.querySelectorAll("#metric-chips a[data-metric]"));
    const rows = data.children.length;
    childEl.style.height = `${Math.max(200, rows * (big ? 44 : 34) + 40)}px`;
    let chart = null;
    const draw = (key) => {
      const metric = data.metrics.find((m) => m.key === key);
      const sorted = data.children.slice().sort((a, b) => (a[key] || 0) - (b[key] || 0));
      const fmt = metric.share ? percent : (v) => String(v ?? 0);
      const option = {
        grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value", max: metric.share ? 1 : null, axisLabel: { show: false }, splitLine: { show: false } },
        yAxis: { type: "category", data: sorted.map((c) => c.name), axisLabel: { fontSize: font, width: 110, overflow: "truncate" }, axisTick: { show: false } },
        tooltip: Object.assign({}, base.tooltip, { valueFormatter: fmt }),
        series: [{
          name: metric.label,
          type: "bar",
          data: sorted.map((c) => ({ value: c[key] || 0, id: c.id })),
          itemStyle: { color: accent, borderRadius: [0, 4, 4, 0] },
          barMaxWidth: 22,
          label: { show: true, position: "right", fontSize: font, formatter: (p) => fmt(p.value) },
        }],
      };
      if (chart) chart.setOption(option, true);
      else chart = show("chart-children", option);
    };
    draw(data.metrics[0].key);
    const details = document.getElementById("child-details");
    if (details && rows > 6) details.open = false; // the chart first; the list a tap away
    document.getElementById("metric-chips").hidden = false;
    for (const chip of chips) {
      chip.addEventListener("click", (event) => {
        event.preventDefault();
        for (const c of chips) c.setAttribute("aria-current", c === chip ? "true" : "false");
        draw(chip.dataset.metric);
      });
    }
    if (data.drill) {
      // A second tap on a bar (the first shows its value) opens that child's report.
      let armed = null;
      chart.on("click", (p) => {
        const id = p.data && p.data.id;
        if (armed === id) {
          const url = new URL(window.location.href);
          url.searchParams.set("node", id);
          window.location.href = url.toString();
        }
        armed = id;
      });
    }
  }

  // --- the monthly trend: visits (line, right axis) and problems found/resolved (bars) ------
  if (data.trend.length) {
    const months = data.trend.map((m) => m.month.slice(2).replace("-", "/"));
    show("chart-trend", {
      legend: { top: 0, textStyle: { fontSize: font }, itemGap: 12 },
      grid: { left: 8, right: 8, top: big ? 64 : 48, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: months, axisLabel: { fontSize: font - 2, rotate: months.length > 6 ? 45 : 0 } },
      yAxis: [
        { type: "value", name: data.series.problems_found, nameTextStyle: { fontSize: font - 2 }, minInterval: 1, axisLabel: { fontSize: font - 2 } },
        { type: "value", name: data.series.visits, nameTextStyle: { fontSize: font - 2 }, minInterval: 1, axisLabel: { fontSize: font - 2 }, splitLine: { show: false } },
      ],
      series: [
        { name: data.series.problems_found, type: "bar", data: data.trend.map((m) => m.problems_found), itemStyle: { color: "#f08a98" } },
        { name: data.series.problems_resolved, type: "bar", data: data.trend.map((m) => m.problems_resolved), itemStyle: { color: "#1a7f37" } },
        { name: data.series.visits, type: "line", yAxisIndex: 1, data: data.trend.map((m) => m.visits), itemStyle: { color: "#1f2328" }, symbolSize: 8 },
      ],
    });
    document.getElementById("trend-section").classList.add("charts-on");
  }

  // --- the members' stars ------------------------------------------------------------------
  show("chart-stars", {
    grid: { left: 8, right: 8, top: 24, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: data.stars.map((s) => `${s.star}${data.star}`), axisLabel: { fontSize: font } },
    yAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: font - 2 } },
    series: [{ name: data.members, type: "bar", data: data.stars.map((s) => s.members), itemStyle: { color: "#d4a017" }, label: { show: true, position: "top", fontSize: font } }],
  });
  const stars = document.getElementById("stars");
  if (stars) stars.parentElement.classList.add("charts-on");

  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();

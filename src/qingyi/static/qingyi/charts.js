// Draws each .qy-chart as a pie from its data-series; a click opens the records behind a slice.
(function () {
  function draw(el) {
    var data = JSON.parse(el.dataset.series || "[]").filter(function (d) { return d.value > 0; });
    var chart = echarts.init(el);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      series: [{ type: "pie", radius: ["35%", "70%"], data: data, label: { formatter: "{b}\n{c}" } }]
    });
    chart.on("click", function (p) { window.location = el.dataset.url + "&key=" + encodeURIComponent(p.data.key); });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.querySelectorAll(".qy-chart").forEach(draw);
})();

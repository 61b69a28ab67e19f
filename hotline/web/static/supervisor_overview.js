// /supervisor: the overview (issue 15, item 7): daily orders with the on-time and satisfaction
// rates, the town × category heat map of appeals, and the three rates by week or month.
(function () {
  const {$} = Sup;
  async function daily() {
    const t = await Hotline.api('GET', '/api/v1/reports/daily?' + Sup.query());
    Sup.showPeriod(t);
    const sum = k => t.items.reduce((n, i) => n + (i[k] || 0), 0);
    h.fill($('totals'), '统计期内派单工单', h('strong', null, sum('orders')), '件, 已办结', h('strong', null, sum('closed')), '件');
    Sup.chart($('chart-daily'), {
      legend: {top: 0},
      grid: {left: 60, right: 70, top: 60, bottom: 60},
      tooltip: {trigger: 'axis'},
      xAxis: {type: 'category', data: t.items.map(i => i.day.slice(5)), axisLabel: {hideOverlap: true}},
      yAxis: [{type: 'value', name: '工单量', minInterval: 1},
              {type: 'value', name: '比率 (%)', min: 0, max: 100}],
      dataZoom: t.items.length > 62 ? [{type: 'slider', bottom: 10}] : [],
      series: [
        {name: '派单工单量', type: 'bar', data: t.items.map(i => i.orders)},
        {name: '按时办结率', type: 'line', yAxisIndex: 1, connectNulls: true, data: t.items.map(i => Sup.pct(i.ontime_rate))},
        {name: '满意率', type: 'line', yAxisIndex: 1, connectNulls: true, data: t.items.map(i => Sup.pct(i.satisfaction_rate))},
      ],
    });
  }
  async function heat() {
    const m = await Hotline.api('GET', '/api/v1/reports/heatmap?' + Sup.query());
    if (!m.cells.length) {
      h.fill($('chart-heat'), h('p', {class: 'empty'}, '统计期内暂无派单工单'));
      $('chart-heat').classList.add('is-empty');
      return;
    }
    $('chart-heat').classList.remove('is-empty');
    Sup.chart($('chart-heat'), {
      tooltip: {position: 'top', formatter: p => `${m.towns[p.value[1]]} · ${m.categories[p.value[0]]}: ${p.value[2]} 件`},
      grid: {left: 130, right: 30, top: 20, bottom: 170},
      xAxis: {type: 'category', data: m.categories, axisLabel: {rotate: 45, interval: 0}, splitArea: {show: true}},
      yAxis: {type: 'category', data: m.towns, inverse: true, axisLabel: {interval: 0}, splitArea: {show: true}},
      visualMap: {min: 0, max: Math.max(1, m.max), calculable: true, orient: 'horizontal', left: 'center', bottom: 0,
                  text: ['多', '少'], inRange: {color: ['#fff5f0', '#fcbba1', '#fb6a4a', '#cb181d', '#67000d']}},
      series: [{name: '诉求量', type: 'heatmap', data: m.cells, label: {show: true, fontSize: 12},
                emphasis: {itemStyle: {borderColor: '#333', borderWidth: 1}}}],
    });
  }
  async function trend() {
    const t = await Hotline.api('GET', '/api/v1/reports/trends?' + Sup.query({by: $('by').value}));
    const pc = k => t.items.map(i => Sup.pct(i[k]));
    Sup.chart($('chart-trend'), {
      legend: {top: 0}, grid: {left: 60, right: 30, top: 50, bottom: 40},
      tooltip: {trigger: 'axis'},
      xAxis: {type: 'category', data: t.items.map(i => i.period)},
      yAxis: {type: 'value', name: '比率 (%)', min: 0, max: 100},
      series: [{name: '响应率', type: 'line', data: pc('response_rate')},
               {name: '解决率', type: 'line', data: pc('resolution_rate')},
               {name: '满意率', type: 'line', data: pc('satisfaction_rate')}],
    });
  }
  $('by').addEventListener('change', () => Sup.run(trend));
  Sup.start(() => Promise.all([daily(), heat(), trend()]));
})();

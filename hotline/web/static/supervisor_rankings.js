// /supervisor/rankings: units ranked by the composite score or one rate, as a bar chart and a
// table (key columns first, every indicator on request; unit names on one line).
(function () {
  const {$} = Sup;
  const KEY = new Set(['rank', 'rank_in_town', 'unit_name', 'sample', 'score', 'assigned', 'closed', 'response_rate', 'resolution_rate',
                       'satisfaction_rate', 'ontime_rate', 'return_rate', 'deduction', 'return_flag']);
  let report = null;
  function draw() {
    const key = $('metric').value;
    const name = $('metric').selectedOptions[0].textContent;
    const rate = key !== 'score';
    const items = report.items.filter(i => i[key] != null)
      .sort((a, b) => (b[key] - a[key]) || a.unit_name.localeCompare(b.unit_name, 'zh'));
    const el = $('chart-rank');
    el.classList.toggle('is-empty', !items.length);
    if (!items.length) { h.fill(el, h('p', {class: 'empty'}, `统计期内各单位暂无「${name}」数据`)); return; }
    const v = i => rate ? Sup.pct(i[key]) : Math.round(i[key] * 10) / 10;
    const rows = items.slice().reverse();     // the best at the top
    Sup.chart(el, {
      title: {text: name + (rate ? ' (%)' : ''), left: 'center', textStyle: {fontSize: 16}},
      grid: {left: 210, right: 70, top: 40, bottom: 20},
      tooltip: {trigger: 'axis', axisPointer: {type: 'shadow'}},
      xAxis: {type: 'value', max: rate || key === 'score' ? 100 : null},
      yAxis: {type: 'category', data: rows.map(i => i.unit_name), axisLabel: {interval: 0, fontSize: 13}},
      series: [{name, type: 'bar', data: rows.map(v), label: {show: true, position: 'right', formatter: p => p.value + (rate ? '%' : '')},
                itemStyle: {color: '#1565c0'}}],
    }, {height: Math.max(240, 60 + 26 * rows.length)});   // one bar per unit, whatever their number
  }
  function fill() {
    Sup.table($('units'), report, {only: $('all-cols').checked ? null : KEY});
  }
  async function load() {
    const tier = new URLSearchParams(location.search).get('tier') || '';
    $('tier').value = tier;
    report = await Hotline.api('GET', '/api/v1/reports/units?' + Sup.query({tier}));
    Sup.showPeriod(report);
    $('fv').textContent += ` · 公式版本 ${report.formula_version}` +
      (report.min_sample ? ` · 计分工单不足 ${report.min_sample} 件不排名` : '');
    fill(); draw();
    Sup.table($('distributions'), await Hotline.api('GET', '/api/v1/reports/distributions?' + Sup.query()));
  }
  $('tier').addEventListener('change', () => {
    // the tier is kept in the URL like the period, so the view can be shared and reloaded
    const p = new URLSearchParams(location.search);
    $('tier').value ? p.set('tier', $('tier').value) : p.delete('tier');
    history.replaceState(null, '', location.pathname + (p.toString() ? '?' + p : ''));
    Sup.run(load);
  });
  $('metric').addEventListener('change', () => report && draw());
  $('all-cols').addEventListener('change', () => report && fill());
  Sup.start(load);
})();

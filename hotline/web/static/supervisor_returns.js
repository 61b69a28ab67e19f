// /supervisor/returns: 退单统计 (GET /api/v1/reports/returns) by unit, agent and category.
(function () {
  const {$} = Sup;
  const UNIT_COLS = [['unit_name', '单位'], ['requested', '退单申请'], ['approved', '同意退单 (合理)'],
                     ['rejected', '驳回退单 (不当)'], ['arbitration_reassigned', '裁定改派'], ['arbitration_kept', '裁定维持']];
  async function load() {
    const p = Sup.fullPeriod();
    const r = await Hotline.api('GET', '/api/v1/reports/returns?' + new URLSearchParams(p));
    Sup.showPeriod(p);
    const t = r.totals;
    h.fill($('return-totals'), '退单申请', h('strong', null, t.requested), '件: 同意', h('strong', null, t.approved),
           '件, 驳回', h('strong', null, t.rejected), '件, 裁定改派', h('strong', null, t.arbitration_reassigned),
           '件, 裁定维持', h('strong', null, t.arbitration_kept), '件');
    const units = r.units.slice().sort((a, b) => b.requested - a.requested);
    Sup.table($('return-units'), {columns: UNIT_COLS, items: units}, {empty: '统计期内没有退单'});
    Sup.table($('return-agents'), {columns: [['agent', '话务员 (登录名)'], ['orders', '受理工单'],
      ['attributed_returns', '归责退单'], ['rate_percent', '归责率 (%)']],
      items: r.agents.filter(a => a.attributed_returns || a.orders)}, {empty: '统计期内没有话务员受理的工单'});
    Sup.table($('return-categories'), {columns: [['category', '分类'], ['attributed_returns', '归责退单']],
      items: r.categories}, {empty: '统计期内没有归责于分类的退单'});
    const el = $('chart-returns');
    const top = units.filter(u => u.requested).slice(0, 15).reverse();
    el.hidden = !top.length;
    if (top.length) {
      Sup.chart(el, {
        legend: {top: 0}, grid: {left: 210, right: 40, top: 40, bottom: 20},
        tooltip: {trigger: 'axis', axisPointer: {type: 'shadow'}},
        xAxis: {type: 'value', minInterval: 1},
        yAxis: {type: 'category', data: top.map(u => u.unit_name), axisLabel: {interval: 0}},
        series: [{name: '同意退单', type: 'bar', stack: 'r', data: top.map(u => u.approved)},
                 {name: '驳回退单', type: 'bar', stack: 'r', data: top.map(u => u.rejected)},
                 {name: '待处理或裁定', type: 'bar', stack: 'r', data: top.map(u => Math.max(0, u.requested - u.approved - u.rejected))}],
      });
    }
  }
  Sup.start(load);
})();

// Supervisor page: unit ranking, queues, trends, distributions and exports
// (docs/design/domain.md §8).
Hotline.requireLogin();
const $ = id => document.getElementById(id);
const RATE = /_rate$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const ANSWERS = {resolved: '已解决', partial: '部分解决', unresolved: '未解决', satisfied: '满意', basic: '基本满意',
                 dissatisfied: '不满意'};
let L = null;   // names for codes (Hotline.labels): the page shows names, codes only in exports
function fmt(k, v) {
  if (v == null && (k === 'rank' || k === 'rank_in_town')) return '不排名';   // below the minimum sample
  if (v == null) return '—';
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (RATE.test(k)) return (Math.round(v * 1000) / 10) + '%';
  if (typeof v === 'string' && ISO.test(v)) return Hotline.fmt(v);          // 12-03 19:06
  if (L && (k === 'unit' || k === 'town') && L.units.has(v)) return L.units.get(v);
  if (L && k === 'category' && L.categories.has(v)) return L.categories.get(v);
  if ((k === 'resolved' || k === 'satisfaction') && ANSWERS[v]) return ANSWERS[v];
  return v;
}
// the unit code column is for exports only; unit names never wrap one character a line
const CODE_COLS = new Set(['单位代码']);
const NOWRAP = new Set(['unit', 'unit_name', 'number', 'order_number', 'town', 'category', 'tier_name', 'rank', 'parent_name']);
function table(el, t, extra) {
  const cols = t.columns.filter(c => !CODE_COLS.has(c[1]));
  el.classList.add('report');
  h.fill(el, h('thead', null, h('tr', null, cols.map(c => h('th', {class: NOWRAP.has(c[0]) ? 'nowrap' : null}, c[1])), extra ? h('th', null, '操作') : null)),
    h('tbody', null, t.items.map(i => h('tr', {'data-unit': i.unit || ''},
      cols.map(c => h('td', {'data-k': c[0], class: NOWRAP.has(c[0]) ? 'nowrap' : null}, fmt(c[0], i[c[0]]))),
      extra ? h('td', null, extra(i)) : null))));
}
function q() {
  const p = new URLSearchParams();
  if ($('from').value) p.set('from', $('from').value);
  if ($('to').value) p.set('to', $('to').value);
  // units are ranked within their tier (issue 18 item 1); other reports ignore it
  if ($('tier') && $('tier').value) p.set('tier', $('tier').value);
  return p;
}
async function exportTable(name, format) {
  const p = q(); p.set('format', format);
  const r = await fetch(`/api/v1/reports/${name}?${p}`, {credentials: 'same-origin'});   // the session cookie (app.js)
  const url = URL.createObjectURL(await r.blob());
  const a = document.createElement('a'); a.href = url; a.download = `${name}.${format}`; a.click();
}
document.querySelectorAll('.exp').forEach(b => b.onclick = () => exportTable(b.dataset.r, b.dataset.f));
async function loadUnits() {
  const t = await Hotline.api('GET', '/api/v1/reports/units?' + q());
  $('fv').textContent = `统计期 ${t.from} 至 ${t.to} · 公式版本 ${t.formula_version} · 计分工单不足 ${t.min_sample} 件不排名`;
  table($('units'), t);
  const names = t.items.map(i => i.unit_name);
  HChart.bars($('chart-score'), names, t.items.map(i => i.score), {title: '综合得分'});
  HChart.bars($('chart-sat'), names, t.items.map(i => i.satisfaction_rate == null ? null : i.satisfaction_rate * 100),
              {title: '满意率', unit: '%'});
}
async function loadTrend() {
  const p = q(); p.set('by', $('by').value);
  const t = await Hotline.api('GET', '/api/v1/reports/trends?' + p);
  const pc = k => t.items.map(i => i[k] == null ? null : i[k] * 100);
  HChart.lines($('chart-trend'), t.items.map(i => i.period),
    [{name: '响应率', values: pc('response_rate')}, {name: '解决率', values: pc('resolution_rate')},
     {name: '满意率', values: pc('satisfaction_rate')}], {title: '三率趋势 (%)'});
}
async function loadTables() {
  for (const name of ['distributions', 'overdue', 'category-town', 'hot-spots', 'comments']) {
    table($(name), await Hotline.api('GET', `/api/v1/reports/${name}?` + q()));
  }
}
async function loadQueues() {
  const r = await Hotline.api('GET', '/api/v1/surveys?review=pending');
  table($('review'), {columns: [['order_number', '工单'], ['unit', '单位'], ['resolved', '解决'], ['satisfaction', '满意度'], ['comment', '意见']],
    items: r.items}, i => [h('input', {class: 'why', placeholder: '理由', 'data-id': i.id}), ' ',
      h('button', {'data-id': i.id, 'data-d': 'reopen'}, '重办'), ' ', h('button', {'data-id': i.id, 'data-d': 'unreasonable'}, '最终答复'), ' ',
      h('button', {'data-id': i.id, 'data-d': 'close'}, '办结')]);
  $('review').querySelectorAll('button').forEach(b => b.onclick = async () => {
    const why = $('review').querySelector(`.why[data-id="${b.dataset.id}"]`).value;
    try { await Hotline.api('POST', `/api/v1/surveys/${b.dataset.id}/decision`, {decision: b.dataset.d, reason: why || null}); refresh(); }
    catch (e) { alert(e.message); }
  });
  const a = await Hotline.api('GET', '/api/v1/appeals?status=pending');
  table($('appeals'), {columns: [['survey_id', '回访'], ['unit', '单位'], ['reason', '申诉理由'], ['evidence', '证据']], items: a.items},
    i => [h('input', {class: 'why', placeholder: '裁定理由', 'data-id': i.id}), ' ',
          h('button', {'data-id': i.id, 'data-d': 'uphold'}, '维持评价'), ' ',
          h('button', {'data-id': i.id, 'data-d': 'overturn'}, '撤销评价')]);
  $('appeals').querySelectorAll('button').forEach(b => b.onclick = async () => {
    const why = $('appeals').querySelector(`.why[data-id="${b.dataset.id}"]`).value;
    try { await Hotline.api('POST', `/api/v1/appeals/${b.dataset.id}/ruling`, {decision: b.dataset.d, reason: why}); refresh(); }
    catch (e) { alert(e.message); }
  });
}
async function refresh() {
  L = await Hotline.labels();
  loadUnits(); loadTrend(); loadTables(); loadQueues().catch(() => {});
}
$('go').onclick = refresh; $('by').onchange = loadTrend; $('tier').onchange = loadUnits;
refresh();

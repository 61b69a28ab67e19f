// 服务体验官季度报告 (issue 18 item 7): averages per unit and per channel of a quarter.
Hotline.requireLogin();
const $ = (id) => document.getElementById(id);
const now = new Date();
const quarters = [];
for (let i = 0; i < 8; i++) {
  const q = Math.floor(now.getMonth() / 3) - i, y = now.getFullYear() + Math.floor(q / 4), n = ((q % 4) + 4) % 4 + 1;
  quarters.push([`${y}Q${n}`, `${y} 年第 ${n} 季度`]);
}
h.fill($('quarter'), h.options(quarters, quarters[0][0]));
const score = (x) => x == null ? '无数据' : x.toFixed(2);
const line = (name, x) => [name, x.evaluations, score(x.speed), score(x.attitude), score(x.accuracy), score(x.result), score(x.overall)];

async function load() {
  $('x-error').textContent = '';
  try {
    const r = await Hotline.api('GET', '/api/v1/reports/experience?quarter=' + $('quarter').value);
    h.fill($('x-summary'), `服务体验官 ${r.officers} 人; 本季度评价 ${r.total.evaluations} 条, 综合平均 ${score(r.total.overall)} 分。`);
    const fill = (id, items, name, key) => h.fill($(id).tBodies[0], items.length ? items.map(x => h('tr', {['data-' + key]: x[key] || 'none'},
      line(name(x), x).map(c => h('td', null, c)))) : h('tr', null, h('td', {colspan: 7, class: 'hint'}, '本季度暂无评价')));
    fill('by-unit', r.by_unit, x => x.unit_name, 'unit');
    fill('by-channel', r.by_channel, x => x.channel_label, 'channel');
  } catch (e) { $('x-error').textContent = e.message + ' ' + Hotline.fieldErrors(e); }
}
$('go').addEventListener('click', load);
load();

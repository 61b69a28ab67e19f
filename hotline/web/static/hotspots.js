// 热点预警 (issue 17): open alerts with their appeals under the master order, grouping (并单) by
// the dispatcher, and the weekly hot-spot report. Text only, through dom.js h() (issue 12).
Hotline.requireLogin();
const me = Hotline.login();
let status = 'open';
const orderLink = (id, number) => h('a', {href: '/orders/' + encodeURIComponent(id)}, number);

function alertCard(a) {
  return h('article', {class: 'card hotspot', 'data-id': a.id},
    h('h2', null, `${a.town_name} · 热点「${D.short(a.topic, 30)}」 `, h('span', {class: 'badge' + (a.status === 'open' ? ' overdue' : '')}, a.status_label)),
    h('p', null, `${a.window_minutes} 分钟内达到 ${a.threshold} 件相似诉求 · 首件 ${D.fmt(a.first_at)} · 预警 ${D.fmt(a.raised_at)} · 共 ${a.count} 件 · 主工单 `,
      orderLink(a.master_order_id, a.master_number)),
    h('table', null, h('thead', null, h('tr', null, h('th', null, '工单'), h('th', null, '受理时间'), h('th', null, '诉求'), h('th', null, '状态'))),
      h('tbody', null, a.members.map(m => h('tr', null, h('td', null, orderLink(m.order_id, m.number)),
        h('td', {class: 'nowrap'}, D.fmt(m.received_at)), h('td', null, D.short(m.content, 60)),
        h('td', null, m.order_id === a.master_order_id ? '主工单' : (m.merged ? '已并入主工单' : m.status_label)))))),
    a.status === 'open' ? h('p', null,
      me.role === 'dispatcher' ? h('button', {type: 'button', class: 'merge', 'data-id': a.id, disabled: !a.unmerged}, `并入主工单 (${a.unmerged} 件可并)`) : null, ' ',
      ['dispatcher', 'supervisor'].includes(me.role) ? h('button', {type: 'button', class: 'secondary close', 'data-id': a.id}, '解除预警') : null,
      h('span', {class: 'error', role: 'alert'})) : null);
}
let loads = 0;   // an older answer never overwrites a newer one (a filter clicked meanwhile)
async function load() {
  const n = ++loads;
  const r = await Hotline.api('GET', '/api/v1/hotspots/alerts' + (status ? '?status=' + status : ''));
  if (n !== loads) return;
  h.fill(document.getElementById('alerts'), r.items.length ? r.items.map(alertCard) : h('p', {class: 'hint'}, '暂无热点预警'));
}
function topicList(items) {
  return items.length ? h('ol', null, items.map(t => h('li', null, `${t.topic_name} ${t.count} 件 (上周 ${t.previous} 件)`,
    h('ul', {class: 'hint'}, t.examples.map(x => h('li', null, orderLink(x.order_id, x.number), ' ' + D.short(x.content, 50))))))) : h('p', {class: 'hint'}, '无');
}
async function weekly() {
  const day = document.getElementById('week-of').value;
  const r = await Hotline.api('GET', '/api/v1/reports/hotspots/weekly' + (day ? '?week_of=' + day : ''));
  document.getElementById('week-range').textContent = `${r.week_start} 至 ${r.week_end} (与前一周比较)`;
  h.fill(document.getElementById('weekly'), r.towns.length ? h('table', null,
    h('thead', null, h('tr', null, h('th', {class: 'nowrap'}, '镇街'), h('th', {class: 'nowrap'}, '诉求数'), h('th', null, '诉求最多'), h('th', null, '上升最快'))),
    h('tbody', null, r.towns.map(t => h('tr', null, h('td', {class: 'nowrap'}, t.town_name), h('td', null, String(t.total)),
      h('td', null, topicList(t.top)), h('td', null, topicList(t.rising)))))) : h('p', {class: 'hint'}, '本周暂无诉求'));
}
document.getElementById('filter').addEventListener('click', (e) => {
  const b = e.target.closest('button'); if (!b) return;
  status = b.dataset.status;
  document.querySelectorAll('#filter button').forEach(x => x.classList.toggle('active', x === b));
  load();
});
document.getElementById('alerts').addEventListener('click', async (e) => {
  const b = e.target.closest('button.merge, button.close'); if (!b) return;
  const err = b.parentElement.querySelector('.error'); err.textContent = '';
  try {
    await Hotline.api('POST', `/api/v1/hotspots/alerts/${b.dataset.id}/${b.classList.contains('merge') ? 'merge' : 'close'}`, {});
    await load();
  } catch (ex) { D.showError(err, ex); }
});
document.getElementById('week-of').addEventListener('change', () => weekly());
load().catch(e => { document.getElementById('list-error').textContent = e.message; });
weekly().catch(e => { document.getElementById('list-error').textContent = e.message; });

// 承办单位收件箱: tabs 待签收 / 办理中 / 退单审核中 / 被回退 (+ 协办, + SLA tabs), one-click sign.
Hotline.requireLogin();
let tab = new URLSearchParams(location.search).get('tab') || 'to_sign';
async function load() {
  const r = await Hotline.api('GET', '/api/v1/inbox?tab=' + encodeURIComponent(tab));
  h.fill(document.getElementById('inbox-tabs'), r.tabs.map(t =>
    h('button', {'data-tab': t.key, class: t.key === tab ? 'active' : null}, t.label, ' ',
      h('span', {class: 'badge'}, r.counts[t.key] || 0))));
  // issue 15: the running clock's time left (a live countdown and a badge for rapid orders)
  h.fill(document.querySelector('#inbox tbody'), r.items.map(o => h('tr', {'data-id': o.id, class: o.rapid_item ? 'rapid-row' : null},
    h('td', null, D.link(o), Hotline.rapidBadge(o)), h('td', null, o.status_label),
    h('td', null, Hotline.clockBadge(o.sla, !!o.rapid_item)),
    h('td', null, D.short(o.content), o.assist_task
      ? h('div', {class: 'hint'}, '协办任务: ' + o.assist_task.task + ' · 期限 ' + D.fmt(o.assist_task.due)) : null),
    h('td', null, D.unitName(o.town) + ' ' + (o.address || '')), h('td', null, D.fmt(o.received_at)),
    h('td', null, tab === 'to_sign' ? h('button', {class: 'sign-btn'}, '签收') : null))),
  r.items.length ? null : D.emptyRow(7, '暂无工单'));
}
document.getElementById('inbox-tabs').addEventListener('click', (e) => {
  const b = e.target.closest('button'); if (!b) return; tab = b.dataset.tab; load();
});
document.getElementById('inbox').addEventListener('click', async (e) => {
  if (!e.target.classList.contains('sign-btn')) return;
  // issue 15: sign is confirmed in a dialog naming the order (docs/design/ux.md §6); the
  // button stays disabled while the request is in flight
  const number = e.target.closest('tr').querySelector('a').textContent;
  if (!await D.confirm('签收工单 ' + number + '？', '签收后本单位即为承办单位, 开始计算联系市民和答复时限。')) return;
  e.target.disabled = true;
  try { await D.act(e.target.closest('tr').dataset.id, 'sign'); await load(); }
  catch (err) { e.target.disabled = false; D.showError(document.getElementById('inbox-error'), err); }
});
load();

// 承办单位收件箱: tabs 待签收 / 办理中 / 退单审核中 / 被回退 (+ 协办, + SLA tabs), one-click sign.
Hotline.requireLogin();
let tab = new URLSearchParams(location.search).get('tab') || 'to_sign';
async function load() {
  const r = await Hotline.api('GET', '/api/v1/inbox?tab=' + encodeURIComponent(tab));
  document.getElementById('inbox-tabs').innerHTML = r.tabs.map(t =>
    `<button data-tab="${t.key}" class="${t.key === tab ? 'active' : ''}">${Hotline.esc(t.label)} <span class="badge">${r.counts[t.key] || 0}</span></button>`).join('');
  document.querySelector('#inbox tbody').innerHTML = r.items.map(o => `<tr data-id="${o.id}">
    <td>${D.link(o)}</td><td>${Hotline.esc(o.status_label)}</td>
    <td>${D.short(o.content)}${o.assist_task ? '<div class="hint">协办任务: ' + Hotline.esc(o.assist_task.task) + ' · 期限 ' + D.fmt(o.assist_task.due) + '</div>' : ''}</td>
    <td>${D.unitName(o.town)} ${Hotline.esc(o.address || '')}</td><td>${D.fmt(o.received_at)}</td>
    <td>${tab === 'to_sign' ? '<button class="sign-btn">签收</button>' : ''}</td></tr>`).join('')
    || '<tr><td colspan="6" class="hint">暂无工单</td></tr>';
}
document.getElementById('inbox-tabs').addEventListener('click', (e) => {
  const b = e.target.closest('button'); if (!b) return; tab = b.dataset.tab; load();
});
document.getElementById('inbox').addEventListener('click', async (e) => {
  if (!e.target.classList.contains('sign-btn')) return;
  try { await D.act(e.target.closest('tr').dataset.id, 'sign'); await load(); }
  catch (err) { D.showError(document.getElementById('inbox-error'), err); }
});
load();

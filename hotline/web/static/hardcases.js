// 疑难工单 · 挂牌督办 (issue 17): the supervisors' tracking list, proposals, progress notes and
// the monthly count. Text only, through dom.js h() (issue 12).
Hotline.requireLogin();
const me = Hotline.login();
const SUP = me.role === 'supervisor';
let status = 'open';
const KINDS = {proposed: '系统建议', opened: '列入督办', progress: '协调进展', resolved: '已化解', dismissed: '不予列入'};
const localInput = (days) => new Date(Date.now() + days * 86400000 - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 16);

function caseCard(c) {
  const forms = [];
  if (SUP && c.status === 'proposed') forms.push(h('form', {class: 'accept-form', 'data-order': c.order_id},
    h('div', {class: 'row'}, h('label', null, '牵头领导 ', h('input', {name: 'leader', maxlength: 64})),
      h('label', null, '协调期限 ', h('input', {name: 'due', type: 'datetime-local', value: localInput(15)}))),
    h('button', {type: 'submit'}, '确认列入'), ' ',
    h('button', {type: 'button', class: 'secondary dismiss', 'data-id': c.id}, '不予列入'), h('p', {class: 'error', role: 'alert'})));
  if (c.status === 'open' && ['supervisor', 'leader', 'dispatcher'].includes(me.role)) forms.push(h('form', {class: 'note-form', 'data-id': c.id},
    h('label', null, '协调进展 / 化解情况 ', h('textarea', {name: 'body', rows: 2, maxlength: 4000})),
    h('button', {type: 'submit'}, '记录进展'), ' ',
    SUP ? h('button', {type: 'button', class: 'secondary resolve', 'data-id': c.id}, '标记已化解') : null,
    h('p', {class: 'error', role: 'alert'})));
  return h('article', {class: 'card hardcase', 'data-id': c.id},
    h('h2', null, h('a', {href: '/orders/' + encodeURIComponent(c.order_id)}, c.order_number), ' ',
      h('span', {class: 'badge' + (c.overdue ? ' overdue' : '')}, c.overdue ? '已超协调期限' : c.status_label)),
    h('p', null, c.title),
    h('p', {class: 'hint'}, `承办单位 ${c.unit_name || '—'} · 工单状态 ${c.order_status_label} · 列入原因 ${c.reason_labels.join('、')}`),
    c.leader ? h('p', null, `牵头领导 ${c.leader} · 协调期限 ${D.fmt(c.coordination_due)}`) : null,
    h('ol', {class: 'timeline'}, c.notes.map(n => h('li', null, h('b', null, D.fmt(n.at)), ` [${KINDS[n.kind] || '记录'}] ${n.body}`))),
    forms);
}
let loads = 0;   // an older answer never overwrites a newer one (a filter clicked meanwhile)
async function load() {
  const n = ++loads;
  const r = await Hotline.api('GET', '/api/v1/hard-cases' + (status ? '?status=' + status : ''));
  if (n !== loads) return;
  h.fill(document.getElementById('cases'), r.items.length ? r.items.map(caseCard) : h('p', {class: 'hint'}, '暂无'));
  const m = await Hotline.api('GET', '/api/v1/reports/hard-cases/monthly');
  document.getElementById('monthly').textContent = `${m.year} 年已化解 ${m.resolved} 件, 其中市级协调化解 ${m.city_level} 件 (年度目标 ${m.yearly_target} 件${m.target_met ? ', 已完成' : ''})`;
  h.fill(document.querySelector('#months tbody'), m.months.map(x => h('tr', null, h('td', null, `${x.month} 月`),
    h('td', null, String(x.resolved)), h('td', null, String(x.city_level)))));
}
if (SUP) {
  document.getElementById('flag-card').hidden = false;
  document.getElementById('f-due').value = localInput(15);
}
document.getElementById('filter').addEventListener('click', (e) => {
  const b = e.target.closest('button'); if (!b) return;
  status = b.dataset.status;
  document.querySelectorAll('#filter button').forEach(x => x.classList.toggle('active', x === b));
  load();
});
async function post(err, path, body) {
  err.textContent = '';
  try { await Hotline.api('POST', path, body); await load(); } catch (ex) { D.showError(err, ex); }
}
document.getElementById('flag-form').addEventListener('submit', (e) => {
  e.preventDefault();
  post(document.getElementById('flag-error'), '/api/v1/hard-cases', {order_id: Number(document.getElementById('f-order').value),
    leader: document.getElementById('f-leader').value, coordination_due: document.getElementById('f-due').value + ':00+08:00',
    note: document.getElementById('f-note').value || undefined, escalate: document.getElementById('f-escalate').checked});
});
document.getElementById('cases').addEventListener('submit', (e) => {
  e.preventDefault();
  const f = e.target; const err = f.querySelector('.error');
  if (f.classList.contains('accept-form')) {
    post(err, '/api/v1/hard-cases', {order_id: Number(f.dataset.order), leader: f.leader.value, coordination_due: f.due.value + ':00+08:00'});
  } else {
    post(err, `/api/v1/hard-cases/${f.dataset.id}/notes`, {body: f.body.value});
  }
});
document.getElementById('cases').addEventListener('click', (e) => {
  const b = e.target.closest('button.dismiss, button.resolve'); if (!b) return;
  const f = b.closest('form'); const err = f.querySelector('.error');
  if (b.classList.contains('dismiss')) {
    post(err, `/api/v1/hard-cases/${b.dataset.id}/close`, {outcome: 'dismissed', body: '经研判不列入疑难工单'});
  } else {
    post(err, `/api/v1/hard-cases/${b.dataset.id}/close`, {outcome: 'resolved', body: f.body.value});
  }
});
load().catch(e => { document.getElementById('list-error').textContent = e.message; });

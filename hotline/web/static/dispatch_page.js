// 派单员: the dispatcher queue (with its own clock) and the review queues.
Hotline.requireLogin();
let kind = 'returns';
async function loadQueue() {
  const q = await Hotline.api('GET', '/api/v1/dispatch/queue');
  h.fill(document.querySelector('#queue tbody'), q.items.map(o => {
    const sug = (o.suggestions || [])[0];
    // why it waits (the intake triage's reason, issue 14): shown in Chinese under the content
    return h('tr', {'data-id': o.id}, h('td', null, D.link(o)), h('td', null, D.short(o.content),
        o.queue_reason ? h('div', {class: 'hint queue-reason'}, '待派原因: ' + o.queue_reason) : null),
      h('td', null, D.fmt(o.received_at)),
      h('td', null, h('span', {class: o.dispatch_overdue ? 'badge overdue' : 'badge'}, D.fmt(o.dispatch_due))),
      h('td', null, D.unitSelect({class: 'unit', 'aria-label': '派往单位 (工单 ' + o.number + ')'}, sug && sug.unit),
        sug && sug.unit ? h('div', {class: 'hint'}, '建议: ' + D.unitName(sug.unit)) : null),
      h('td', null, h('button', {class: 'dispatch-btn'}, '派单')));
  }), q.items.length ? null : D.emptyRow(6, '暂无待派单工单'));
}
document.querySelector('#queue').addEventListener('click', async (e) => {
  if (!e.target.classList.contains('dispatch-btn')) return;
  const tr = e.target.closest('tr');
  try { await D.act(tr.dataset.id, 'dispatch', null, {unit: tr.querySelector('.unit').value}); await loadQueue(); }
  catch (err) { D.showError(document.getElementById('queue-error'), err); }
});
async function loadReviews() {
  for (const k of ['returns', 'replies', 'extensions', 'suspensions']) {
    const r = await Hotline.api('GET', '/api/v1/dispatch/reviews?kind=' + k);
    document.getElementById('n-' + k).textContent = r.total;
    if (k !== kind) continue;
    h.fill(document.querySelector('#reviews tbody'), r.items.map(o => {
      const q = o.request || {}; const d = q.data || {};
      const text = d.reply || q.reason || '';
      return h('tr', null, h('td', null, D.link(o)), h('td', null, D.unitName(o.unit)),
        h('td', null, q.action_label || '',
          d.suggested_unit ? h('div', {class: 'hint'}, '建议改派: ' + D.unitName(d.suggested_unit)) : null),
        h('td', null, D.short(text, 60), d.legal_basis ? h('div', {class: 'hint'}, '依据: ' + d.legal_basis) : null),
        h('td', null, D.fmt(q.at)));
    }), r.items.length ? null : D.emptyRow(5, '暂无待审核'));
  }
}
document.getElementById('review-tabs').addEventListener('click', (e) => {
  const b = e.target.closest('button'); if (!b) return;
  kind = b.dataset.kind;
  document.querySelectorAll('#review-tabs button').forEach(x => x.classList.toggle('active', x === b));
  loadReviews();
});
loadQueue(); loadReviews();

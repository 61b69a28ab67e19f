// 派单员: the dispatcher queue (with its own clock) and the review queues.
Hotline.requireLogin();
let kind = 'returns';
async function loadQueue() {
  const q = await Hotline.api('GET', '/api/v1/dispatch/queue');
  document.querySelector('#queue tbody').innerHTML = q.items.map(o => {
    const sug = (o.suggestions || [])[0];
    return `<tr data-id="${o.id}"><td>${D.link(o)}</td><td>${D.short(o.content)}</td><td>${D.fmt(o.received_at)}</td>
      <td><span class="badge ${o.dispatch_overdue ? 'overdue' : ''}">${D.fmt(o.dispatch_due)}</span></td>
      <td><select class="unit">${window.UNIT_OPTIONS}</select>${sug && sug.unit ? `<div class="hint">建议: ${D.unitName(sug.unit)}</div>` : ''}</td>
      <td><button class="dispatch-btn">派单</button></td></tr>`;
  }).join('') || '<tr><td colspan="6" class="hint">暂无待派单工单</td></tr>';
  q.items.forEach(o => { const s = (o.suggestions || [])[0]; if (s && s.unit) document.querySelector(`#queue tr[data-id="${o.id}"] .unit`).value = s.unit; });
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
    document.querySelector('#reviews tbody').innerHTML = r.items.map(o => {
      const q = o.request || {}; const d = q.data || {};
      const text = d.reply || q.reason || '';
      return `<tr><td>${D.link(o)}</td><td>${D.unitName(o.unit)}</td><td>${Hotline.esc(q.action_label || '')}${d.suggested_unit ? '<div class="hint">建议改派: ' + D.unitName(d.suggested_unit) + '</div>' : ''}</td>
        <td>${D.short(text, 60)}${d.legal_basis ? '<div class="hint">依据: ' + Hotline.esc(d.legal_basis) + '</div>' : ''}</td><td>${D.fmt(q.at)}</td></tr>`;
    }).join('') || '<tr><td colspan="5" class="hint">暂无待审核</td></tr>';
  }
}
document.getElementById('review-tabs').addEventListener('click', (e) => {
  const b = e.target.closest('button'); if (!b) return;
  kind = b.dataset.kind;
  document.querySelectorAll('#review-tabs button').forEach(x => x.classList.toggle('active', x === b));
  loadReviews();
});
loadQueue(); loadReviews();

// 派单员: the dispatcher queue (with its own clock) and the review queues.
Hotline.requireLogin();
let kind = 'returns';
async function loadQueue() {
  const q = await Hotline.api('GET', '/api/v1/dispatch/queue');
  h.fill(document.querySelector('#queue tbody'), q.items.map(o => {
    const sug = (o.suggestions || [])[0];
    // why it waits (the intake triage's reason, issue 14): shown in Chinese under the content
    return h('tr', {'data-id': o.id, class: o.rapid_item ? 'rapid-row' : null}, h('td', null, D.link(o), Hotline.rapidBadge(o)), h('td', null, D.short(o.content),
        o.queue_reason ? h('div', {class: 'hint queue-reason'}, '待派原因: ' + o.queue_reason) : null),
      h('td', null, D.fmt(o.received_at)),
      // issue 15: time left on the dispatch clock, in words and colour (docs/design/ux.md §2);
      // the picker starts empty, the suggestion is one click away (docs/design/ux.md §6: no default unit)
      h('td', null, Hotline.clockBadge({time_left: o.time_left, status: o.dispatch_overdue ? 'overdue' : 'ok',
        clock_label: '派单', due: o.dispatch_due}, !!o.rapid_item),
        h('div', {class: 'hint'}, '截止 ' + D.fmt(o.dispatch_due))),
      h('td', null, D.unitPicker({class: 'unit', 'aria-label': '派至单位 (工单 ' + o.number + ')'}),
        sug && sug.unit ? h('div', {class: 'hint'}, '建议: ' + D.unitName(sug.unit), ' ',
          h('button', {type: 'button', class: 'secondary use-sug', 'data-unit': sug.unit}, '采用建议')) : null),
      h('td', null, h('button', {class: 'dispatch-btn'}, '派单')));
  }), q.items.length ? null : D.emptyRow(6, '暂无待派单工单'));
}
document.querySelector('#queue').addEventListener('click', async (e) => {
  const tr = e.target.closest('tr');
  if (e.target.classList.contains('use-sug')) { tr.querySelector('.unit').value = e.target.dataset.unit; return; }
  if (!e.target.classList.contains('dispatch-btn')) return;
  const sel = tr.querySelector('.unit'); const err = document.getElementById('queue-error');
  if (!sel.value) {                     // no unit chosen: said next to the picker, nothing sent
    sel.classList.add('invalid'); sel.setAttribute('aria-invalid', 'true');
    err.textContent = '请先选择派至单位。'; sel.focus(); return;
  }
  sel.classList.remove('invalid'); sel.setAttribute('aria-invalid', 'false'); err.textContent = '';
  const number = tr.querySelector('a').textContent;
  if (!await D.confirm('派给 ' + D.unitName(sel.value) + '？', '工单 ' + number + ' 将派至该单位, 由其签收办理 (首派责任制)。')) return;
  e.target.disabled = true;             // one request at a time
  try { await D.act(tr.dataset.id, 'dispatch', null, {unit: sel.value}); await loadQueue(); }
  catch (ex) { e.target.disabled = false; D.showError(err, ex); }
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

// 督办: the arbitration queue (second returns) and the "two 15%" flags.
Hotline.requireLogin();
async function load() {
  const q = await Hotline.api('GET', '/api/v1/dispatch/arbitration');
  const L = await Hotline.labels();   // category names, never codes
  h.fill(document.querySelector('#arbitration tbody'), q.items.map(o => h('tr', null,
    h('td', null, D.link(o)), h('td', null, D.unitName(o.unit)),
    h('td', null, h('ol', null, o.returns.map(r => h('li', null,
      `${D.fmt(r.at)} ${D.unitName(r.unit)}: ${r.reason || ''} `,
      h('span', {class: 'hint'}, `依据 ${(r.data || {}).legal_basis || ''}; 建议 ${D.unitName((r.data || {}).suggested_unit)}`))))),
    h('td', null, `${o.category ? (L.categories.get(o.category) || '其他分类') : ''} / ${D.unitName(o.town)}`))),
  q.items.length ? null : D.emptyRow(4, '暂无待裁定工单'));
  const t = await Hotline.api('GET', '/api/v1/dispatch/two15');
  const p = t.policy;
  document.getElementById('two15-policy').textContent = `阈值 ${p.threshold_percent}% · 滚动 ${p.window_days} 天 · 至少 ${p.min_orders} 单才评估 · 话务员达标后${p.block_agent_intake ? '暂停受理' : '仅标记'}`;
  h.fill(document.querySelector('#flags tbody'), t.flags.map(f => h('tr', {'data-id': f.id},
    h('td', null, f.kind === 'agent' ? '话务员' : '分类'), h('td', null, f.subject),
    h('td', null, `${f.returned} / ${f.total}`), h('td', null, `${f.rate_percent}%`), h('td', null, D.fmt(f.flagged_at)),
    h('td', null, f.cleared_at ? '已解除 (' + f.cleared_by + ')' : (f.intake_blocked ? '已暂停受理' : '待复核')),
    h('td', null, f.cleared_at ? null : [h('input', {class: 'clear-reason', placeholder: '解除理由'}),
                                         h('button', {class: 'clear-btn'}, '解除')]))),
  t.flags.length ? null : D.emptyRow(7, '暂无标记'));
}
document.getElementById('flags').addEventListener('click', async (e) => {
  if (!e.target.classList.contains('clear-btn')) return;
  const tr = e.target.closest('tr');
  try { await Hotline.api('POST', `/api/v1/dispatch/two15/flags/${tr.dataset.id}/clear`, {reason: tr.querySelector('.clear-reason').value});
    await load(); } catch (err) { D.showError(document.getElementById('flag-error'), err); }
});
load();

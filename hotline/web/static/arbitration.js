// 督办: the arbitration queue (second returns) and the "two 15%" flags.
Hotline.requireLogin();
async function load() {
  const q = await Hotline.api('GET', '/api/v1/dispatch/arbitration');
  document.querySelector('#arbitration tbody').innerHTML = q.items.map(o => `<tr><td>${D.link(o)}</td><td>${D.unitName(o.unit)}</td>
    <td><ol>${o.returns.map(r => `<li>${D.fmt(r.at)} ${D.unitName(r.unit)}: ${Hotline.esc(r.reason)} <span class="hint">依据 ${Hotline.esc((r.data || {}).legal_basis || '')}; 建议 ${D.unitName((r.data || {}).suggested_unit)}</span></li>`).join('')}</ol></td>
    <td>${Hotline.esc(o.category || '')} / ${D.unitName(o.town)}</td></tr>`).join('') || '<tr><td colspan="4" class="hint">暂无待裁定工单</td></tr>';
  const t = await Hotline.api('GET', '/api/v1/dispatch/two15');
  const p = t.policy;
  document.getElementById('two15-policy').textContent = `阈值 ${p.threshold_percent}% · 滚动 ${p.window_days} 天 · 至少 ${p.min_orders} 单才评估 · 话务员达标后${p.block_agent_intake ? '暂停受理' : '仅标记'}`;
  document.querySelector('#flags tbody').innerHTML = t.flags.map(f => `<tr data-id="${f.id}"><td>${f.kind === 'agent' ? '话务员' : '分类'}</td>
    <td>${Hotline.esc(f.subject)}</td><td>${f.returned} / ${f.total}</td><td>${f.rate_percent}%</td><td>${D.fmt(f.flagged_at)}</td>
    <td>${f.cleared_at ? '已解除 (' + Hotline.esc(f.cleared_by) + ')' : (f.intake_blocked ? '已暂停受理' : '待复核')}</td>
    <td>${f.cleared_at ? '' : '<input class="clear-reason" placeholder="解除理由"><button class="clear-btn">解除</button>'}</td></tr>`).join('')
    || '<tr><td colspan="7" class="hint">暂无标记</td></tr>';
}
document.getElementById('flags').addEventListener('click', async (e) => {
  if (!e.target.classList.contains('clear-btn')) return;
  const tr = e.target.closest('tr');
  try { await Hotline.api('POST', `/api/v1/dispatch/two15/flags/${tr.dataset.id}/clear`, {reason: tr.querySelector('.clear-reason').value});
    await load(); } catch (err) { D.showError(document.getElementById('flag-error'), err); }
});
load();

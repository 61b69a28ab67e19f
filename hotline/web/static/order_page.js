// 工单页面: facts, co-handling, the actions this user may take, and the full timeline.
Hotline.requireLogin();
const me = Hotline.login();
const opts = (m) => Object.entries(m).map(([k, v]) => `<option value="${k}">${Hotline.esc(v)}</option>`).join('');
const F = {
  unit: () => `<label>单位 <select id="f-unit">${window.UNIT_OPTIONS}</select></label>`,
  suggested_unit: () => `<label>建议承办单位 <select id="f-suggested_unit">${window.UNIT_OPTIONS}</select></label>`,
  legal_basis: () => `<label>依据 (法规/权责清单) <input id="f-legal_basis" maxlength="300"></label>`,
  reason_code: () => `<label>退单原因 <select id="f-reason_code">${opts(window.RETURN_REASONS)}</select></label>`,
  na_code: () => `<label>不予受理原因 <select id="f-reason_code">${opts(window.NOT_ACCEPT_REASONS)}</select></label>`,
  attributed_to: () => `<label>责任归属 (两个15%) <select id="f-attributed_to"><option value="none">不归责</option><option value="agent">话务员受理错误</option><option value="category">分类/派单配置错误</option></select></label>`,
  reply: () => `<label>答复市民内容 <textarea id="f-reply" rows="4"></textarea></label>`,
  days: () => `<label>工作日数 <input id="f-days" type="number" min="1" max="3" value="2"></label>`,
  task: () => `<label>协办任务 <input id="f-task" maxlength="300"></label>`,
  input: () => `<label>协办意见 <textarea id="f-input" rows="3"></textarea></label>`,
  handler: () => `<label>经办人 <input id="f-handler" maxlength="64"></label>`,
  note: () => `<label>记录 <input id="f-note" maxlength="500"></label>`,
  line: () => `<label>紧急热线 <select id="f-line">${window.LINES.map(l => `<option>${l}</option>`).join('')}</select></label>`,
  master_id: () => `<label>主工单 ID <input id="f-master_id" type="number"></label>`,
  save_rule: () => `<label class="inline"><input type="checkbox" id="f-save_rule"> 保存为派单规则</label>`,
};
const FIELDS = {dispatch: ['unit'], request_return: ['reason_code', 'legal_basis', 'suggested_unit'],
  approve_return: ['unit', 'attributed_to'], arbitrate: ['unit', 'attributed_to', 'save_rule'], arbitrate_keep: ['save_rule'],
  reply: ['reply'], request_extension: ['days'], approve_extension: ['days'], add_assist: ['unit', 'task', 'days'],
  assist_input: ['input'], assign: ['handler'], contact: ['note'], onsite: ['note'], note: ['note'],
  transfer_emergency: ['line'], merge: ['master_id'], not_accept: ['na_code'], answer: ['reply']};
let order = null, current = null;

async function load() {
  order = await Hotline.api('GET', `/api/v1/orders/${window.ORDER_ID}`);
  const facts = await Hotline.api('GET', `/api/v1/orders/${window.ORDER_ID}/dispatch`);
  document.title = '工单 ' + order.number + ' · 12345';
  document.getElementById('o-number').textContent = order.number;
  document.getElementById('o-status').textContent = order.status_label;
  const c = order.caller || {};
  const rows = [['诉求内容', Hotline.esc(order.content)], ['来电人', Hotline.esc((c.name || '') + ' ' + (c.phone || ''))],
    ['镇街 / 地址', D.unitName(order.town) + ' ' + Hotline.esc(order.address || '')], ['分类', Hotline.esc(order.category || '')],
    ['紧急程度', ({normal: '一般', urgent: '紧急', critical: '特急'})[order.urgency] || Hotline.esc(order.urgency)], ['承办(主办)单位', D.unitName(order.unit)], ['首派单位', D.unitName(order.first_unit)],
    ['受理时间', D.fmt(order.received_at)], ['退单次数', String(facts.returns_requested)]];
  if (facts.master) rows.push(['并入主工单', `<a href="/orders/${facts.master.id}">${Hotline.esc(facts.master.number)}</a>`]);
  if (facts.merged_orders.length) rows.push(['已并入本单', facts.merged_orders.map(m => `<a href="/orders/${m.id}">${Hotline.esc(m.number)}</a>`).join(' ')]);
  document.getElementById('o-facts').innerHTML = rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('');
  document.getElementById('co-card').hidden = !facts.assist_tasks.length;
  document.getElementById('co').innerHTML = facts.assist_tasks.map(t => `<div class="assist-task"><b>${D.unitName(t.unit)}</b> · ${Hotline.esc(t.task)} · 期限 ${D.fmt(t.due)}
    <ul>${t.inputs_detail.map(i => `<li>${D.fmt(i.at)} ${Hotline.esc(i.input)}</li>`).join('') || '<li class="hint">尚无协办意见</li>'}</ul></div>`).join('');
  // an assisting unit only gives inputs to the lead (主办 replies, docs/design/domain.md §6.5)
  let allowed = order.allowed_actions || [];
  if (me.role === 'department' && me.unit !== order.unit) allowed = allowed.filter(a => ['note', 'assist_input'].includes(a));
  const labels = {}; order.history.forEach(h => labels[h.action] = h.action_label);
  const codes = await Hotline.api('GET', '/api/v1/dispatch/codes');
  document.getElementById('actions').innerHTML = allowed.map(a =>
    `<button type="button" data-action="${a}" id="act-${a}">${Hotline.esc(codes.actions[a] || a)}</button>`).join('') || '<span class="hint">当前无可执行操作</span>';
  document.getElementById('timeline').innerHTML = order.history.map(h => {
    const d = h.data || {}; const extra = [];
    if (d.unit) extra.push('单位: ' + D.unitName(d.unit));
    if (d.legal_basis) extra.push('依据: ' + Hotline.esc(d.legal_basis));
    if (d.suggested_unit) extra.push('建议: ' + D.unitName(d.suggested_unit));
    if (d.window_closes_at) extra.push('退单时限: ' + D.fmt(d.window_closes_at));
    if (d.attributed_to && d.attributed_to !== 'none') extra.push('归责: ' + Hotline.esc(d.attributed_to));
    if (d.line) extra.push('热线: ' + Hotline.esc(d.line));
    if (d.input) extra.push('协办意见: ' + Hotline.esc(d.input));
    return `<li><b>${D.fmt(h.at)}</b> ${Hotline.esc(h.action_label || h.action)} · ${Hotline.esc(h.actor)}${h.unit ? ' (' + D.unitName(h.unit) + ')' : ''}
      · ${Hotline.esc(codes.statuses[h.from] || h.from)} → ${Hotline.esc(codes.statuses[h.to] || h.to)}
      ${h.reason ? '<div>理由: ' + Hotline.esc(h.reason) + '</div>' : ''}${extra.length ? '<div class="hint">' + extra.join(' · ') + '</div>' : ''}</li>`;
  }).join('');
  const kinds = {citizen_reply: '答复市民', unit_report: '办理情况', internal: '内部备注'};
  document.getElementById('notes').innerHTML = order.notes.map(n => `<li>${D.fmt(n.at)} [${kinds[n.kind] || n.kind}] ${Hotline.esc(n.body)}</li>`).join('') || '<li class="hint">无</li>';
}
document.getElementById('actions').addEventListener('click', (e) => {
  const b = e.target.closest('button'); if (!b) return;
  current = b.dataset.action;
  document.getElementById('action-title').textContent = b.textContent;
  document.getElementById('action-fields').innerHTML = (FIELDS[current] || []).map(f => F[f]()).join('');
  document.getElementById('f-reason').value = '';
  document.getElementById('action-form').hidden = false;
});
document.getElementById('action-cancel').onclick = () => { document.getElementById('action-form').hidden = true; };
document.getElementById('action-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const data = {};
  document.querySelectorAll('#action-fields [id^="f-"]').forEach(el => {
    const k = el.id.slice(2);
    if (el.type === 'checkbox') { if (el.checked) data[k] = true; }
    else if (el.value !== '') data[k] = el.type === 'number' ? Number(el.value) : el.value;
  });
  const err = document.getElementById('action-error'); err.textContent = '';
  try {
    await D.act(window.ORDER_ID, current, document.getElementById('f-reason').value, data);
    document.getElementById('action-form').hidden = true;
    await load();
  } catch (ex) { D.showError(err, ex); }
});
load().catch(e => { document.getElementById('action-error').textContent = e.message; });

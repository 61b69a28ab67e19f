// 工单页面: facts, co-handling, the actions this user may take, and the full timeline.
// Everything an order carries (appeal text, caller, address, notes, every action's data) is
// shown as text through dom.js (issue 12, finding 2: a value in an action's data is data).
Hotline.requireLogin();
const me = Hotline.login();
const PAGE = h.data('order-data');
const label = (text, ...c) => h('label', null, text + ' ', ...c);
const select = (id, pairs) => h('select', {id}, h.options(pairs));
const F = {
  unit: () => label('单位', D.unitSelect({id: 'f-unit'})),
  suggested_unit: () => label('建议承办单位', D.unitSelect({id: 'f-suggested_unit'})),
  legal_basis: () => label('依据 (法规/权责清单)', h('input', {id: 'f-legal_basis', maxlength: 300})),
  reason_code: () => label('退单原因', select('f-reason_code', Object.entries(PAGE.return_reasons))),
  na_code: () => label('不予受理原因', select('f-reason_code', Object.entries(PAGE.not_accept_reasons))),
  attributed_to: () => label('责任归属 (两个15%)', select('f-attributed_to',
    [['none', '不归责'], ['agent', '话务员受理错误'], ['category', '分类/派单配置错误']])),
  reply: () => label('答复市民内容', h('textarea', {id: 'f-reply', rows: 4})),
  days: () => label('工作日数', h('input', {id: 'f-days', type: 'number', min: 1, max: 3, value: 2})),
  task: () => label('协办任务', h('input', {id: 'f-task', maxlength: 300})),
  input: () => label('协办意见', h('textarea', {id: 'f-input', rows: 3})),
  handler: () => label('经办人', h('input', {id: 'f-handler', maxlength: 64})),
  note: () => label('记录', h('input', {id: 'f-note', maxlength: 500})),
  operator: () => label('接警员', h('input', {id: 'f-operator', maxlength: 64})),
  reference: () => label('接警单号', h('input', {id: 'f-reference', maxlength: 64})),
  feedback: () => label('处置反馈', h('textarea', {id: 'f-feedback', rows: 2, maxlength: 2000})),
  line: () => label('紧急热线', select('f-line', PAGE.lines.map(l => [l, l]))),
  master_id: () => label('主工单 ID', h('input', {id: 'f-master_id', type: 'number'})),
  save_rule: () => h('label', {class: 'inline'}, h('input', {type: 'checkbox', id: 'f-save_rule'}), ' 保存为派单规则'),
  // 二级派单 (issue 17): the town's own villages, nothing preselected, a choice required
  village: () => label('村（社区）', D.villageSelect({id: 'f-unit'}, order && order.unit)),
  sub_note: () => label('交办说明', h('input', {id: 'f-note', maxlength: 500})),
  report: () => label('办理结果', h('textarea', {id: 'f-report', rows: 4, maxlength: 5000})),
};
const FIELDS = {dispatch: ['unit'], request_return: ['reason_code', 'legal_basis', 'suggested_unit'],
  approve_return: ['unit', 'attributed_to'], arbitrate: ['unit', 'attributed_to', 'save_rule'], arbitrate_keep: ['save_rule'],
  reply: ['reply'], request_extension: ['days'], approve_extension: ['days'], add_assist: ['unit', 'task', 'days'],
  assist_input: ['input'], assign: ['handler'], contact: ['note'], onsite: ['note'], note: ['note'],
  transfer_emergency: ['line', 'operator', 'reference'], emergency_feedback: ['feedback', 'operator', 'reference'], merge: ['master_id'], not_accept: ['na_code'], answer: ['reply'],
  subdispatch: ['village', 'sub_note'], village_report: ['report']};
let order = null, current = null;
const orderLink = (m) => h('a', {href: '/orders/' + encodeURIComponent(m.id)}, m.number);

// An order this user may not see answers 404 (as one that does not exist): the page says so
// under a heading and shows no empty cards.
function notFound() {
  document.title = '工单不存在或无权查看 · 12345';
  const main = document.querySelector('main');
  h.fill(main, h('section', {class: 'card', id: 'order-missing'}, h('h1', null, '工单不存在或无权查看'),
    h('p', {class: 'hint'}, '该工单不存在, 或不属于您可以查看的范围。'),
    h('p', null, h('a', {href: Hotline.homeFor(me.role)}, '返回工作台'))));
}
// who acted, by name: a unit's name for unit staff, the role's name for centre staff
// (the username goes in a title attribute for whoever needs to tell two agents apart)
function actorNode(t, L) {
  const name = t.unit ? (L.units.get(t.unit) || D.unitName(t.unit)) : Hotline.roleName(t.role);
  return h('span', {class: 'actor', title: t.actor || null}, name);
}

async function load() {
  try {
    order = await Hotline.api('GET', `/api/v1/orders/${PAGE.order_id}`);
  } catch (e) {
    if (e.status === 404 || e.status === 403) { notFound(); return; }
    throw e;
  }
  const L = await Hotline.labels();
  const facts = await Hotline.api('GET', `/api/v1/orders/${PAGE.order_id}/dispatch`);
  document.title = '工单 ' + order.number + ' · 12345';
  document.getElementById('o-number').textContent = order.number;
  document.getElementById('o-status').textContent = order.status_label;
  const c = order.caller || {};
  const rows = [['诉求内容', order.content], ['来电人', (c.name || '') + ' ' + (c.phone || '')],
    ['镇街 / 地址', D.unitName(order.town) + ' ' + (order.address || '')], ['分类', order.category ? (L.categories.get(order.category) || '其他分类') : ''],
    ['紧急程度', ({normal: '一般', urgent: '紧急', critical: '特急'})[order.urgency] || order.urgency], ['承办(主办)单位', D.unitName(order.unit)], ['首派单位', D.unitName(order.first_unit)],
    ...(order.village ? [['交办村（社区）', order.village_name || D.unitName(order.village)]] : []),
    ['受理时间', D.fmt(order.received_at)], ['退单次数', String(facts.returns_requested)]];
  if (facts.master) rows.push(['并入主工单', orderLink(facts.master)]);
  if (facts.merged_orders.length) rows.push(['已并入本单', facts.merged_orders.map((m, i) => [i ? ' ' : null, orderLink(m)])]);
  h.fill(document.getElementById('o-facts'), rows.map(([k, v]) => h('tr', null, h('th', null, k), h('td', null, v))));
  document.getElementById('co-card').hidden = !facts.assist_tasks.length;
  h.fill(document.getElementById('co'), facts.assist_tasks.map(t => h('div', {class: 'assist-task'},
    h('b', null, D.unitName(t.unit)), ` · ${t.task || ''} · 期限 ${D.fmt(t.due)}`,
    h('ul', null, t.inputs_detail.length ? t.inputs_detail.map(i => h('li', null, `${D.fmt(i.at)} ${i.input || ''}`))
                                         : h('li', {class: 'hint'}, '尚无协办意见')))));
  // an assisting unit only gives inputs to the lead (主办 replies, docs/design/domain.md §6.5)
  let allowed = order.allowed_actions || [];
  // (the village the town passed it to gets its own actions from the server: 二级派单, issue 17)
  if (me.role === 'department' && me.unit !== order.unit && me.unit !== order.village) allowed = allowed.filter(a => ['note', 'assist_input'].includes(a));
  const codes = await Hotline.api('GET', '/api/v1/dispatch/codes');
  h.fill(document.getElementById('actions'), allowed.length
    ? allowed.map(a => h('button', {type: 'button', 'data-action': a, id: 'act-' + a}, codes.actions[a] || a))
    : h('span', {class: 'hint'}, '当前无可执行操作'));
  h.fill(document.getElementById('timeline'), order.history.map(t => {
    const d = t.data || {}; const extra = [];
    if (d.unit) extra.push('单位: ' + D.unitName(d.unit));
    if (d.legal_basis) extra.push('依据: ' + d.legal_basis);
    if (d.suggested_unit) extra.push('建议: ' + D.unitName(d.suggested_unit));
    if (d.window_closes_at) extra.push('退单时限: ' + D.fmt(d.window_closes_at));
    if (d.attributed_to && d.attributed_to !== 'none') extra.push('归责: ' + (codes.attributions[d.attributed_to] || '其他'));
    if (d.line) extra.push('热线: ' + d.line);
    if (d.input) extra.push('协办意见: ' + d.input);
    if (d.report) extra.push('村（社区）办理结果: ' + d.report);   // 二级派单 (issue 17)
    if (d.note && t.action === 'subdispatch') extra.push('交办说明: ' + d.note);
    if (d.article_id) extra.push(`依据知识条目 ${d.article_id} 第 ${d.article_version} 版`);   // 直接答复 (issue 16)
    return h('li', null, h('b', null, D.fmt(t.at)),
      ` ${t.action_label || codes.actions[t.action] || '操作'} · `, actorNode(t, L),
      ` · ${codes.statuses[t.from] || '—'} → ${codes.statuses[t.to] || '—'}`,
      t.reason ? h('div', null, '理由: ' + t.reason) : null,
      extra.length ? h('div', {class: 'hint'}, extra.join(' · ')) : null);
  }));
  const kinds = {citizen_reply: '答复市民', unit_report: '办理情况', internal: '内部备注'};
  h.fill(document.getElementById('notes'), order.notes.length
    ? order.notes.map(n => h('li', null, `${D.fmt(n.at)} [${kinds[n.kind] || n.kind}] ${n.body}`))
    : h('li', {class: 'hint'}, '无'));
}
document.getElementById('actions').addEventListener('click', (e) => {
  const b = e.target.closest('button'); if (!b) return;
  current = b.dataset.action;
  document.getElementById('action-title').textContent = b.textContent;
  h.fill(document.getElementById('action-fields'), (FIELDS[current] || []).map(f => F[f]()));
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
    await D.act(PAGE.order_id, current, document.getElementById('f-reason').value, data);
    document.getElementById('action-form').hidden = true;
    await load();
  } catch (ex) { D.showError(err, ex); }
});
load().catch(e => { document.getElementById('action-error').textContent = e.message; });

// 工单页面, the one place for an order (issue 15, docs/design/ux.md §8): header with status,
// rapid badge and time left; title, type, caller (masked per role, reveal with a reason), the
// agent who logged it, units, clocks, attachments, the survey result, related and merged
// orders, the actions this user may take (the transition table decides; each confirmed in a
// dialog naming its effect) and the timeline in Chinese.
// Everything an order carries (appeal text, caller, address, notes, every action's data) is
// shown as text through dom.js (issue 12, finding 2: a value in an action's data is data).
Hotline.requireLogin();
const me = Hotline.login();
const PAGE = h.data('order-data');
const $ = (id) => document.getElementById(id);
const label = (text, ...c) => h('label', null, text + ' ', ...c);
// a reason picker starts on "请选择" too: nothing is chosen for the user (docs/design/ux.md §6)
const select = (id, pairs) => h('select', {id, name: id.slice(2), required: true},
  h('option', {value: '', selected: true}, '请选择'), h.options(pairs));
let WS = {handlers: [], effects: {}};
const F = {
  unit: () => label('单位', D.unitPicker({id: 'f-unit', name: 'unit'})),
  suggested_unit: () => label('建议承办单位', D.unitPicker({id: 'f-suggested_unit', name: 'suggested_unit'})),
  legal_basis: () => label('依据 (法规/权责清单)', h('input', {id: 'f-legal_basis', name: 'legal_basis', maxlength: 300})),
  reason_code: () => label('退单原因', select('f-reason_code', Object.entries(PAGE.return_reasons))),
  na_code: () => label('不予受理原因', select('f-reason_code', Object.entries(PAGE.not_accept_reasons))),
  attributed_to: () => label('责任归属 (两个15%)', h('select', {id: 'f-attributed_to', name: 'attributed_to'}, h.options(
    [['none', '不归责'], ['agent', '话务员受理错误'], ['category', '分类/派单配置错误']]))),
  reply: () => label('答复市民内容', h('textarea', {id: 'f-reply', name: 'reply', rows: 4})),
  days: () => label('工作日数', h('input', {id: 'f-days', name: 'days', type: 'number', min: 1, max: 3, value: 2})),
  task: () => label('协办任务', h('input', {id: 'f-task', name: 'task', maxlength: 300})),
  input: () => label('协办意见', h('textarea', {id: 'f-input', name: 'input', rows: 3})),
  // 经办人: picked among the unit's colleagues (a name may still be typed)
  handler: () => label('经办人', h('input', {id: 'f-handler', name: 'handler', maxlength: 64, list: 'handler-list'}),
    h('datalist', {id: 'handler-list'}, WS.handlers.map(u => h('option', {value: u.name}, u.username)))),
  note: () => label('记录', h('input', {id: 'f-note', name: 'note', maxlength: 500})),
  operator: () => label('接警员', h('input', {id: 'f-operator', name: 'operator', maxlength: 64})),
  reference: () => label('接警单号', h('input', {id: 'f-reference', name: 'reference', maxlength: 64})),
  feedback: () => label('处置反馈', h('textarea', {id: 'f-feedback', name: 'feedback', rows: 2, maxlength: 2000})),
  line: () => label('紧急热线', select('f-line', PAGE.lines.map(l => [l, l]))),
  master_id: () => label('主工单 ID', h('input', {id: 'f-master_id', name: 'master_id', type: 'number'})),
  save_rule: () => h('label', {class: 'inline'}, h('input', {type: 'checkbox', id: 'f-save_rule', name: 'save_rule'}), ' 保存为派单规则'),
  // 二级派单 (issue 17): the town's own villages, nothing preselected, a choice required
  village: () => label('村（社区）', D.villageSelect({id: 'f-unit', name: 'unit'}, order && order.unit)),
  sub_note: () => label('交办说明', h('input', {id: 'f-note', name: 'note', maxlength: 500})),
  report: () => label('办理结果', h('textarea', {id: 'f-report', name: 'report', rows: 4, maxlength: 5000})),
};
const FIELDS = {dispatch: ['unit'], request_return: ['reason_code', 'legal_basis', 'suggested_unit'],
  approve_return: ['unit', 'attributed_to'], arbitrate: ['unit', 'attributed_to', 'save_rule'], arbitrate_keep: ['save_rule'],
  reply: ['reply'], request_extension: ['days'], approve_extension: ['days'], add_assist: ['unit', 'task', 'days'],
  assist_input: ['input'], assign: ['handler'], contact: ['note'], onsite: ['note'], note: ['note'],
  transfer_emergency: ['line', 'operator', 'reference'], emergency_feedback: ['feedback', 'operator', 'reference'], merge: ['master_id'], not_accept: ['na_code'], answer: ['reply'],
  subdispatch: ['village', 'sub_note'], village_report: ['report']};
const URGENCY = {normal: '一般', urgent: '紧急', critical: '特急'};
const CHANNELS = {phone: '电话', web: '网站', app: 'App', wechat: '微信', sms: '短信', email: '电子邮件',
  letter: '来信', open311: '外部系统', transfer: '转办'};
// --- issue 17 (cases): transfers to other platforms, repeat appeals ---
Object.assign(F, {
  platform: () => label('接收平台', select('f-platform', [['xinfang', '信访部门'], ['yue12345', '广东省12345 (粤省心)'], ['other_city', '外市12345热线']])),
  receiver: () => label('接收单位', h('input', {id: 'f-receiver', maxlength: 200})),
  city: () => label('外市名称 (转外市热线时填写)', h('input', {id: 'f-city', maxlength: 64})),
  ref_no: () => label('对方受理编号', h('input', {id: 'f-reference', maxlength: 64})),
  answer: () => label('对方答复', h('textarea', {id: 'f-answer', rows: 3, maxlength: 5000})),
  earlier_id: () => label('原工单 ID', h('input', {id: 'f-earlier_id', type: 'number'})),
});
Object.assign(FIELDS, {transfer_platform: ['platform', 'receiver', 'city', 'ref_no'],
  transfer_answer: ['answer', 'ref_no'], link_repeat: ['earlier_id']});
// --- end issue 17 ---
let order = null, current = null, inFlight = false;
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
const unitName = (code, L) => (code && (L.units.get(code) || D.unitName(code))) || '';

function callerCell(c) {
  if (c.confidential && !c.name && !c.phone) return h('span', {class: 'hint'}, '保密件, 不显示来电人信息');
  if (!c.name && !c.phone) return h('span', {class: 'hint'}, c.anonymous ? '匿名' : '未留姓名和电话');
  const masked = c.phone && c.phone.includes('*');
  return [(c.name || (c.anonymous ? '匿名' : '')) + ' ', h('span', {id: 'caller-phone'}, c.phone || ''),
    masked ? [' ', h('button', {type: 'button', class: 'secondary', id: 'reveal-btn'}, '查看完整号码')] : null];
}

function clockRows(dl) {
  const rows = (dl.deadlines || []).map(d => {
    let state;
    if (d.time_left) state = Hotline.clockBadge(d, !!order.rapid_item);
    else if (d.met_at) state = h('span', {class: d.status === 'overdue' ? 'time-left tl-overdue' : 'time-left tl-ok'},
      (d.status === 'overdue' ? '超时完成 ' : '已完成 ') + D.fmt(d.met_at));
    else if (d.paused_since) state = h('span', {class: 'hint'}, '挂起中, 暂停计时');
    else state = h('span', {class: 'hint'}, '已结束');
    return h('tr', {class: d.time_left ? 'running' : null}, h('td', null, d.clock_label, h('div', {class: 'hint'}, d.target_label)),
      h('td', null, D.fmt(d.due), d.provisional ? h('div', {class: 'hint'}, '暂定') : null), h('td', null, state));
  });
  return rows.length ? rows : D.emptyRow(3, '暂无时限');
}

function surveyNode(s) {
  if (!s) return h('p', {class: 'hint'}, '尚无回访');
  return h('table', {class: 'facts'}, h('tbody', null,
    h('tr', null, h('th', null, '回访状态'), h('td', null, s.status_label)),
    s.resolved_label ? h('tr', null, h('th', null, '是否解决'), h('td', null, s.resolved_label)) : null,
    s.satisfaction_label ? h('tr', null, h('th', null, '满意度'), h('td', null, s.satisfaction_label)) : null,
    s.comment ? h('tr', null, h('th', null, '市民意见'), h('td', null, s.comment)) : null));
}

async function loadAttachments() {
  const r = await Hotline.api('GET', `/api/v1/orders/${PAGE.order_id}/attachments`);
  h.fill($('attachments'), r.items.length ? r.items.map(a => h('li', null,
    a.kind === 'file' ? h('a', {href: `/api/v1/orders/${PAGE.order_id}/attachments/${a.id}`}, a.filename)
      : '通话录音 ' + (a.recording_ref || ''),
    h('span', {class: 'hint'}, ' · ' + D.fmt(a.at) + (a.size ? ' · ' + Math.ceil(a.size / 1024) + ' KB' : ''))))
    : h('li', {class: 'hint'}, '暂无附件'));
}

async function load() {
  try {
    order = await Hotline.api('GET', `/api/v1/orders/${PAGE.order_id}`);
  } catch (e) {
    if (e.status === 404 || e.status === 403) { notFound(); return; }
    throw e;
  }
  const L = await Hotline.labels();
  const [facts, ws, dl, codes] = await Promise.all([
    Hotline.api('GET', `/api/v1/orders/${PAGE.order_id}/dispatch`),
    Hotline.api('GET', `/api/v1/orders/${PAGE.order_id}/workspace`),
    Hotline.api('GET', `/api/v1/orders/${PAGE.order_id}/deadlines`),
    Hotline.api('GET', '/api/v1/dispatch/codes')]);
  WS = ws;
  document.title = '工单 ' + order.number + ' · 12345';
  $('o-number').textContent = order.number;
  $('o-status').textContent = order.status_label;
  h.fill($('o-rapid'), Hotline.rapidBadge(order));
  // the header shows the most urgent running clock (overdue first, then the earliest)
  const running = (dl.deadlines || []).filter(d => d.time_left);
  running.sort((a, b) => (b.time_left.overdue - a.time_left.overdue) ||
    (a.time_left.overdue ? b.time_left.seconds - a.time_left.seconds : a.time_left.seconds - b.time_left.seconds));
  h.fill($('o-clock'), running.length ? [running[0].clock_label + '时限 ', Hotline.clockBadge(running[0], !!order.rapid_item)] : null);
  $('o-title').textContent = order.title || D.short(order.content, 30);
  $('o-content').textContent = order.content;
  const c = order.caller || {};
  const rows = [
    ['诉求类型', PAGE.appeal_types[order.appeal_type] || '未分类'],
    ['渠道', CHANNELS[order.channel] || '其他渠道'],
    ['紧急程度', URGENCY[order.urgency] || '一般'],
    ['分类', order.category ? (L.categories.get(order.category) || '其他分类') : '未分类'],
    ['来电人', callerCell(c)],
    ['镇街 / 地址', unitName(order.town, L) + ' ' + (order.address || '')],
    ['受理时间', D.fmt(order.received_at)],
    ['登记人', ws.created_by_name],
    order.query_code ? ['查询码', order.query_code] : null,
    ['承办(主办)单位', unitName(order.unit, L) || '（待派单）'],
    ['首派单位', unitName(order.first_unit, L) || '—'],
    order.village ? ['交办村（社区）', order.village_name || D.unitName(order.village)] : null,
    ['协办单位', (order.assist_units || []).length ? order.assist_units.map(u => unitName(u, L)).join('、') : '无'],
    ['经办人', order.handler || '未指定'],
    ['退单次数', String(facts.returns_requested)],
  ].filter(Boolean);
  if (facts.master) rows.push(['并入主工单', orderLink(facts.master)]);
  if (facts.merged_orders.length) rows.push(['已并入本单', facts.merged_orders.map((m, i) => [i ? ' ' : null, orderLink(m)])]);
  h.fill($('o-facts'), rows.map(([k, v]) => h('tr', null, h('th', null, k), h('td', null, v))));
  h.fill($('clocks'), clockRows(dl));
  $('clocks-explain').setAttribute('href', `/orders/${PAGE.order_id}/deadlines`);
  $('co-card').hidden = !facts.assist_tasks.length;
  h.fill($('co'), facts.assist_tasks.map(t => h('div', {class: 'assist-task'},
    h('b', null, unitName(t.unit, L)), ` · ${t.task || ''} · 期限 ${D.fmt(t.due)}`,
    h('ul', null, t.inputs_detail.length ? t.inputs_detail.map(i => h('li', null, `${D.fmt(i.at)} ${i.input || ''}`))
                                         : h('li', {class: 'hint'}, '尚无协办意见')))));
  h.fill($('survey'), surveyNode(ws.survey));
  $('related-card').hidden = !ws.related.length;
  h.fill($('related'), ws.related.map(o => h('li', null, orderLink(o), ' · ' + o.status_label + ' · ' + D.fmt(o.received_at))));
  // an assisting unit only gives inputs to the lead (主办 replies, docs/design/domain.md §6.5)
  let allowed = order.allowed_actions || [];
  // (the village the town passed it to gets its own actions from the server: 二级派单, issue 17)
  if (me.role === 'department' && me.unit !== order.unit && me.unit !== order.village) allowed = allowed.filter(a => ['note', 'assist_input'].includes(a));
  h.fill($('actions'), allowed.length
    ? allowed.map(a => h('button', {type: 'button', 'data-action': a, id: 'act-' + a}, codes.actions[a] || '操作'))
    : h('span', {class: 'hint'}, '当前无可执行操作'));
  h.fill($('timeline'), order.history.map(t => {
    const d = t.data || {}; const extra = [];
    if (d.unit) extra.push('单位: ' + unitName(d.unit, L));
    if (d.handler) extra.push('经办人: ' + d.handler);
    if (d.legal_basis) extra.push('依据: ' + d.legal_basis);
    if (d.reason_code && PAGE.return_reasons[d.reason_code]) extra.push('原因: ' + PAGE.return_reasons[d.reason_code]);
    if (d.suggested_unit) extra.push('建议: ' + unitName(d.suggested_unit, L));
    if (d.window_closes_at) extra.push('退单时限: ' + D.fmt(d.window_closes_at));
    if (d.attributed_to && d.attributed_to !== 'none') extra.push('归责: ' + (codes.attributions[d.attributed_to] || '其他'));
    if (d.days) extra.push(d.days + ' 个工作日');
    if (d.line) extra.push('热线: ' + d.line);
    if (d.input) extra.push('协办意见: ' + d.input);
    if (d.receiver) extra.push('接收单位: ' + d.receiver + (d.reference ? ' · 编号 ' + d.reference : ''));   // issue 17
    if (d.answer) extra.push('对方答复: ' + d.answer);
    if (d.earlier_number) extra.push('原工单: ' + d.earlier_number);
    if (d.report) extra.push('村（社区）办理结果: ' + d.report);   // 二级派单 (issue 17)
    if (d.note && t.action === 'subdispatch') extra.push('交办说明: ' + d.note);
    if (d.article_id) extra.push(`依据知识条目 ${d.article_id} 第 ${d.article_version} 版`);   // 直接答复 (issue 16)
    const from = codes.statuses[t.from], to = codes.statuses[t.to];
    return h('li', null, h('b', null, D.fmt(t.at)),
      ' ', actorNode(t, L), ' ', h('span', {class: 'what'}, t.action_label || codes.actions[t.action] || '操作'),
      from !== to && to ? h('span', {class: 'hint'}, ` · ${from || '新建'} → ${to}`) : null,
      t.reason ? h('div', null, '理由: ' + t.reason) : null,
      extra.length ? h('div', {class: 'hint'}, extra.join(' · ')) : null);
  }));
  // a reply is stored twice (the unit's report and the words to the citizen, commands.py):
  // shown once when both say the same
  const kinds = {citizen_reply: '答复市民', unit_report: '办理情况', internal: '内部备注'};
  const notes = order.notes.filter(n => !(n.kind === 'unit_report' && order.notes.some(
    m => m.kind === 'citizen_reply' && m.body === n.body && m.at === n.at)));
  h.fill($('notes'), notes.length
    ? notes.map(n => h('li', null, h('b', null, D.fmt(n.at)), ` ${kinds[n.kind] || '备注'}: `, n.body))
    : h('li', {class: 'hint'}, '无'));
  await loadAttachments();
}

$('actions').addEventListener('click', (e) => {
  const b = e.target.closest('button'); if (!b) return;
  current = b.dataset.action;
  $('action-title').textContent = b.textContent;
  const eff = WS.effects[current] || {};
  $('action-effect').textContent = eff.to_label && eff.to_label !== order.status_label
    ? `执行后工单状态: ${order.status_label} → ${eff.to_label}` : '';
  h.fill($('action-fields'), (FIELDS[current] || []).map(f => F[f]()));
  $('f-reason').value = '';
  $('action-error').textContent = '';
  Hotline.clearErrors($('action-form'));
  $('action-form').hidden = false;
  const first = $('action-form').querySelector('#action-fields [id^="f-"]') || $('f-reason');
  first.focus();
});
$('action-cancel').onclick = () => { $('action-form').hidden = true; };

// The confirmation names the effect and the target (docs/design/ux.md §6).
function confirmText(data) {
  const eff = WS.effects[current] || {};
  const name = $('action-title').textContent;
  const target = data.unit ? ' → ' + D.unitName(data.unit) : (data.suggested_unit ? '（建议 ' + D.unitName(data.suggested_unit) + '）' : '');
  const title = (current === 'dispatch' && data.unit) ? '派给 ' + D.unitName(data.unit) + '？' : `${name}${target}？`;
  const lines = ['工单 ' + order.number];
  if (eff.to_label && eff.to_label !== order.status_label) lines.push('状态将变为「' + eff.to_label + '」');
  if (eff.changes_owner && data.unit) lines.push('改由 ' + D.unitName(data.unit) + ' 承办');
  lines.push('此操作记入流转记录, 不能撤销。');
  return [title, lines.join('；')];
}

$('action-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  if (inFlight) return;
  const form = $('action-form');
  const data = {};
  form.querySelectorAll('#action-fields [id^="f-"]').forEach(el => {
    const k = el.name || el.id.slice(2);
    if (el.type === 'checkbox') { if (el.checked) data[k] = true; }
    else if (el.value !== '') data[k] = el.type === 'number' ? Number(el.value) : el.value;
  });
  const err = $('action-error'); err.textContent = '';
  Hotline.clearErrors(form);
  // a required picker left on "请选择": said next to it, in Chinese, nothing sent
  const missing = {};
  form.querySelectorAll('#action-fields [required]').forEach(el => { if (!el.value) missing[el.name] = ['请选择']; });
  if (Object.keys(missing).length) { Hotline.showErrors(form, {body: {error: {fields: missing}}}, err); return; }
  if (!await D.confirm(...confirmText(data))) return;
  inFlight = true; $('action-submit').disabled = true;
  try {
    await D.act(PAGE.order_id, current, $('f-reason').value, data);
    form.hidden = true;
    await load();
  } catch (ex) {
    // each error next to its field (data.unit -> the 单位 picker), in Chinese
    Hotline.showErrors(form, ex, err, {reason: 'f-reason'});
  } finally { inFlight = false; $('action-submit').disabled = false; }
});

// 查看完整号码: a reason is required and logged (个人信息保护法; hotline/privacy)
document.addEventListener('click', (e) => {
  if (e.target.id !== 'reveal-btn') return;
  $('reveal-form').hidden = false; $('reveal-reason').focus();
});
$('reveal-cancel').onclick = () => { $('reveal-form').hidden = true; };
$('reveal-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = $('reveal-form'); const btn = $('reveal-submit');
  if (btn.disabled) return;
  btn.disabled = true;
  try {
    const r = await Hotline.api('POST', `/api/v1/orders/${PAGE.order_id}/reveal`, {reason: $('reveal-reason').value});
    $('caller-phone').textContent = r.phone || '';
    const rb = $('reveal-btn'); if (rb) rb.remove();
    form.hidden = true;
  } catch (ex) { Hotline.showErrors(form, ex, $('reveal-error'), {reason: 'reveal-reason'}); }
  finally { btn.disabled = false; }
});

$('upload-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const btn = $('upload-submit'); const err = $('upload-error'); const input = $('upload-file');
  if (btn.disabled) return;
  err.textContent = ''; Hotline.clearErrors($('upload-form'));
  if (!input.files.length) { Hotline.showErrors($('upload-form'), {body: {error: {fields: {file: ['请选择要上传的文件']}}}}, err); return; }
  const fd = new FormData(); fd.append('file', input.files[0]);
  btn.disabled = true;
  try {
    const r = await fetch(`/api/v1/orders/${PAGE.order_id}/attachments`, {method: 'POST', body: fd,
      credentials: 'same-origin', headers: {'X-CSRFToken': Hotline.csrf()}});
    const j = await r.json().catch(() => ({}));
    if (!r.ok) { const ex = new Error((j.error && j.error.message) || '上传失败'); ex.body = j; throw ex; }
    input.value = '';
    await loadAttachments();
  } catch (ex) { Hotline.showErrors($('upload-form'), ex, err, {file: 'upload-file'}); }
  finally { btn.disabled = false; }
});

load().catch(e => { $('action-error').textContent = e.message; });

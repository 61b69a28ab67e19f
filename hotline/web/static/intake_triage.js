// The intake triage on the agent page (issue 14, Build 1-4): as the agent types, POST
// /api/v1/classify answers every decision intake will make; this shows them in Chinese
// (names, never codes): the suggested category and unit, the appeal type with its score
// (preselected until the agent picks one: the agent confirms or changes it), a rapid-response
// item with its pledge clocks, and an emergency as a BLOCKING banner with the line to transfer
// to. The banner's button logs the call and records `transfer_emergency` (line, operator,
// reference; the time is the server's). intake.js asks `IntakeTriage.blocking()` before a
// submit and hands every created order to `IntakeTriage.created(o)`.
const IntakeTriage = (() => {
  const $ = (id) => document.getElementById(id);
  const pct = (x) => Math.round(x * 100) + '%';
  let emergency = null;     // the current emergency reading, or null
  let waived = false;       // the agent judged it is not an emergency ("不是紧急情况")
  let order = null;         // an order already logged for this call (submit raced the check)
  let typeTouched = false;  // the agent chose the appeal type: never overwrite it

  function init() {
    $('appeal_type').addEventListener('change', () => { typeTouched = true; });
    document.getElementById('intake-form').addEventListener('reset', () => setTimeout(reset));
  }

  function reset() {
    emergency = null; waived = false; order = null; typeTouched = false;
    $('appeal-type-hint').textContent = '';
    $('suggestions').textContent = '';
    banner();
  }

  function show(r) {
    const parts = [];
    if (r.suggestions && r.suggestions.length) {
      parts.push('系统建议: ' + r.suggestions.map(s =>
        `${s.name}${s.unit_name ? '→' + s.unit_name : ''} (${pct(s.score)})`).join('，'));
    }
    if (r.rapid_item) {
      const it = r.rapid_item;
      parts.push(`快速响应事项「${it.name}」：派${it.unit_name || '属地镇街'}，${it.contact_minutes} 分钟内联系、` +
        `${it.onsite_minutes} 分钟内到场`);
    }
    if (!r.emergency && !r.auto && r.reasons && r.reasons.length) parts.push('需派单员分派：' + r.reasons.join('；'));
    else if (r.auto) parts.push('提交后将自动派单');
    $('suggestions').textContent = parts.join(' · ');
    const at = r.appeal_type;
    if (at) {
      $('appeal-type-hint').textContent = `建议：${at.name}（${pct(at.score)}）`;
      if (!typeTouched) $('appeal_type').value = at.code;
    }
    const was = emergency && emergency.line;
    emergency = r.emergency || null;
    if (!emergency || emergency.line !== was) waived = false;
    banner();
  }

  function blocking() { return !!emergency && !waived; }
  // the agent's override goes with the order: it queues for a dispatcher instead of waiting
  function extra() { return emergency && waived ? {not_emergency: true} : {}; }

  function banner() {
    const el = $('emergency-banner');
    const on = blocking();
    el.hidden = !on;
    $('submit-btn').disabled = on;
    if (!on) { h.fill(el); return; }
    const e = emergency;
    h.fill(el,
      h('h2', null, `紧急警情：请立即转接 ${e.line_name}`),
      h('p', null, e.reason),
      h('p', {class: 'hint'}, '此类来电不登记为 12345 工单派单。转接后填写接警信息并确认。'),
      h('div', {class: 'row'},
        h('label', null, '接警员', h('input', {id: 'em-operator', maxlength: 64})),
        h('label', null, '接警单号', h('input', {id: 'em-reference', maxlength: 64}))),
      h('button', {type: 'button', id: 'em-transfer', class: 'danger'}, `已转接 ${e.line}，确认登记`),
      ' ',
      h('button', {type: 'button', id: 'em-waive', class: 'secondary'}, '不是紧急情况，继续登记'),
      h('p', {class: 'error', id: 'em-error', role: 'alert'}));
    $('em-transfer').addEventListener('click', transfer);
    $('em-waive').addEventListener('click', () => { waived = true; banner(); });
  }

  async function transfer() {
    const btn = $('em-transfer'); const err = $('em-error'); err.textContent = '';
    const e = emergency;
    btn.disabled = true;
    try {
      // the order that records the call: the one already logged, else one the agent keeps
      // (queue: false: an emergency is transferred, never queued)
      const o = order || await IntakeForm.create({queue: false});
      const data = {line: e.line};
      const op = $('em-operator').value.trim(); const ref = $('em-reference').value.trim();
      if (op) data.operator = op;
      if (ref) data.reference = ref;
      const t = await Hotline.api('POST', `/api/v1/orders/${o.id}/transfer_emergency`, {reason: e.reason, data});
      IntakeForm.listed(Object.assign({}, o, t, {status_label: t.status_label || '已转紧急热线'}));
      document.getElementById('intake-form').reset();
      // after the form's reset handler (a later timer) has cleared the hints
      setTimeout(() => { $('suggestions').textContent = `已转接 ${e.line_name}，工单 ${o.number} 已记录转接。`; });
    } catch (ex) {
      err.textContent = ex.message + ' ' + Hotline.fieldErrors(ex);
      btn.disabled = false;
    }
  }

  // intake.js: an order was created; if the server found an emergency the live check had not
  // shown yet, the banner comes up for THIS order (the transfer is recorded on it).
  function created(o) {
    if (o.triage && o.triage.emergency && o.status === 'registered' && !waived) {
      order = o; emergency = o.triage.emergency; waived = false; banner();
      return true;
    }
    return false;
  }

  return {init, show, blocking, extra, created, reset};
})();

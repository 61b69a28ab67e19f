// Agent intake: one form, one submit; the new order appears at the top with its number.
Hotline.requireLogin();
const form = document.getElementById('intake-form');
const STATUS = {pending_dispatch: '待派单', dispatched: '待签收', registered: '已登记'};
// One Idempotency-Key per appeal, kept until it is accepted: submitting again after a
// timeout or a 503 returns the order if the first try was stored, never a second order.
let intakeKey = null;
const newKey = () => (window.crypto && crypto.randomUUID) ? crypto.randomUUID() :
  Date.now().toString(36) + '-' + Math.random().toString(36).slice(2);
// The appeal is never cut: the field has no maxlength (a pasted 10,000-character appeal was
// silently truncated to 5,000), the count is shown and a too-long text is refused next to the
// field, in the API's terms (诉求内容须为 5 至 5000 个字符).
const content = document.getElementById('content');
const contentMax = Number(content.dataset.max) || 5000;
const contentErr = document.getElementById('content-error');
const chars = (t) => Array.from(t).length;       // characters (code points), as the API counts
function checkLength() {
  const n = chars(content.value);
  document.getElementById('content-count').textContent = n + ' / ' + contentMax + ' 字';
  const over = n > contentMax;
  content.classList.toggle('invalid', over);
  content.setAttribute('aria-invalid', over ? 'true' : 'false');
  contentErr.textContent = over ? `诉求内容超出上限：当前 ${n} 字，最多 ${contentMax} 字。` : '';
  return !over;
}
content.addEventListener('input', checkLength);
form.addEventListener('reset', () => setTimeout(checkLength));
const submitBtn = document.getElementById('submit-btn');
let inFlight = false;
function requestBody(extra) {
  const f = form.elements;
  const body = {content: f.content.value, channel: f.channel.value, urgency: f.urgency.value,
    caller: {name: f.caller_name.value || null, phone: f.caller_phone.value || null,
             anonymous: f.anonymous.checked, confidential: f.confidential.checked}};
  for (const k of ['title', 'address', 'town', 'category', 'unit', 'appeal_type']) if (f[k].value) body[k] = f[k].value;
  return Object.assign(body, extra || {});
}
async function createOrder(extra) {
  intakeKey = intakeKey || newKey();
  const o = await Hotline.api('POST', '/api/v1/orders', requestBody(Object.assign(IntakeTriage.extra(), extra || {})),
    {'Idempotency-Key': intakeKey});
  intakeKey = null;
  listOrder(o);
  return o;
}
const D_fmt = (iso) => (iso ? String(iso).replace('T', ' ').slice(0, 16) : '');
function listOrder(o, fromServer) {
  // a replayed answer (same key) is the order already listed: list each order once, as it stands
  const tbody = document.querySelector('#recent tbody');
  const row = h('tr', {class: fromServer ? 'shift-order' : 'new-order', 'data-id': o.id},
    h('td', {class: 'number'}, h('a', {href: '/orders/' + encodeURIComponent(o.id)}, o.number)),
    h('td', {class: 'query-code'}, o.query_code || ''), h('td', null, D_fmt(o.received_at)),
    h('td', null, o.status_label), h('td', null, o.unit_name || (o.status === 'pending_dispatch' ? '（待派单员派单）' : '')),
    h('td', null, o.content.slice(0, 60)));
  const old = tbody.querySelector(`tr[data-id="${Number(o.id)}"]`);
  if (old) old.replaceWith(row); else tbody.prepend(row);
}
// the triage banner (intake_triage.js) logs an emergency call through the same request
window.IntakeForm = {create: createOrder, listed: listOrder};
IntakeTriage.init();
form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  // one request at a time: a double or triple click (or Enter while waiting) sends nothing more
  if (inFlight) return;
  const err = document.getElementById('intake-error'); err.textContent = '';
  Hotline.clearErrors(form);
  if (!checkLength()) {
    contentErr.textContent += '请精简后再提交（全文未被截断）。';
    content.focus();
    return;
  }
  if (IntakeTriage.blocking()) {       // an emergency: transfer first (the banner's button)
    err.textContent = '紧急警情须先转接紧急热线。';
    return;
  }
  inFlight = true; submitBtn.disabled = true;
  try {
    const o = await createOrder();
    const dups = o.duplicates || [];
    document.getElementById('duplicates').textContent = dups.length ?
      '可能重复的在办工单: ' + dups.map(d => d.number + ' (相似度 ' + d.score + ')').join('，') : '';
    if (window.IntakeRepeats) IntakeRepeats.show(o);   // issue 17: earlier orders (intake_repeats.js)
    // the server found an emergency the live check had not shown yet: the banner asks for the
    // transfer of this order, and the form keeps the appeal until then
    showSuccess(o);
    if (!IntakeTriage.created(o)) { form.reset(); document.getElementById('caller_name').focus(); }
  } catch (e) {
    // each error next to its field, named by its label (caller.phone -> caller_phone)
    Hotline.showErrors(form, e, err, {'caller.name': 'caller_name', 'caller.phone': 'caller_phone',
      'caller.anonymous': 'anonymous', 'caller.confidential': 'confidential'});
  } finally {
    inFlight = false; submitBtn.disabled = IntakeTriage.blocking();
  }
});
// The live triage (debounced): what intake will decide, while the agent types.
let timer = null;
let asked = 0;
function checkTriage() {
  clearTimeout(timer);
  timer = setTimeout(async () => {
    const text = content.value; if (chars(text) < 5) return;
    const n = ++asked;
    try {
      const r = await Hotline.api('POST', '/api/v1/classify', {text, town: form.elements.town.value || null});
      if (n === asked) IntakeTriage.show(r);    // an older answer never overwrites a newer one
    } catch (e) { /* advisory only: intake decides again on submit */ }
  }, 400);
}
content.addEventListener('input', checkTriage);
document.getElementById('town').addEventListener('change', checkTriage);

// ---- issue 15 (workspace): feedback, the keyboard flow and the shift's list ----
// After intake a banner names the order number and the 查询码, which the agent reads to the
// caller for the progress page (docs/design/ux.md §7).
function showSuccess(o) {
  const el = document.getElementById('intake-success');
  h.fill(el, h('div', null, '已登记工单 ', h('a', {href: '/orders/' + encodeURIComponent(o.id), id: 'success-number', class: 'big'}, o.number),
    ' · ', o.status_label, o.unit_name ? ' · 派至 ' + o.unit_name : ''),
  o.query_code ? h('div', null, '请告知来电人查询码: ', h('span', {class: 'big', id: 'success-code'}, o.query_code),
    h('span', {class: 'hint'}, ' (市民凭工单号和查询码在网站查询进度)')) : null);
  el.hidden = false;
}
// Ctrl+Enter submits from any field; Alt+C goes to the appeal; Alt+N starts the next call.
document.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); }
  else if (e.altKey && (e.key === 'c' || e.key === 'C')) { e.preventDefault(); content.focus(); }
  else if (e.altKey && (e.key === 'n' || e.key === 'N')) {
    e.preventDefault(); document.getElementById('intake-success').hidden = true;
    document.getElementById('caller_name').focus();
  }
});
// The shift's list comes from the server (orders this agent logged today), so a reload keeps it.
Hotline.api('GET', '/api/v1/intake/shift').then((r) => {
  r.items.slice().reverse().forEach(o => {
    if (!document.querySelector(`#recent tbody tr[data-id="${Number(o.id)}"]`)) listOrder(o, true);
  });
}).catch(() => { /* the list is a convenience: intake works without it */ });

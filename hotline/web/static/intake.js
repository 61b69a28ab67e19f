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
form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  // one request at a time: a double or triple click (or Enter while waiting) sends nothing more
  if (inFlight) return;
  const f = form.elements; const err = document.getElementById('intake-error'); err.textContent = '';
  Hotline.clearErrors(form);
  if (!checkLength()) {
    contentErr.textContent += '请精简后再提交（全文未被截断）。';
    content.focus();
    return;
  }
  const body = {content: f.content.value, channel: f.channel.value, urgency: f.urgency.value,
    caller: {name: f.caller_name.value || null, phone: f.caller_phone.value || null,
             anonymous: f.anonymous.checked, confidential: f.confidential.checked}};
  for (const k of ['title', 'address', 'town', 'category', 'unit', 'appeal_type']) if (f[k].value) body[k] = f[k].value;
  inFlight = true; submitBtn.disabled = true;
  try {
    intakeKey = intakeKey || newKey();
    const o = await Hotline.api('POST', '/api/v1/orders', body, {'Idempotency-Key': intakeKey});
    intakeKey = null;
    // a replayed answer (same key) is the order already listed: list each order once
    const tbody = document.querySelector('#recent tbody');
    if (!tbody.querySelector(`tr[data-id="${Number(o.id)}"]`)) {
      tbody.prepend(h('tr', {class: 'new-order', 'data-id': o.id}, h('td', {class: 'number'}, o.number),
        h('td', null, o.status_label), h('td', null, o.unit_name || '（待派单员派单）'),
        h('td', null, o.content.slice(0, 60))));
    }
    const dups = o.duplicates || [];
    document.getElementById('duplicates').textContent = dups.length ?
      '可能重复的在办工单: ' + dups.map(d => d.number + ' (相似度 ' + d.score + ')').join('，') : '';
    form.reset();
  } catch (e) {
    // each error next to its field, named by its label (caller.phone -> caller_phone)
    Hotline.showErrors(form, e, err, {'caller.name': 'caller_name', 'caller.phone': 'caller_phone',
      'caller.anonymous': 'anonymous', 'caller.confidential': 'confidential'});
  } finally {
    inFlight = false; submitBtn.disabled = false;
  }
});
let timer = null;
content.addEventListener('input', (ev) => {
  clearTimeout(timer);
  timer = setTimeout(async () => {
    const text = ev.target.value; if (text.length < 5) return;
    try {
      const r = await Hotline.api('POST', '/api/v1/classify', {text});
      const L = await Hotline.labels();   // names, never codes, on the page
      const cat = (c) => L.categories.get(c) || '其他分类';
      const unit = (u) => L.units.get(u) || '（待派单员判断）';
      document.getElementById('suggestions').textContent = r.suggestions.length ?
        '系统建议: ' + r.suggestions.map(s => `${cat(s.label)}${s.unit ? ' → ' + unit(s.unit) : ''} (${Math.round(s.score * 100)}%)`).join('，') +
        (r.rapid_item ? ' · 快速响应事项 ' + r.rapid_item.name : '') : '';
    } catch (e) { /* advisory only */ }
  }, 400);
});

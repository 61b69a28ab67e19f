// Agent intake: one form, one submit; the new order appears at the top with its number.
Hotline.requireLogin();
const form = document.getElementById('intake-form');
const STATUS = {pending_dispatch: '待派单', dispatched: '待签收', registered: '已登记'};
// One Idempotency-Key per appeal, kept until it is accepted: submitting again after a
// timeout or a 503 returns the order if the first try was stored, never a second order.
let intakeKey = null;
const newKey = () => (window.crypto && crypto.randomUUID) ? crypto.randomUUID() :
  Date.now().toString(36) + '-' + Math.random().toString(36).slice(2);
form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = form.elements; const err = document.getElementById('intake-error'); err.textContent = '';
  const body = {content: f.content.value, channel: f.channel.value, urgency: f.urgency.value,
    caller: {name: f.caller_name.value || null, phone: f.caller_phone.value || null,
             anonymous: f.anonymous.checked, confidential: f.confidential.checked}};
  for (const k of ['title', 'address', 'town', 'category', 'unit', 'appeal_type']) if (f[k].value) body[k] = f[k].value;
  try {
    intakeKey = intakeKey || newKey();
    const o = await Hotline.api('POST', '/api/v1/orders', body, {'Idempotency-Key': intakeKey});
    intakeKey = null;
    const tr = h('tr', {class: 'new-order'}, h('td', {class: 'number'}, o.number), h('td', null, o.status_label),
      h('td', null, o.unit_name || '（待派单员派单）'), h('td', null, o.content.slice(0, 60)));
    document.querySelector('#recent tbody').prepend(tr);
    const dups = o.duplicates || [];
    document.getElementById('duplicates').textContent = dups.length ?
      '可能重复的在办工单: ' + dups.map(d => d.number + ' (相似度 ' + d.score + ')').join('，') : '';
    form.reset();
  } catch (e) {
    err.textContent = e.message + ' ' + Hotline.fieldErrors(e);
  }
});
let timer = null;
document.getElementById('content').addEventListener('input', (ev) => {
  clearTimeout(timer);
  timer = setTimeout(async () => {
    const text = ev.target.value; if (text.length < 5) return;
    try {
      const r = await Hotline.api('POST', '/api/v1/classify', {text});
      document.getElementById('suggestions').textContent = r.suggestions.length ?
        '系统建议: ' + r.suggestions.map(s => `${s.label}${s.unit ? '→' + s.unit : ''} (${Math.round(s.score * 100)}%)`).join('，') +
        (r.rapid_item ? ' · 快速响应事项 ' + r.rapid_item.name : '') : '';
    } catch (e) { /* advisory only */ }
  }, 400);
});

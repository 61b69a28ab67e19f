// 电话回访队列: staff call the citizen and record the answers; 未接通 counts an attempt.
Hotline.requireLogin();
async function load() {
  const j = await Hotline.api('GET', '/api/v1/surveys?status=pending');
  const tb = document.querySelector('#queue tbody');
  h.fill(tb, j.items.map(s => h('tr', {'data-id': s.id}, h('td', null, s.order_number), h('td', null, s.phone),
    // issue 15: time left before the survey expires, in words and colour
    h('td', null, Hotline.clockBadge(s.time_left ? {time_left: s.time_left, status: 'ok', clock_label: '回访'} : null)),
    h('td', null, s.attempts), h('td', null,
      // no answer preselected: a row saved without asking would record 已解决 + 满意
      h('select', {class: 'res', 'aria-label': '解决情况'}, h.options([['', '请选择'], ['resolved', '已解决'], ['partial', '部分解决'], ['unresolved', '未解决']], '')), ' ',
      h('select', {class: 'sat', 'aria-label': '满意度'}, h.options([['', '请选择'], ['satisfied', '满意'], ['basic', '基本满意'], ['dissatisfied', '不满意']], '')), ' ',
      h('label', {class: 'inline'}, h('input', {type: 'checkbox', class: 'con', checked: true}), '单位已联系'), ' ',
      h('input', {class: 'com', placeholder: '意见'}), ' ',
      h('button', {type: 'button', class: 'save'}, '保存回答'), ' ',
      h('button', {type: 'button', class: 'miss'}, '未接通')))),
  j.items.length ? null : h('tr', null, h('td', {colspan: 5}, '暂无待回访')));
  tb.querySelectorAll('.save').forEach(b => b.onclick = async () => {
    if (b.disabled) return;
    const tr = b.closest('tr');
    tr.querySelectorAll('.field-error').forEach(p => p.remove());
    const missing = ['res', 'sat'].map(c => tr.querySelector('.' + c)).filter(sel => !sel.value);
    tr.querySelectorAll('select').forEach(sel => { const bad = missing.includes(sel); sel.classList.toggle('invalid', bad); sel.setAttribute('aria-invalid', bad ? 'true' : 'false'); });
    if (missing.length) {
      missing.forEach(sel => sel.after(h('p', {class: 'field-error', role: 'alert'}, '请选择' + sel.getAttribute('aria-label'))));
      return;
    }
    // staff record the citizen's phone answer by survey id (电话回访), never with the token;
    // the row's buttons are disabled while the request is in flight (issue 15)
    tr.querySelectorAll('button').forEach(x => { x.disabled = true; });
    try {
      await Hotline.api('POST', '/api/v1/surveys/' + tr.dataset.id + '/answer', {contacted: tr.querySelector('.con').checked,
        resolved: tr.querySelector('.res').value, satisfaction: tr.querySelector('.sat').value,
        comment: tr.querySelector('.com').value || null});
    } catch (e) {
      tr.querySelectorAll('button').forEach(x => { x.disabled = false; });
      b.after(h('p', {class: 'field-error', role: 'alert'}, e.message + (Hotline.fieldErrors(e) ? '：' + Hotline.fieldErrors(e) : '')));
      return;
    }
    load();
  });
  tb.querySelectorAll('.miss').forEach(b => b.onclick = async () => {
    if (b.disabled) return;
    b.closest('tr').querySelectorAll('button').forEach(x => { x.disabled = true; });
    try { await Hotline.api('POST', '/api/v1/surveys/' + b.closest('tr').dataset.id + '/attempts', {}); }
    catch (e) { b.closest('tr').querySelectorAll('button').forEach(x => { x.disabled = false; });
      b.after(h('p', {class: 'field-error', role: 'alert'}, e.message)); return; }
    load();
  });
}
load();

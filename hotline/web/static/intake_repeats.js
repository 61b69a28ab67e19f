// 重复诉求 at intake (issue 17): the caller's and the place's earlier orders (近 90 天, open or
// closed) with their outcome; the agent links the new appeal as a repeat, reopens a closed
// earlier order and links it, or keeps it as a new order. Text only (dom.js h()).
window.IntakeRepeats = (function () {
  let current = null;
  const card = () => document.getElementById('repeats-card');
  const err = () => document.getElementById('repeat-error');
  function row(e) {
    const why = [e.same_caller ? '同一来电人' : null, e.same_place ? '同一地点' : null].filter(Boolean).join('、');
    const pending = ['registered', 'pending_dispatch'].includes(current.status);
    return h('tr', null,
      h('td', null, h('a', {href: '/orders/' + encodeURIComponent(e.id)}, e.number), h('div', {class: 'hint'}, (e.content || '').slice(0, 40))),
      h('td', {class: 'nowrap'}, String(e.received_at || '').replace('T', ' ').slice(0, 16)),
      h('td', null, why),
      h('td', null, e.status_label, e.outcome ? h('div', {class: 'hint'}, '办理结果: ' + e.outcome) : null),
      h('td', null, pending ? [
        h('button', {type: 'button', class: 'repeat-link', 'data-id': e.id}, '关联为重复诉求'), ' ',
        e.closed && e.status === 'closed' ? h('button', {type: 'button', class: 'secondary repeat-reopen', 'data-id': e.id}, '重启原工单并关联') : null,
      ] : h('span', {class: 'hint'}, '新工单已派出, 不能关联')));
  }
  function show(o) {
    current = o;
    const items = (o && o.earlier) || [];
    card().hidden = !items.length;
    err().textContent = '';
    if (!items.length) return;
    document.getElementById('repeats-for').textContent = `新登记工单 ${o.number} 与以下工单可能为同一事项:`;
    h.fill(document.querySelector('#repeats tbody'), items.map(row));
  }
  document.addEventListener('click', async (ev) => {
    const b = ev.target.closest('button.repeat-link, button.repeat-reopen');
    if (b && current) {
      err().textContent = '';
      try {
        const o = await Hotline.api('POST', `/api/v1/orders/${current.id}/repeat`, {earlier_id: Number(b.dataset.id),
          reopen: b.classList.contains('repeat-reopen'), reason: document.getElementById('repeat-reason').value || undefined});
        card().hidden = true;
        if (window.IntakeForm && IntakeForm.listed) IntakeForm.listed(o);
      } catch (e) { err().textContent = e.message + (Hotline.fieldErrors(e) ? ' (' + Hotline.fieldErrors(e) + ')' : ''); }
    }
    if (ev.target.id === 'repeat-new') card().hidden = true;
  });
  return {show};
})();

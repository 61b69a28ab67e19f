// Helpers shared by the dispatch pages (/dispatch, /inbox, /orders/<id>, /supervisor/arbitration).
// They return text or nodes for dom.js's h(), never HTML (issue 12).
const D = {
  // units of the city as [[code, name], ...] from the page's JSON block (dispatch_units.html)
  UNIT_LIST: h.data('units-data') || [],
  fmt(iso) { return iso ? String(iso).replace('T', ' ').slice(0, 16) : ''; },
  link(o) { return h('a', {href: '/orders/' + encodeURIComponent(o.id), class: 'order-link'}, o.number); },
  short(s, n = 40) { s = s || ''; return s.length > n ? s.slice(0, n) + '…' : s; },
  unitName(code) { return D.UNIT_NAMES.get(code) || code || ''; },
  unitSelect(attrs, selected) { return h('select', attrs, h.options(D.UNIT_LIST, selected)); },
  async act(id, action, reason, data) {
    return Hotline.api('POST', `/api/v1/orders/${id}/${action}`, {reason: reason || null, data: data || {}});
  },
  showError(el, err) { el.textContent = err.message + (Hotline.fieldErrors(err) ? ' (' + Hotline.fieldErrors(err) + ')' : ''); },
  // a table's "nothing here" row
  emptyRow(cols, text) { return h('tr', null, h('td', {colspan: cols, class: 'hint'}, text)); },
};
// 二级派单 (issue 17): villages and communities with their town, [[code, name, town], ...]
D.VILLAGES = h.data('villages-data') || [];
D.UNIT_NAMES = new Map([...D.UNIT_LIST, ...D.VILLAGES.map(v => [v[0], v[1]])]);
// the villages of one town, for the town's "派至村（社区）" picker: empty first, required
D.villageSelect = (attrs, town) => h('select', Object.assign({required: true}, attrs),
  h.options([['', '请选择村（社区）'], ...D.VILLAGES.filter(v => v[2] === town).map(v => [v[0], v[1]])]));
// ---- issue 15 (workspace) ----
// A unit picker that picks nothing by itself: it starts on "请选择" and is required: no default
// picks a unit for the user (docs/design/ux.md §6; it defaulted to 市发展改革局).
D.unitPicker = function (attrs) {
  return h('select', Object.assign({required: true}, attrs),
    h('option', {value: '', selected: true}, '请选择单位'), h.options(D.UNIT_LIST));
};
// Confirm what cannot be undone (docs/design/ux.md §6): a modal <dialog> naming the effect and
// the target; resolves true on 确认, false on 取消 or Esc.
D.confirm = function (title, effect) {
  return new Promise((resolve) => {
    const ok = h('button', {type: 'button', id: 'confirm-ok'}, '确认');
    const no = h('button', {type: 'button', class: 'secondary', id: 'confirm-cancel'}, '取消');
    const dlg = h('dialog', {class: 'confirm', id: 'confirm-dialog', 'aria-labelledby': 'confirm-title'},
      h('h2', {id: 'confirm-title'}, title), effect ? h('p', null, effect) : null, h('p', null, ok, ' ', no));
    const done = (v) => { dlg.close(); dlg.remove(); resolve(v); };
    ok.addEventListener('click', () => done(true));
    no.addEventListener('click', () => done(false));
    dlg.addEventListener('cancel', (e) => { e.preventDefault(); done(false); });
    document.body.append(dlg);
    dlg.showModal();
    ok.focus();
  });
};

// /supervisor/surveys: the return visits that need a supervisor (不满意 / 未解决) and the units'
// appeals against a rating, each decided with a reason.
(function () {
  const {$} = Sup;
  function actions(i, kind, buttons) {
    const id = `${kind}-why-${i.id}`;
    return [h('label', {for: id, class: 'sr-only'}, kind === 'review' ? '督办理由' : '裁定理由'),
      h('input', {class: 'why', id, placeholder: kind === 'review' ? '理由' : '裁定理由', 'data-id': i.id}), ' ',
      buttons.map(([d, t]) => [h('button', {type: 'button', 'data-id': i.id, 'data-d': d}, t), ' '])];
  }
  function wire(tableId, errId, post) {
    $(tableId).querySelectorAll('button[data-d]').forEach(b => b.addEventListener('click', async () => {
      const why = $(tableId).querySelector(`.why[data-id="${b.dataset.id}"]`).value.trim();
      b.disabled = true; $(errId).textContent = '';
      try { await post(b.dataset.id, b.dataset.d, why); load(); }
      catch (e) { $(errId).textContent = Hotline.fieldErrors(e) || e.message; b.disabled = false; }
    }));
  }
  async function load() {
    const r = await Hotline.api('GET', '/api/v1/surveys?review=pending');
    Sup.table($('review'), {columns: [['order_number', '工单'], ['unit', '单位'], ['resolved', '解决情况'],
      ['satisfaction', '满意度'], ['comment', '市民意见']], items: r.items.map(i => Object.assign({}, i, {order_id: i.order_id}))},
      {empty: '暂无待督办的回访', extra: i => actions(i, 'review', [['reopen', '重办'], ['unreasonable', '最终答复'], ['close', '办结']])});
    wire('review', 'review-error', (id, decision, why) =>
      Hotline.api('POST', `/api/v1/surveys/${id}/decision`, {decision, reason: why || null}));
    const a = await Hotline.api('GET', '/api/v1/appeals?status=pending');
    Sup.table($('appeals'), {columns: [['survey_id', '回访编号'], ['unit', '单位'], ['reason', '申诉理由'], ['evidence', '证据']],
      items: a.items}, {empty: '暂无待裁定的申诉',
      extra: i => actions(i, 'appeal', [['uphold', '维持评价'], ['overturn', '撤销评价']])});
    wire('appeals', 'appeal-error', (id, decision, why) =>
      Hotline.api('POST', `/api/v1/appeals/${id}/ruling`, {decision, reason: why}));
  }
  Sup.start(load);
})();

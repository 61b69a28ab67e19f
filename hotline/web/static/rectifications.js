// 差评整改 (issue 18 item 6): units write their feedback on the tasks opened by bad ratings;
// supervisors see every task, accept or send back the feedback, and the per-unit figures.
const me = Hotline.requireLogin();
const $ = (id) => document.getElementById(id);
const unitRole = me.role === 'department';
const decider = ['supervisor', 'admin'].includes(me.role);
const pct = (x) => x == null ? '无数据' : (x * 100).toFixed(1) + '%';
const when = (s) => s ? s.slice(0, 16).replace('T', ' ') : '';
h.fill($('rect-intro'), unitRole ? '市民对本单位办理结果"不满意"时生成整改任务。请在期限内写明整改措施和结果, 由中心审核。'
  : '市民"不满意"的评价自动生成整改任务, 承办单位在期限内反馈, 中心审核通过或退回。');

function actions(t) {
  if (unitRole && t.status === 'open') {
    const ta = h('textarea', {id: 'fb-' + t.id, 'aria-label': '整改反馈', maxlength: 2000, rows: 3});
    const err = h('p', {class: 'field-error'});
    const b = h('button', {type: 'button', 'data-act': 'feedback'}, '提交整改反馈');
    b.addEventListener('click', async () => {
      err.textContent = '';
      try { await Hotline.api('POST', `/api/v1/rectifications/${t.id}/feedback`, {feedback: ta.value}); load(); }
      catch (e) { err.textContent = Hotline.fieldErrors(e) || e.message; }
    });
    return [ta, err, b];
  }
  if (decider && t.status === 'submitted') {
    const note = h('input', {type: 'text', 'aria-label': '审核意见 (退回时必填)', placeholder: '审核意见'});
    const err = h('p', {class: 'field-error'});
    const go = (decision) => async () => {
      err.textContent = '';
      try { await Hotline.api('POST', `/api/v1/rectifications/${t.id}/decision`, {decision, note: note.value || null}); load(); }
      catch (e) { err.textContent = Hotline.fieldErrors(e) || e.message; }
    };
    const ok = h('button', {type: 'button', 'data-act': 'accept'}, '通过'); ok.addEventListener('click', go('accept'));
    const back = h('button', {type: 'button', class: 'secondary', 'data-act': 'return'}, '退回'); back.addEventListener('click', go('return'));
    return [note, err, ok, ' ', back];
  }
  return [];
}

async function load() {
  $('rect-error').textContent = '';
  const st = $('status').value;
  try {
    const r = await Hotline.api('GET', '/api/v1/rectifications' + (st ? '?status=' + st : ''));
    h.fill($('tasks').tBodies[0], r.items.length ? r.items.map(t => h('tr', {'data-task': t.id},
      h('td', null, h('a', {href: '/orders/' + t.order_id}, t.order_number || ''), h('div', {class: 'hint'}, t.title || '')),
      h('td', null, t.unit_name),
      h('td', null, t.satisfaction_label, t.comment ? h('div', {class: 'hint'}, t.comment) : null),
      h('td', {class: 'nowrap'}, when(t.deadline), t.overdue ? h('span', {class: 'badge overdue'}, '已超期') : null),
      h('td', {'data-k': 'status'}, t.status_label, t.rounds ? h('div', {class: 'hint'}, `已退回 ${t.rounds} 次`) : null),
      h('td', {'data-k': 'feedback'}, t.feedback || '', t.decision_note ? h('div', {class: 'hint'}, '审核意见: ' + t.decision_note) : null),
      h('td', null, actions(t))))
      : h('tr', null, h('td', {colspan: 7, class: 'hint'}, '暂无差评整改任务')));
    if (!unitRole) {
      $('figures-card').hidden = false;
      const f = await Hotline.api('GET', '/api/v1/reports/rectifications');
      h.fill($('figures').tBodies[0], f.items.length ? f.items.map(x => h('tr', {'data-unit': x.unit || 'centre'},
        [x.unit_name, x.tasks, x.open, x.submitted, x.accepted, x.overdue, pct(x.on_time_rate)].map(c => h('td', null, c))))
        : h('tr', null, h('td', {colspan: 7, class: 'hint'}, '近 30 天没有差评整改')));
    }
  } catch (e) { $('rect-error').textContent = e.message; }
}
$('status').addEventListener('change', load);
load();

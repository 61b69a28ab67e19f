// 会商 (issue 17): dispatchers and supervisors open a consultation on an order; each consulted
// unit answers (牵头 / 协办 / 不同意 + 法律依据); the supervisor decides lead and assisting units.
// Every value is text through dom.js h() (issue 12).
Hotline.requireLogin();
const me = Hotline.login();
const params = new URLSearchParams(location.search);
const ORDER = params.get('order');
let pending = true;
const ANSWERS = [['lead', '同意牵头办理 (主办)'], ['assist', '同意协助办理 (协办)'], ['decline', '不同意 (须附法律依据)']];
const unitOptions = (codes, withBlank) => (withBlank ? [['', '— 请选择 —']] : []).concat(codes.map(c => [c, D.unitName(c)]));

if (['dispatcher', 'supervisor'].includes(me.role)) {
  document.getElementById('open-card').hidden = false;
  if (ORDER) document.getElementById('o-order').value = ORDER;
  const blank = [['', '— 不选 —']].concat(D.UNIT_LIST);
  h.fill(document.getElementById('o-units'), [1, 2, 3, 4].map(i => h('label', null, `会商单位 ${i}${i <= 2 ? ' (必选)' : ''} `,
    h('select', {class: 'o-unit', id: 'o-unit-' + i}, h.options(i <= 2 ? D.UNIT_LIST : blank)))));
  document.getElementById('o-unit-2').selectedIndex = 1;
  const d = new Date(Date.now() + 2 * 86400000 - new Date().getTimezoneOffset() * 60000);
  document.getElementById('o-deadline').value = d.toISOString().slice(0, 16);
}
document.getElementById('open-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const err = document.getElementById('open-error'); err.textContent = '';
  const units = [...document.querySelectorAll('.o-unit')].map(s => s.value).filter(Boolean);
  try {
    await Hotline.api('POST', '/api/v1/consultations', {order_id: Number(document.getElementById('o-order').value),
      units, deadline: document.getElementById('o-deadline').value + ':00+08:00',
      topic: document.getElementById('o-topic').value || undefined});
    await load();
  } catch (ex) { D.showError(err, ex); }
});

function answerForm(c) {
  const mine = c.units.find(u => u.unit === c.my_unit) || {};
  return h('form', {class: 'answer-form', 'data-id': c.id},
    h('h3', null, mine.answer ? '修改本单位答复 (督办决定前可修改)' : '本单位答复'),
    h('div', {class: 'row'}, h('label', null, '答复 ', h('select', {name: 'answer'}, h.options(ANSWERS))),
      h('label', null, '法律依据 (不同意时必填) ', h('input', {name: 'legal_basis', maxlength: 1000}))),
    h('label', null, '说明 ', h('input', {name: 'note', maxlength: 2000})),
    h('button', {type: 'submit'}, '提交答复'), h('p', {class: 'error', role: 'alert'}));
}
function decisionForm(c, L) {
  const codes = c.units.map(u => u.unit);
  const proposed = (c.units.find(u => u.answer === 'lead') || {}).unit;
  return h('form', {class: 'decision-form', 'data-id': c.id},
    h('h3', null, '督办决定'),
    h('div', {class: 'row'}, h('label', null, '主办单位 ', h('select', {name: 'lead'}, h.options(unitOptions(codes), proposed))),
      h('label', null, '更正分类 (可选) ', h('select', {name: 'category'}, h.options([['', '— 不更正 —']].concat([...L.categories.entries()]))))),
    h('div', null, '协办单位: ', codes.map(u => h('label', {class: 'inline'},
      h('input', {type: 'checkbox', name: 'assist', value: u, checked: c.units.some(x => x.unit === u && x.answer === 'assist')}), ' ' + D.unitName(u)))),
    h('label', null, '决定理由 ', h('textarea', {name: 'reason', rows: 2, maxlength: 2000})),
    h('button', {type: 'submit'}, '作出决定 (保存为派单规则)'), h('p', {class: 'error', role: 'alert'}));
}
function card(c, L) {
  const mine = c.my_unit && c.units.some(u => u.unit === c.my_unit);
  return h('article', {class: 'card consult', 'data-id': c.id},
    h('h2', null, '工单 ', c.order_visible ? h('a', {href: '/orders/' + encodeURIComponent(c.order_id)}, c.order_number) : c.order_number,
      ' ', h('span', {class: 'badge' + (c.overdue ? ' overdue' : '')}, c.decision ? '已决定' : (c.overdue ? '已过答复期限' : '待答复'))),
    h('p', null, c.content || ''),
    h('p', {class: 'hint'}, `${c.town_name || ''} · ${c.category_name || '未分类'} · 发起 ${D.fmt(c.opened_at)} · 答复期限 ${D.fmt(c.deadline)}`),
    c.topic ? h('p', null, '会商事由: ' + c.topic) : null,
    h('table', null, h('thead', null, h('tr', null, h('th', null, '单位'), h('th', null, '答复'), h('th', null, '法律依据 / 说明'), h('th', null, '时间'))),
      h('tbody', null, c.units.map(u => h('tr', null, h('td', null, u.unit_name),
        h('td', null, u.answer_label, u.late ? h('span', {class: 'badge warning'}, ' 逾期答复') : null),
        h('td', null, [u.legal_basis, u.note].filter(Boolean).join(' / ')), h('td', null, D.fmt(u.answered_at)))))),
    c.decision ? h('p', {class: 'decision'}, h('b', null, '决定: '), `主办 ${c.decision.lead_name}`,
      c.decision.assist_names.length ? `, 协办 ${c.decision.assist_names.join('、')}` : '', ` · ${c.decision.applied_label} · 理由: ${c.decision.reason}`) : null,
    !c.decision && mine ? answerForm(c) : null,
    !c.decision && me.role === 'supervisor' ? decisionForm(c, L) : null);
}
let loads = 0;   // an older answer never overwrites a newer one (a filter clicked meanwhile)
async function load() {
  const n = ++loads;
  const L = await Hotline.labels();
  const q = new URLSearchParams();
  if (pending) q.set('pending', 'true');
  if (ORDER) q.set('order_id', ORDER);
  const r = await Hotline.api('GET', '/api/v1/consultations?' + q);
  if (n !== loads) return;
  document.getElementById('list-title').textContent = ORDER ? '本工单的会商' : (me.role === 'department' ? '邀请本单位的会商' : '会商');
  h.fill(document.getElementById('list'), r.items.length ? r.items.map(c => card(c, L)) : h('p', {class: 'hint'}, '暂无会商'));
}
document.getElementById('filter').addEventListener('click', (e) => {
  const b = e.target.closest('button'); if (!b) return;
  pending = b.dataset.pending === '1';
  document.querySelectorAll('#filter button').forEach(x => x.classList.toggle('active', x === b));
  load();
});
document.getElementById('list').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = e.target; const err = f.querySelector('.error'); err.textContent = '';
  try {
    if (f.classList.contains('answer-form')) {
      await Hotline.api('POST', `/api/v1/consultations/${f.dataset.id}/answers`, {answer: f.answer.value,
        legal_basis: f.legal_basis.value || undefined, note: f.note.value || undefined});
    } else {
      await Hotline.api('POST', `/api/v1/consultations/${f.dataset.id}/decision`, {lead: f.lead.value,
        assist: [...f.querySelectorAll('input[name=assist]:checked')].map(x => x.value).filter(u => u !== f.lead.value),
        reason: f.reason.value, category: f.category.value || undefined});
    }
    await load();
  } catch (ex) { D.showError(err, ex); }
});
load().catch(e => { document.getElementById('list-error').textContent = e.message; });

// 会商 panel of the order page (issue 17): the order's consultations, each unit's answer and the
// decision, with a link to open one or answer it on /consultations. Text only (dom.js h()).
(async function consultPanel() {
  const who = Hotline.login();
  if (!who || !['dispatcher', 'supervisor', 'leader', 'department'].includes(who.role)) return;
  const id = h.data('order-data').order_id;
  let r;
  try { r = await Hotline.api('GET', '/api/v1/consultations?order_id=' + encodeURIComponent(id)); } catch (e) { return; }
  const opener = ['dispatcher', 'supervisor'].includes(who.role);
  if (!r.items.length && !opener) return;
  document.getElementById('consult-card').hidden = false;
  const link = '/consultations?order=' + encodeURIComponent(id);
  h.fill(document.getElementById('consult-panel'),
    r.items.length ? h('ul', null, r.items.map(c => h('li', null,
      `${D.fmt(c.opened_at)} 发起, 期限 ${D.fmt(c.deadline)}: `,
      c.units.map((u, i) => [i ? '; ' : null, `${u.unit_name} ${u.answer_label}`]),
      c.decision ? h('div', null, h('b', null, '决定: '), `主办 ${c.decision.lead_name}` +
        (c.decision.assist_names.length ? `, 协办 ${c.decision.assist_names.join('、')}` : '') + ` (${c.decision.applied_label})`)
        : h('div', {class: 'hint'}, c.overdue ? '已过答复期限, 待督办决定' : '待各单位答复')))) : h('p', {class: 'hint'}, '本工单尚无会商。'),
    h('p', null, h('a', {href: link, id: 'consult-link'}, opener ? '发起或处理会商' : '查看并答复会商')));
})();

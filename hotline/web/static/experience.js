// 服务体验官 (issue 18 item 7): officers (phones masked per role by the API), enrolment and
// tasks for the centre; built with dom.js h() only.
const me = Hotline.requireLogin();
const $ = (id) => document.getElementById(id);
const manager = ['supervisor', 'admin'].includes(me.role);
$('enrol-card').hidden = !manager; $('assign-card').hidden = !manager;

function body(form) {
  const out = {};
  for (const [k, v] of new FormData(form).entries()) if (v !== '') out[k] = v;
  return out;
}

async function load() {
  try {
    const [o, t] = await Promise.all([Hotline.api('GET', '/api/v1/experience/officers'), Hotline.api('GET', '/api/v1/experience/tasks')]);
    h.fill($('officers').tBodies[0], o.items.length ? o.items.map(x => h('tr', {'data-officer': x.id},
      [x.name, x.phone, x.area_name || '不限', `${x.period_start} 至 ${x.period_end}`, x.in_period ? '聘期内' : '不在聘期']
        .map(c => h('td', null, c)))) : h('tr', null, h('td', {colspan: 5, class: 'hint'}, '暂无服务体验官')));
    h.fill($('t-officer'), h.options(o.items.filter(x => x.in_period).map(x => [String(x.id), x.name])));
    h.fill($('tasks').tBodies[0], t.items.length ? t.items.map(x => h('tr', {'data-task': x.id},
      h('td', null, x.officer_name), h('td', null, x.kind_label), h('td', null, x.channel_label), h('td', null, x.subject),
      h('td', null, x.unit_name || '', x.order_number ? h('div', null, h('a', {href: '/orders/' + x.order_id}, x.order_number)) : null),
      h('td', null, x.due_date || ''), h('td', {'data-k': 'status'}, x.status_label)))
      : h('tr', null, h('td', {colspan: 7, class: 'hint'}, '暂无体验任务')));
  } catch (e) { $('x-error').textContent = e.message; }
}

function submitter(form, path, convert) {
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    Hotline.clearErrors(form);
    $('x-error').textContent = '';
    try { await Hotline.api('POST', path, convert(body(form))); form.reset(); load(); }
    catch (e) { Hotline.showErrors(form, e, $('x-error')); }
  });
}
submitter($('enrol'), '/api/v1/experience/officers', (b) => b);
submitter($('assign'), '/api/v1/experience/tasks', (b) => Object.assign(b, {officer_id: Number(b.officer_id) || 0}));
load();

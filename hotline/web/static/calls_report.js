// 话务报表 (issue 18 item 4): 接通率, 15 秒接通率, 放弃率, 平均等待 per day or hour, with the
// knowledge base's 直接答复率 and 命中率 of the same period (GET /api/v1/reports/calls).
Hotline.requireLogin();
const $ = (id) => document.getElementById(id);
const pct = (x) => x == null ? '无数据' : (x * 100).toFixed(1) + '%';
const secs = (x) => x == null ? '无数据' : x.toFixed(1) + ' 秒';
const day = (d) => d.toISOString().slice(0, 10);
$('to').value = day(new Date()); $('from').value = day(new Date(Date.now() - 6 * 86400000));

async function load() {
  $('calls-error').textContent = '';
  const p = new URLSearchParams({from: $('from').value, to: $('to').value, by: $('by').value});
  try {
    const r = await Hotline.api('GET', '/api/v1/reports/calls?' + p);
    const n = r.answer_within_seconds;
    h.fill($('th-within'), `${n} 秒内接通`); h.fill($('th-sl'), `${n} 秒接通率`);
    h.fill($('calls-def'), `接通率 = 接通 / 呼入 (已结束的来电); ${n} 秒接通率 = ${n} 秒内接通 / 呼入; 放弃率 = 排队中挂断 / 呼入; 平均等待 = 接通前或挂断前的平均排队时长。`);
    const t = r.total, k = r.knowledge;
    const tile = (label, value) => h('div', {class: 'kpi'}, h('span', {class: 'hint'}, label), h('strong', null, value));
    h.fill($('calls-summary'), tile('接通率', pct(t.answer_rate)), tile(`${n} 秒接通率`, pct(t.service_level)),
      tile('放弃率', pct(t.abandon_rate)), tile('平均等待', secs(t.avg_wait_seconds)),
      tile('直接答复率', pct(k.direct_answer_rate)), tile('知识库命中率', pct(k.hit_rate)));
    const rows = [...r.periods, t];
    h.fill($('calls').tBodies[0], r.periods.length ? rows.map(x => h('tr', null, [x.period, x.offered, x.answered, pct(x.answer_rate),
      x.answered_within, pct(x.service_level), x.abandoned, pct(x.abandon_rate), x.timeout, secs(x.avg_wait_seconds), x.in_queue]
      .map(c => h('td', null, c)))) : h('tr', null, h('td', {colspan: 11, class: 'hint'}, '该期间暂无话务数据')));
  } catch (e) { $('calls-error').textContent = e.message + ' ' + Hotline.fieldErrors(e); }
}
$('go').addEventListener('click', load);
load();

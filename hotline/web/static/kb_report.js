// 直接答复率 and knowledge-base hit rate per period, and the knowledge-gap report (issue 16).
Hotline.requireLogin();
const $ = (id) => document.getElementById(id);
const pct = (x) => x == null ? '—' : (x * 100).toFixed(1) + '%';
const today = new Date(); const ago = new Date(Date.now() - 30 * 86400000);
$('to').value = today.toISOString().slice(0, 10); $('from').value = ago.toISOString().slice(0, 10);
const rows = (el, items, cells, empty) => h.fill($(el).tBodies[0], items.length ? items.map(i => h('tr', null, cells(i).map(c => h('td', null, c))))
  : h('tr', null, h('td', {class: 'hint'}, empty || '无')));

async function load() {
  $('kb-error').textContent = '';
  const p = new URLSearchParams({from: $('from').value, to: $('to').value, by: $('by').value});
  try {
    const [r, g] = await Promise.all([Hotline.api('GET', '/api/v1/reports/knowledge?' + p), Hotline.api('GET', '/api/v1/reports/knowledge-gaps?' + p)]);
    const line = (x) => [x.period, x.contacts, x.direct_answers, x.direct_from_article, pct(x.direct_answer_rate), x.searches, x.searches_answered, pct(x.hit_rate), x.citizen_questions, x.citizen_answered];
    rows('kb-periods', [...r.periods, r.total], line);
    h.fill($('kb-conv'), `智能文本客服对话: 已答复 ${r.conversations.answered} · 转为诉求 ${r.conversations.filed} · 未解决离开 ${r.conversations.abandoned}`);
    rows('gap-without', g.answered_without_article, i => [h('a', {href: '/orders/' + i.order_id}, i.number), i.content]);
    rows('gap-unanswered', g.unanswered_queries, i => [i.text, i.count + ' 次']);
    rows('gap-followed', g.articles_followed_by_complaint, i => [i.code || '', i.unit_name || '', `差评 ${i.bad_ratings} · 重复来电 ${i.call_backs}`]);
    rows('gap-due', g.articles_due_for_review, i => [i.code, i.unit_name, i.label, i.end_date || '', i.review_date || '']);
  } catch (e) { $('kb-error').textContent = e.message + ' ' + Hotline.fieldErrors(e); }
}
$('go').addEventListener('click', load);
load();

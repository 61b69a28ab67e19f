// Knowledge-base page (issue 16 build 1): a unit keeps its own articles (every edit a new
// version, submitted for review); the centre (督办、管理员) publishes or sends back; the to-do
// list shows what is expired, past its review date, sent back or badly rated.
const me = Hotline.requireLogin();
const $ = (id) => document.getElementById(id);
const CENTRE = ['supervisor', 'admin'].includes(me.role);
const WRITER = CENTRE || me.role === 'department';
let editing = null;   // article being edited (null = new)

h.fill($('kb-role-hint'), CENTRE ? '您属于中心: 可为任何单位编写条目, 并审核发布各单位提交的版本。'
  : me.role === 'department' ? '您可维护本单位的知识条目; 修改保存为新版本, 提交后由中心审核发布。'
  : '您可查看和搜索已发布的知识条目。');
$('kb-new').hidden = !WRITER;
$('kb-unit-label').hidden = !CENTRE;
if (me.role === 'department') { $('kb-unit-filter').closest('label').hidden = true; }

function fail(e) { $('kb-error').textContent = e.message + ' ' + Hotline.fieldErrors(e); }

async function loadTodo() {
  if (!['department', 'supervisor', 'leader', 'admin'].includes(me.role)) { $('kb-todo').closest('section').hidden = true; return; }
  const unit = $('kb-unit-filter').value;
  const r = await Hotline.api('GET', '/api/v1/knowledge/todo' + (unit ? '?unit=' + encodeURIComponent(unit) : ''));
  h.fill($('kb-todo').tBodies[0], r.items.length ? r.items.map(i => h('tr', {class: 'kb-todo-' + i.kind},
    h('td', null, h('a', {href: '#', 'data-id': i.article_id, class: 'kb-open'}, i.code)), h('td', null, i.unit_name),
    h('td', null, i.label), h('td', null, i.end_date || ''), h('td', null, i.review_date || ''), h('td', null, i.note || '')))
    : h('tr', null, h('td', {colspan: 6, class: 'hint'}, '暂无待办')));
}

function actions(a) {
  const out = [];
  const btn = (label, fn, cls) => { const b = h('button', {type: 'button', class: cls || 'secondary', 'data-kb': label}, label); b.addEventListener('click', fn); return b; };
  if (WRITER) out.push(btn('编辑', () => openEditor(a.id)));
  if (WRITER && a.status === 'draft') out.push(btn('提交审核', () => act(a.id, 'submit')));
  if (CENTRE && ['in_review', 'draft'].includes(a.status)) {
    out.push(btn('发布', () => act(a.id, 'review', {decision: 'publish'}), 'kb-publish'));
    if (a.status === 'in_review') out.push(btn('退回', () => { const note = prompt('退回意见'); if (note !== null) act(a.id, 'review', {decision: 'reject', note}); }));
  }
  if (WRITER && a.published_version) out.push(btn('撤回', () => act(a.id, 'withdraw', {})));
  return out;
}

let listSeq = 0;   // only the newest request draws the list (a slow older answer is dropped)
async function loadList() {
  const mine = ++listSeq;
  const p = new URLSearchParams({per_page: 200});
  if ($('kb-unit-filter').value) p.set('unit', $('kb-unit-filter').value);
  if ($('kb-status-filter').value) p.set('status', $('kb-status-filter').value);
  if ($('kb-find').value.trim()) p.set('q', $('kb-find').value.trim());
  const r = await Hotline.api('GET', '/api/v1/knowledge/articles?' + p);
  if (mine !== listSeq) return;
  h.fill($('kb-list').tBodies[0], r.items.length ? r.items.map(a => h('tr', {'data-code': a.code},
    h('td', null, a.code), h('td', null, a.question), h('td', null, a.unit_name),
    h('td', null, `第 ${a.latest_version} 版 · ${a.status_label}`), h('td', null, a.published_version ? `第 ${a.published_version} 版` : '—'),
    h('td', {class: 'kb-served'}, a.served ? '是' : ('否' + (a.problem_labels.length ? ' (' + a.problem_labels.join('、') + ')' : ''))),
    h('td', null, actions(a))))
    : h('tr', null, h('td', {colspan: 7, class: 'hint'}, '没有条目')));
}

async function act(id, what, body) {
  $('kb-error').textContent = '';
  try { await Hotline.api('POST', `/api/v1/knowledge/articles/${id}/${what}`, body); await refresh(); } catch (e) { fail(e); }
}

function fillForm(v, unit) {
  const f = $('kb-form').elements;
  f.question.value = v ? v.question : ''; f.answer.value = v ? v.answer : '';
  f.alternatives.value = v ? v.alternatives.join('\n') : ''; f.category.value = v ? v.category : '';
  f.keywords.value = v ? v.keywords.join(',') : ''; f.contact_phone.value = v ? v.contact_phone : '';
  f.start_date.value = v && v.start_date || ''; f.end_date.value = v && v.end_date || ''; f.review_date.value = v && v.review_date || '';
  if (unit) f.unit.value = unit;
}

async function openEditor(id) {
  $('kb-error').textContent = ''; $('kb-form-error').textContent = '';
  editing = id;
  $('kb-editor').hidden = false;
  if (id === null) {
    h.fill($('kb-editor-title'), '新建条目'); fillForm(null); h.fill($('kb-versions').tBodies[0]);
    $('kb-unit').disabled = false;
  } else {
    const a = await Hotline.api('GET', '/api/v1/knowledge/articles/' + id);
    h.fill($('kb-editor-title'), `编辑 ${a.code} (${a.unit_name}) · 保存后为第 ${a.latest_version + 1} 版`);
    fillForm(a.versions[0], a.unit); $('kb-unit').disabled = true;
    h.fill($('kb-versions').tBodies[0], a.versions.map(v => h('tr', null, h('td', null, '第 ' + v.version + ' 版'),
      h('td', null, v.status_label), h('td', null, v.author), h('td', null, v.created_at.slice(0, 16).replace('T', ' ')),
      h('td', null, v.review_note || ''), h('td', null, v.answer.slice(0, 80)))));
  }
  $('kb-editor').scrollIntoView();
}

async function save(submit) {
  const f = $('kb-form').elements; $('kb-form-error').textContent = '';
  const body = {question: f.question.value.trim(), answer: f.answer.value.trim(), category: f.category.value.trim(),
    alternatives: f.alternatives.value.split('\n').map(s => s.trim()).filter(Boolean),
    keywords: f.keywords.value.split(/[,，、]/).map(s => s.trim()).filter(Boolean),
    contact_phone: f.contact_phone.value.trim(), submit,
    start_date: f.start_date.value || null, end_date: f.end_date.value || null, review_date: f.review_date.value || null};
  if (editing === null && CENTRE) body.unit = f.unit.value;
  try {
    if (editing === null) await Hotline.api('POST', '/api/v1/knowledge/articles', body);
    else await Hotline.api('POST', `/api/v1/knowledge/articles/${editing}/versions`, body);
    $('kb-editor').hidden = true; editing = null;
    await refresh();
  } catch (e) { $('kb-form-error').textContent = e.message + ' ' + Hotline.fieldErrors(e); }
}

$('kb-form').addEventListener('submit', (ev) => { ev.preventDefault(); save(false); });
$('kb-save-submit').addEventListener('click', () => save(true));
$('kb-cancel').addEventListener('click', () => { $('kb-editor').hidden = true; editing = null; });
$('kb-new').addEventListener('click', () => openEditor(null));
$('kb-todo').addEventListener('click', (ev) => { const a = ev.target.closest('a.kb-open'); if (a) { ev.preventDefault(); if (WRITER) openEditor(Number(a.dataset.id)); } });
for (const id of ['kb-unit-filter', 'kb-status-filter']) $(id).addEventListener('change', () => refresh());
let findTimer = null;
$('kb-find').addEventListener('input', () => { clearTimeout(findTimer); findTimer = setTimeout(loadList, 300); });

async function refresh() { try { await Promise.all([loadTodo(), loadList()]); } catch (e) { fail(e); } }
refresh();

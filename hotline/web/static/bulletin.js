// Monthly bulletin (通报, issue 18 item 5): preview a month's sections, open the PDF, publish
// it as a new edition, list the stored editions. Built with dom.js h() (text nodes only).
Hotline.requireLogin();
const $ = id => document.getElementById(id);
const canPublish = ['supervisor', 'admin'].includes((Hotline.login() || {}).role);

function previousMonth() {
  const d = new Date(); d.setDate(1); d.setMonth(d.getMonth() - 1);
  return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0');
}

async function preview(ev) {
  if (ev) ev.preventDefault();
  const month = $('month').value;
  $('err').textContent = ''; $('pubmsg').textContent = '';
  try {
    const o = await Hotline.api('GET', '/api/v1/reports/bulletin?format=outline&month=' + encodeURIComponent(month));
    $('btitle').textContent = o.title;
    $('bmeta').textContent = '考评公式版本 ' + o.formula_version;
    h.fill($('outline'), o.sections.map(s => h('li', {'data-key': s.key}, s.title,
      s.empty ? h('span', {class: 'muted'}, '（本月暂无数据）')
        : s.count != null ? h('span', {class: 'muted'}, `（${s.count}${s.key.startsWith('tier_') ? ' 个单位排名' + (s.unranked ? `，${s.unranked} 个样本不足` : '') : ''}）`) : null)));
    $('pdf').href = '/api/v1/reports/bulletin?month=' + encodeURIComponent(o.month);
    $('xlsx').href = '/api/v1/reports/bulletin?format=xlsx&month=' + encodeURIComponent(o.month);
    $('pdf').hidden = $('xlsx').hidden = false;
    $('outline-box').hidden = false;
    $('publish').hidden = !canPublish;
    $('publish').dataset.month = o.month;
  } catch (e) {
    $('outline-box').hidden = true; $('pdf').hidden = $('xlsx').hidden = true;
    $('err').textContent = Hotline.fieldErrors(e) || e.message;
  }
}

async function publish() {
  const month = $('publish').dataset.month;
  if (!confirm(`发布 ${month} 月度通报？发布后不可修改。`)) return;
  $('publish').disabled = true;
  try {
    const b = await Hotline.api('POST', '/api/v1/reports/bulletins', {month});
    $('pubmsg').textContent = `已发布 ${b.month} 第 ${b.edition} 版`;
    await loadPublished();
  } catch (e) {
    $('pubmsg').textContent = Hotline.fieldErrors(e) || e.message;
  } finally { $('publish').disabled = false; }
}

async function loadPublished() {
  const r = await Hotline.api('GET', '/api/v1/reports/bulletins');
  const cols = ['月份', '版次', '发布时间', '发布人', '公式版本', 'PDF 摘要 (SHA-256)', '文件'];
  h.fill($('published'), h('thead', null, h('tr', null, cols.map(c => h('th', null, c)))),
    h('tbody', null, r.items.length ? r.items.map(b => h('tr', {'data-id': String(b.id)},
      h('td', {class: 'nowrap'}, b.month), h('td', null, `第 ${b.edition} 版`), h('td', {class: 'nowrap'}, Hotline.fmt(b.published_at)),
      h('td', null, b.published_by_name), h('td', null, b.formula_version),
      h('td', {class: 'hash'}, b.pdf_sha256.slice(0, 16) + '…'),
      h('td', {class: 'nowrap'}, h('a', {href: `/api/v1/reports/bulletins/${b.id}/pdf`, target: '_blank', rel: 'noopener'}, 'PDF'), ' ',
        h('a', {href: `/api/v1/reports/bulletins/${b.id}/xlsx`}, 'XLSX'))))
      : [h('tr', null, h('td', {colspan: '7', class: 'muted'}, '尚未发布通报'))]));
}

$('month').value = previousMonth();
$('bform').addEventListener('submit', preview);
$('publish').addEventListener('click', publish);
preview(); loadPublished();

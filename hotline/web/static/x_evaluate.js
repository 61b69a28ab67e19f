// The 服务体验官's evaluation page /x/<token> (phone first, no login; issue 18 item 7): the
// task and the form go through the public API; the DOM is built with text only.
const token = document.getElementById('task').dataset.token;
const intro = document.getElementById('intro'), form = document.getElementById('f');
const api = '/api/v1/experience/evaluations/' + encodeURIComponent(token);
function done(text) { intro.textContent = text; intro.hidden = false; form.hidden = true; }
fetch(api).then(async r => {
  const j = await r.json().catch(() => ({}));
  if (!r.ok) return done('链接无效。');
  if (j.status !== 'assigned') return done('该任务已评价，感谢您的参与！');
  intro.replaceChildren(`${j.officer_name}，您好。体验任务（${j.kind_label}）：${j.subject}`,
    j.unit_name ? `（单位：${j.unit_name}）` : '', j.due_date ? `，请于 ${j.due_date} 前完成。` : '。', '完成后请评价：');
  form.hidden = false;
});
form.addEventListener('submit', async e => {
  e.preventDefault();
  const fd = new FormData(form);
  const body = {comment: fd.get('comment') || null, order_number: fd.get('order_number') || null};
  for (const k of ['speed', 'attitude', 'accuracy', 'result']) body[k] = Number(fd.get(k)) || 0;
  const r = await fetch(api, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
  const j = await r.json().catch(() => ({}));
  if (r.ok) return done('提交成功，感谢您的评价！');
  if (r.status === 409) return done('该任务已评价，感谢您的参与！');
  const f = (j.error && j.error.fields) || {};
  const names = {speed: '办理速度', attitude: '服务态度', accuracy: '答复准确', result: '办理结果', order_number: '工单号', comment: '意见'};
  document.getElementById('err').textContent = Object.entries(f).map(([k, v]) => (names[k] ? names[k] + '：' : '') + [].concat(v).join('；')).join('；')
    || (j.error && j.error.message) || '提交失败，请重试';
});

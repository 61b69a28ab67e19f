// The citizen's survey page /s/<token>: the token comes from the page (data-token), the
// questions and answer go through the public survey API. No inline script (CSP, issue 12).
const token = document.getElementById('survey').dataset.token;
const intro = document.getElementById('intro'), form = document.getElementById('f');
function done(text) { intro.textContent = text; intro.hidden = false; form.hidden = true; }
fetch('/api/v1/surveys/' + encodeURIComponent(token)).then(async r => {
  const j = await r.json().catch(() => ({}));
  if (r.status === 410) return done('该回访链接已过期，感谢您的关注。');
  if (!r.ok) return done('链接无效。');
  if (j.status !== 'pending') return done('您已完成评价，感谢您的支持！');
  intro.textContent = '工单 ' + j.order_number + ' 已办理答复，请您评价：';
  form.hidden = false;
});
form.addEventListener('submit', async e => {
  e.preventDefault();
  const fd = new FormData(form);
  const body = {contacted: fd.get('contacted') === 'true', resolved: fd.get('resolved'),
                satisfaction: fd.get('satisfaction'), comment: fd.get('comment') || null};
  const r = await fetch('/api/v1/surveys/' + encodeURIComponent(token), {method: 'POST',
    headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
  const j = await r.json().catch(() => ({}));
  if (r.ok) return done('提交成功，感谢您的评价！');
  if (r.status === 409) return done('您已完成评价，感谢您的支持！');
  if (r.status === 410) return done('该回访链接已过期。');
  document.getElementById('err').textContent = (j.error && j.error.message) || '提交失败，请重试';
});

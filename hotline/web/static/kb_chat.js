// 智能文本客服 on /self/new (issue 16 item 5): the citizen asks, the service answers from a
// published article (its unit and date shown) or says honestly that it has no answer.
// "没解决" turns the conversation into the appeal below, pre-filled, with the conversation
// attached (the hidden kb_conversation field). No login: the conversation is identified by a
// random key the server returns; DOM built with dom.js only.
(function kbChat() {
  const $ = (id) => document.getElementById(id);
  const log = $('kb-log'); if (!log) return;
  let key = sessionStorage.getItem('kb-key') || null; let busy = false;

  async function post(path, body) {
    const r = await fetch(path, {method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
    const j = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(r.status === 429 ? '提问过于频繁, 请稍后再试' :
      (j.error && j.error.message) || '服务暂时不可用, 请直接提交诉求或拨打 12345');
    return j;
  }
  function error(msg) { const e = $('kb-error'); e.hidden = !msg; e.textContent = msg || ''; }
  function say(role, text, meta) {
    log.append(h('li', {class: 'kb-msg kb-' + role},
      h('div', {class: 'kb-text'}, text),
      meta ? h('div', {class: 'hint kb-meta'}, meta) : null));
    log.lastElementChild.scrollIntoView({block: 'nearest'});
  }
  async function ask() {
    const q = $('kb-q').value.trim();
    if (busy) return;
    if (q.length < 2) { error('请输入至少 2 个字的问题'); return; }
    busy = true; $('kb-send').disabled = true; error('');
    say('citizen', q);
    try {
      const r = await post('/self/api/knowledge/ask', {q, key});
      key = r.key; sessionStorage.setItem('kb-key', key);
      if (r.answer) {
        say('service', r.answer.text, `答复单位: ${r.answer.unit_name}` + (r.answer.date ? ` · 生效日期: ${r.answer.date}` : '') +
          (r.answer.contact_phone ? ` · 咨询电话: ${r.answer.contact_phone}` : ''));
      } else {
        say('service', '抱歉, 暂时没有找到这个问题的答案。您可以换个说法再问, 或点击「没解决, 我要反映」提交诉求。');
      }
      $('kb-after').hidden = false; $('kb-q').value = '';
    } catch (e) { error(e.message); } finally { busy = false; $('kb-send').disabled = false; }
  }
  $('kb-send').addEventListener('click', ask);
  $('kb-q').addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); ask(); } });
  $('kb-solved').addEventListener('click', () => {
    say('service', '很高兴帮到您。如还有其他问题, 可以继续提问。');
    sessionStorage.removeItem('kb-key'); key = null; $('kb-after').hidden = true;
  });
  $('kb-unsolved').addEventListener('click', async () => {
    if (!key) return;
    try {
      const r = await post('/self/api/knowledge/unresolved', {key});
      const content = $('content');
      content.value = r.content + '\n我的诉求: ';
      $('kb-conversation').value = r.key;
      sessionStorage.removeItem('kb-key'); key = null; $('kb-after').hidden = true;
      say('service', '已将对话转入下方诉求表单, 请补充具体情况、地点和联系电话后提交。');
      content.focus(); content.setSelectionRange(content.value.length, content.value.length);
    } catch (e) { error(e.message); }
  });
})();

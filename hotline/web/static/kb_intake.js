// Direct answer at intake (直接答复, issue 16 build 3): as the agent types, the best published
// articles valid today appear beside the form (debounced searches of /api/v1/knowledge/search,
// one `ref` per contact so the hit-rate report counts contacts, not keystrokes). Choosing one
// fills the answer text (editable); 直接答复 logs the contact as an order and answers it with
// the text, the article and its version, so it counts in 直接答复率.
(function kbIntake() {
  const form = document.getElementById('intake-form');
  const content = document.getElementById('content');
  if (!form || !content) return;
  const $ = (id) => document.getElementById(id);
  const newRef = () => 'c' + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  let ref = newRef(); let chosen = null; let timer = null; let seq = 0; let busy = false;

  function choose(item) {
    chosen = item;
    $('kb-chosen').hidden = false;
    $('kb-reply').value = item.answer;
    h.fill($('kb-source'), `依据: ${item.unit_name} · 第 ${item.version} 版` + (item.date ? ` · ${item.date}` : ''));
    document.querySelectorAll('#kb-results li').forEach((li) => li.classList.toggle('chosen', li.dataset.id === String(item.article_id)));
  }

  function show(r) {
    if (!r.items.length) {
      h.fill($('kb-status'), '知识库中没有找到合适的答案, 请登记工单。');
      h.fill($('kb-results'));
      return;
    }
    h.fill($('kb-status'), r.abstained ? '没有足够把握的答案 (以下仅供参考), 如不适用请登记工单。' : '找到可直接答复的条目:');
    h.fill($('kb-results'), r.items.map((it, i) => h('li', {'data-id': it.article_id, class: i === 0 && !r.abstained ? 'best' : null},
      h('div', {class: 'kb-q'}, it.question),
      h('div', {class: 'hint'}, `${it.unit_name} · 第 ${it.version} 版`),
      h('div', {class: 'kb-a'}, it.answer.length > 120 ? it.answer.slice(0, 120) + '…' : it.answer),
      (() => { const b = h('button', {type: 'button', class: 'secondary kb-choose'}, '选用'); b.addEventListener('click', () => choose(it)); return b; })())));
  }

  content.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = content.value.trim(); if (q.length < 4) return;
      const mine = ++seq;
      try {
        const r = await Hotline.api('GET', '/api/v1/knowledge/search?' + new URLSearchParams({q: q.slice(0, 500), ref}));
        if (mine === seq) show(r);   // an older, slower answer never replaces a newer one
      } catch (e) { /* advisory only: intake goes on without it */ }
    }, 500);
  });

  // the intake form is reset after every logged order (intake.js or 直接答复 below): the next
  // caller is a new contact, with a new ref, and the panel starts empty
  form.addEventListener('reset', () => {
    ref = newRef(); chosen = null; seq++;
    $('kb-chosen').hidden = true; h.fill($('kb-results'));
    h.fill($('kb-status'), '输入诉求内容后, 这里显示可直接答复的知识条目。');
  });

  $('kb-answer-btn').addEventListener('click', async () => {
    if (busy || !chosen) return;
    const reply = $('kb-reply').value.trim(); const err = $('kb-error'); err.textContent = '';
    if (!reply) { err.textContent = '请填写答复内容'; return; }
    const f = form.elements;
    if (f.content.value.trim().length < 5) { err.textContent = '请先填写诉求内容 (至少 5 个字)'; return; }
    const body = {content: f.content.value, channel: f.channel.value, urgency: f.urgency.value, queue: false,
      appeal_type: f.appeal_type.value || 'consultation',
      caller: {name: f.caller_name.value || null, phone: f.caller_phone.value || null,
               anonymous: f.anonymous.checked, confidential: f.confidential.checked}};
    for (const k of ['title', 'address', 'town', 'category']) if (f[k].value) body[k] = f[k].value;
    busy = true; $('kb-answer-btn').disabled = true;
    try {
      const o = await Hotline.api('POST', '/api/v1/orders', body, {'Idempotency-Key': ref});
      await Hotline.api('POST', `/api/v1/orders/${o.id}/answer`, {data: {reply, article_id: chosen.article_id, article_version: chosen.version}});
      h.fill($('kb-done'), '已直接答复: 工单 ', h('a', {href: '/orders/' + o.id, id: 'kb-done-link'}, o.number),
        ` (依据 ${chosen.unit_name} 知识条目第 ${chosen.version} 版)`);
      form.reset();   // new contact: see the reset handler above
    } catch (e) {
      err.textContent = e.message + ' ' + Hotline.fieldErrors(e);
    } finally { busy = false; $('kb-answer-btn').disabled = false; }
  });
})();

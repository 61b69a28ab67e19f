// SLA blocks of the browser pages: the 即将超时 / 已超时 tabs (department
// inbox and supervisor page use the same API and the same data), per-unit counts, and the
// explain view of one order's deadlines. Include after app.js; everything is escaped.
const HotlineSla = {
  fmt(t) { return t ? t.slice(0, 16).replace('T', ' ') : ''; },
  // Tabs 即将超时 / 已超时 in `el`. opts.unit: a unit filter (centre roles); departments are
  // always scoped to their own unit by the server.
  async mountTabs(el, opts = {}) {
    const state = {tab: opts.tab || 'overdue', unit: opts.unit || ''};
    el.innerHTML = `<div class="tabs sla-tabs" role="tablist">
        <button type="button" data-tab="due_soon" role="tab">即将超时 <span class="badge warning" data-count="due_soon">…</span></button>
        <button type="button" data-tab="overdue" role="tab">已超时 <span class="badge overdue" data-count="overdue">…</span></button>
      </div><div class="sla-list"></div>`;
    const list = el.querySelector('.sla-list');
    const render = async () => {
      el.querySelectorAll('[data-tab]').forEach(b => b.classList.toggle('active', b.dataset.tab === state.tab));
      const qs = new URLSearchParams({tab: state.tab}); if (state.unit) qs.set('unit', state.unit);
      let j;
      try { j = await Hotline.api('GET', '/api/v1/sla/inbox?' + qs); }
      catch (e) { list.innerHTML = `<p class="error">${Hotline.esc(e.message)}</p>`; return; }
      for (const [k, n] of Object.entries(j.counts)) el.querySelector(`[data-count="${k}"]`).textContent = n;
      if (!j.items.length) { list.innerHTML = '<p class="hint">暂无工单</p>'; return; }
      const e = Hotline.esc;
      list.innerHTML = `<table class="sla-table"><thead><tr><th>工单编号</th><th>标题</th><th>承办单位</th>
        <th>时限</th><th>到期时间</th><th>状态</th><th>督办</th></tr></thead><tbody>${j.items.map(i => `
        <tr data-order="${i.id}"><td><a href="/orders/${i.id}/deadlines">${e(i.number)}</a></td>
        <td>${e(i.title || '')}</td><td>${e(i.unit_name)}</td>
        <td>${e(i.clock_label)}（${e(i.target_label)}）</td>
        <td>${e(HotlineSla.fmt(i.due))}${i.provisional ? ' <span class="badge" title="跨入无节假日数据的年份">暂定</span>' : ''}</td>
        <td><span class="badge ${e(i.sla_status)}">${e(i.sla_status_label)}</span></td>
        <td class="ladder">${i.ladder_label ? `<span class="badge overdue">${e(i.ladder_label)}</span>` : ''}</td></tr>`).join('')}
        </tbody></table>`;
    };
    el.querySelectorAll('[data-tab]').forEach(b => b.onclick = () => { state.tab = b.dataset.tab; render(); });
    el.setUnit = (u) => { state.unit = u; render(); };
    await render();
    return el;
  },
  async mountUnits(el, onPick) {
    const j = await Hotline.api('GET', '/api/v1/sla/units');
    const e = Hotline.esc;
    el.innerHTML = j.items.length ? `<table><thead><tr><th>承办单位</th><th>即将超时</th><th>已超时</th></tr></thead><tbody>
      ${j.items.map(u => `<tr><td><a href="#" data-unit="${e(u.unit || '')}">${e(u.unit_name)}</a></td>
      <td>${u.due_soon}</td><td>${u.overdue}</td></tr>`).join('')}</tbody></table>` : '<p class="hint">各单位均无即将超时或已超时工单</p>';
    el.querySelectorAll('[data-unit]').forEach(a => a.onclick = (ev) => { ev.preventDefault(); onPick && onPick(a.dataset.unit); });
  },
  async mountDeadlines(el, orderId) {
    const e = Hotline.esc;
    const j = await Hotline.api('GET', `/api/v1/orders/${orderId}/deadlines`);
    el.innerHTML = `<h1>工单 ${e(j.number)} 的时限</h1>
      <p class="hint">下次检查：${e(HotlineSla.fmt(j.next_check_at) || '无（无运行中的时钟）')}</p>
      <table class="deadlines"><thead><tr><th>时钟</th><th>依据</th><th>开始</th><th>到期</th><th>状态</th><th>为何在此到期</th></tr></thead><tbody>
      ${j.deadlines.map(d => `<tr><td>${e(d.clock_label)}<br><span class="hint">${e(d.target_label)}</span></td>
        <td>${e(d.reason)}</td><td>${e(HotlineSla.fmt(d.started_at))}</td>
        <td>${e(HotlineSla.fmt(d.due))}${d.provisional ? ' <span class="badge">暂定</span>' : ''}
          ${d.extended_from ? `<br><span class="hint">原定 ${e(HotlineSla.fmt(d.extended_from))}</span>` : ''}</td>
        <td><span class="badge ${e(d.status)}">${e(d.status_label)}</span>${d.met_at ? '<br>已完成 ' + e(HotlineSla.fmt(d.met_at)) : ''}</td>
        <td><ul>${d.explain.map(x => `<li>${e(x)}</li>`).join('')}</ul></td></tr>`).join('')}</tbody></table>
      <h2>催办 / 督办记录</h2>${j.escalations.length ? `<ul class="timeline">${j.escalations.map(s =>
        `<li>${e(HotlineSla.fmt(s.at))} <b>${e(s.label)}</b> ${s.auto ? '（系统自动）' : e(s.actor)} ${e(s.reason || '')}</li>`).join('')}</ul>` : '<p class="hint">无</p>'}`;
  },
};

// SLA blocks of the browser pages: the 即将超时 / 已超时 tabs (department
// inbox and supervisor page use the same API and the same data), per-unit counts, and the
// explain view of one order's deadlines. Include after dom.js and app.js; everything is built
// with dom.js, so titles and reasons are text (issue 12).
const HotlineSla = {
  fmt(t) { return t ? t.slice(0, 16).replace('T', ' ') : ''; },
  table(cls, heads, rows) {
    return h('table', {class: cls}, h('thead', null, h('tr', null, heads.map(t => h('th', null, t)))),
             h('tbody', null, rows));
  },
  // Tabs 即将超时 / 已超时 in `el`. opts.unit: a unit filter (centre roles); departments are
  // always scoped to their own unit by the server.
  async mountTabs(el, opts = {}) {
    const state = {tab: opts.tab || 'overdue', unit: opts.unit || '', page: 1};
    const tab = (key, text, cls) => h('button', {type: 'button', 'data-tab': key, role: 'tab'}, text + ' ',
      h('span', {class: 'badge ' + cls, 'data-count': key}, '…'));
    const list = h('div', {class: 'sla-list'});
    h.fill(el, h('div', {class: 'tabs sla-tabs', role: 'tablist'},
                 tab('due_soon', '即将超时', 'warning'), tab('overdue', '已超时', 'overdue')), list);
    const render = async () => {
      el.querySelectorAll('[data-tab]').forEach(b => b.classList.toggle('active', b.dataset.tab === state.tab));
      const qs = new URLSearchParams({tab: state.tab, page: state.page}); if (state.unit) qs.set('unit', state.unit);
      let j;
      try { j = await Hotline.api('GET', '/api/v1/sla/inbox?' + qs); }
      catch (e) { h.fill(list, h('p', {class: 'error'}, e.message)); return; }
      for (const [k, n] of Object.entries(j.counts)) el.querySelector(`[data-count="${k}"]`).textContent = n;
      if (!j.items.length) { h.fill(list, h('p', {class: 'hint'}, '暂无工单')); return; }
      h.fill(list, HotlineSla.table('sla-table', ['工单编号', '标题', '承办单位', '时限', '到期时间', '剩余 / 超时', '状态', '督办'],
        j.items.map(i => h('tr', {'data-order': i.id},
          h('td', null, h('a', {href: `/orders/${encodeURIComponent(i.id)}/deadlines`}, i.number)),
          h('td', null, i.title || ''), h('td', null, i.unit_name),
          h('td', null, `${i.clock_label}（${i.target_label}）`),
          h('td', null, HotlineSla.fmt(i.due), i.provisional ? [' ', h('span', {class: 'badge', title: '跨入无节假日数据的年份'}, '暂定')] : null),
          // issue 15: time left in working time, in words and colour (docs/design/ux.md §2)
          h('td', null, Hotline.clockBadge({time_left: i.time_left, status: i.sla_status, clock_label: i.clock_label,
            target_label: i.target_label, due: i.due}, !!i.rapid_item), Hotline.rapidBadge(i)),
          h('td', null, h('span', {class: 'badge ' + i.sla_status}, i.sla_status_label)),
          h('td', {class: 'ladder'}, i.ladder_label ? h('span', {class: 'badge overdue'}, i.ladder_label) : null)))),
        HotlineSla.pager(j, (p) => { state.page = p; render(); }));
    };
    el.querySelectorAll('[data-tab]').forEach(b => b.onclick = () => { state.tab = b.dataset.tab; state.page = 1; render(); });
    el.setUnit = (u) => { state.unit = u; state.page = 1; render(); };
    await render();
    return el;
  },
  // Issue 15 (lists that scale): every row of a long list is reachable, a page at a time.
  pager(j, go) {
    const pages = Math.max(1, Math.ceil(j.total / j.per_page));
    if (pages < 2) return null;
    const prev = h('button', {type: 'button', class: 'secondary', 'data-page': 'prev', disabled: j.page <= 1}, '上一页');
    const next = h('button', {type: 'button', class: 'secondary', 'data-page': 'next', disabled: j.page >= pages}, '下一页');
    prev.addEventListener('click', () => go(j.page - 1));
    next.addEventListener('click', () => go(j.page + 1));
    return h('nav', {class: 'pager', 'aria-label': '翻页'},
             prev, ' ', h('span', {class: 'hint'}, `第 ${j.page} / ${pages} 页，共 ${j.total} 条`), ' ', next);
  },
  async mountUnits(el, onPick) {
    const j = await Hotline.api('GET', '/api/v1/sla/units');
    h.fill(el, j.items.length ? HotlineSla.table(null, ['承办单位', '即将超时', '已超时'], j.items.map(u => h('tr', null,
      h('td', null, h('a', {href: '#', 'data-unit': u.unit || ''}, u.unit_name)),
      h('td', null, u.due_soon), h('td', null, u.overdue))))
      : h('p', {class: 'hint'}, '各单位均无即将超时或已超时工单'));
    el.querySelectorAll('[data-unit]').forEach(a => a.onclick = (ev) => { ev.preventDefault(); onPick && onPick(a.dataset.unit); });
  },
  async mountDeadlines(el, orderId) {
    const f = HotlineSla.fmt;
    const j = await Hotline.api('GET', `/api/v1/orders/${encodeURIComponent(orderId)}/deadlines`);
    h.fill(el, h('h1', null, `工单 ${j.number} 的时限`),
      h('p', {class: 'hint'}, '下次检查：' + (f(j.next_check_at) || '无（无运行中的时钟）')),
      HotlineSla.table('deadlines', ['时钟', '依据', '开始', '到期', '状态', '为何在此到期'], j.deadlines.map(d => h('tr', null,
        h('td', null, d.clock_label, h('br'), h('span', {class: 'hint'}, d.target_label)),
        h('td', null, d.reason), h('td', null, f(d.started_at)),
        h('td', null, f(d.due), d.provisional ? [' ', h('span', {class: 'badge'}, '暂定')] : null,
          d.extended_from ? [h('br'), h('span', {class: 'hint'}, '原定 ' + f(d.extended_from))] : null),
        h('td', null, h('span', {class: 'badge ' + d.status}, d.status_label), d.met_at ? [h('br'), '已完成 ' + f(d.met_at)] : null,
          d.time_left ? [h('br'), Hotline.clockBadge(d)] : null),   // issue 15: time left
        h('td', null, h('ul', null, d.explain.map(x => h('li', null, x))))))),
      h('h2', null, '催办 / 督办记录'),
      j.escalations.length ? h('ul', {class: 'timeline'}, j.escalations.map(s => h('li', null,
        f(s.at) + ' ', h('b', null, s.label), ' ' + (s.auto ? '（系统自动）' : s.actor) + ' ' + (s.reason || ''))))
        : h('p', {class: 'hint'}, '无'));
  },
};

// /orders (工单查询): the staff search and order list (issue 15, Build 3).
// The form's control names are the query parameters of GET /api/v1/orders; the page's own URL
// holds the same parameters (plus sort and page), so a view can be shared, bookmarked and
// reloaded, and Back / Forward step through earlier searches. Rows are built with dom.js h()
// (text nodes only: callers' words stay text). Codes are shown by their Chinese names.
const me = Hotline.requireLogin();
(function () {
  const form = document.getElementById('order-search');
  const tbody = document.querySelector('#order-list tbody');
  const errEl = document.getElementById('search-error');
  const summary = document.getElementById('search-summary');
  const pager = document.getElementById('pager');
  const btn = document.getElementById('search-btn');
  const SLA = {ok: '正常', warning: '即将超时', overdue: '已超时'};
  // the first click on a column sorts the way a person reads it first
  const FIRST = {number: 'number', status: 'status', received_at: '-received_at', due: 'due'};
  const FILTERS = ['q', 'status', 'unit', 'town', 'category', 'appeal_type', 'rapid', 'overdue',
                   'received_from', 'received_to', 'per_page'];
  if (me.role === 'department') {
    // a unit's list is its own orders (and those it assists on): no unit to choose
    const u = document.getElementById('unit-filter');
    u.hidden = true; u.querySelector('select').disabled = true;
    document.getElementById('search-hint').textContent =
      '按工单编号精确查找，或在本单位工单的标题、内容和地址中查找文字。';
    document.getElementById('q').setAttribute('placeholder', '工单编号，或诉求内容、地址中的文字');
  }

  const params = () => new URLSearchParams(location.search);

  function fillForm(p) {
    for (const name of FILTERS) {
      const el = form.elements[name];
      if (el) el.value = p.get(name) || (name === 'per_page' ? '20' : '');
    }
  }

  function fromForm(extra) {
    const p = new URLSearchParams();
    for (const name of FILTERS) {
      const el = form.elements[name];
      if (!el || el.disabled) continue;
      const v = String(el.value || '').trim();
      if (v && !(name === 'per_page' && v === '20')) p.set(name, v);
    }
    const cur = params();
    if (cur.get('sort')) p.set('sort', cur.get('sort'));
    for (const [k, v] of Object.entries(extra || {})) { if (v) p.set(k, v); else p.delete(k); }
    return p;
  }

  function go(p) {
    const qs = p.toString();
    history.pushState(null, '', location.pathname + (qs ? '?' + qs : ''));
    load();
  }

  function sortHeaders(sort) {
    const key = sort.replace(/^-/, '');
    document.querySelectorAll('#order-list th[data-sort]').forEach((th) => {
      const k = th.dataset.sort;
      if (!th.querySelector('button')) {
        const label = th.textContent.trim();
        const b = h('button', {type: 'button', class: 'sort'}, label);
        b.addEventListener('click', () => {
          const cur = params().get('sort') || '-received_at';
          const next = cur.replace(/^-/, '') === k ? (cur.startsWith('-') ? k : '-' + k) : FIRST[k];
          go(fromForm({sort: next, page: null}));
        });
        h.fill(th, b);
      }
      const b = th.querySelector('button');
      const on = k === key;
      th.setAttribute('aria-sort', on ? (sort.startsWith('-') ? 'descending' : 'ascending') : 'none');
      b.dataset.dir = on ? (sort.startsWith('-') ? '↓' : '↑') : '';
      b.setAttribute('aria-label', b.firstChild.textContent + (on ? (sort.startsWith('-') ? '，降序' : '，升序') : '，点击排序'));
    });
  }

  function callerCell(c) {
    if (!c || c.confidential && !c.name && !c.phone) return h('td', {}, '保密');
    if (c.anonymous) return h('td', {}, '匿名');
    return h('td', {class: 'nowrap'}, c.name || '', c.phone ? h('br') : null, c.phone || '');
  }

  function row(o, L) {
    const text = o.title || o.content || '';
    const sla = o.sla;
    return h('tr', {},
      h('td', {class: 'nowrap'}, h('a', {href: '/orders/' + o.id}, o.number),
        o.rapid_item ? h('span', {class: 'badge rapid'}, '快速响应') : null),
      h('td', {}, L.statuses.get(o.status) || o.status_label || '其他状态'),
      h('td', {class: 'content-cell'}, text.length > 60 ? text.slice(0, 60) + '…' : text),
      h('td', {class: 'place-cell'}, L.units.get(o.town) || '', o.address ? h('br') : null, o.address || ''),
      h('td', {class: 'unit-cell'}, o.unit_name || L.units.get(o.unit) || (o.unit ? '其他单位' : '待派单')),
      callerCell(o.caller),
      h('td', {class: 'nowrap'}, Hotline.fmt(o.received_at)),
      h('td', {class: 'due-cell'}, sla ? [h('span', {class: 'badge ' + sla.status}, SLA[sla.status] || ''),
                                          h('br'), Hotline.fmt(sla.due)] : ''));
  }

  function pages(body) {
    const last = Math.max(1, Math.ceil(body.total / body.per_page));
    const totalText = body.total_exact === false ? `超过 ${body.total} 条` : `共 ${body.total} 条`;
    const prev = h('button', {type: 'button', class: 'secondary', disabled: body.page <= 1}, '上一页');
    const next = h('button', {type: 'button', class: 'secondary', disabled: body.page >= last}, '下一页');
    prev.addEventListener('click', () => go(fromForm({page: String(body.page - 1)})));
    next.addEventListener('click', () => go(fromForm({page: String(body.page + 1)})));
    h.fill(pager, prev, h('span', {class: 'page-of'}, `第 ${body.page} / ${last} 页，${totalText}`), next);
  }

  async function load() {
    const p = params();
    fillForm(p);
    Hotline.clearErrors(form);
    errEl.textContent = '';
    sortHeaders(p.get('sort') || '-received_at');
    btn.disabled = true;
    summary.textContent = '正在查询…';
    try {
      const [L, body] = await Promise.all([Hotline.labels(),
        Hotline.api('GET', '/api/v1/orders' + (p.toString() ? '?' + p.toString() : ''))]);
      h.fill(tbody, body.items.length ? body.items.map(o => row(o, L))
        : h('tr', {}, h('td', {colspan: 8, class: 'hint'}, '没有符合条件的工单')));
      summary.textContent = body.total_exact === false ? `找到超过 ${body.total} 张工单，请加条件缩小范围。`
        : `找到 ${body.total} 张工单。`;
      pages(body);
    } catch (e) {
      h.fill(tbody);
      h.fill(pager);
      summary.textContent = '';
      Hotline.showErrors(form, e, errEl);
    } finally {
      btn.disabled = false;
    }
  }

  form.addEventListener('submit', (ev) => { ev.preventDefault(); go(fromForm({page: null})); });
  // a changed filter searches at once; the text box waits for Enter or 查询
  form.addEventListener('change', (ev) => { if (ev.target.name !== 'q') go(fromForm({page: null})); });
  document.getElementById('search-reset').addEventListener('click', () => {
    history.pushState(null, '', location.pathname);
    load();
  });
  window.addEventListener('popstate', load);
  load();
})();

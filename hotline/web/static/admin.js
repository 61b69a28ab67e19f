// 系统管理: users, lock-outs, Open311 API keys, units. Credentials: the page session cookie (app.js).
// Rows are built with dom.js: a lock-out's username is whatever a stranger typed at /login,
// so it is text and an attribute value, never markup (issue 12, finding 1).
(function () {
  const me = Hotline.requireLogin();
  const err = document.getElementById('admin-error');
  const show = (e) => { const f = Hotline.fieldErrors(e); err.textContent = e.message + (f ? ' ' + f : ''); };
  const KINDS = {department: '市直部门', town: '镇街', utility: '公共服务企业', village: '村（社区）'};
  const labels = Hotline.labels();
  if (me.role !== 'admin') { err.textContent = '只有管理员可以使用本页'; return; }
  const body = (id) => document.querySelector(`#${id} tbody`);
  const td = (...c) => h('td', null, ...c);
  // row buttons are type=button: a <button> is a submit button by default, which the click
  // handler below skips (the forms' own submit buttons), so the row actions never ran
  const button = (attrs, text) => h('button', Object.assign({type: 'button'}, attrs), text);

  async function users() {
    const j = await Hotline.api('GET', '/api/v1/admin/users');
    const L = await labels;
    h.fill(body('users'), j.items.map(u => h('tr', {'data-user': u.username},
      td(u.username), td(u.name), td(Hotline.roleName(u.role)), td(u.unit ? (L.units.get(u.unit) || u.unit) : ''), td(u.active ? '启用' : '停用'),
      td(button({'data-act': 'toggle', 'data-active': String(u.active)}, u.active ? '停用' : '启用'), ' ',
         button({'data-act': 'reset'}, '重置密码')))));
  }
  async function lockouts() {
    const j = await Hotline.api('GET', '/api/v1/admin/lockouts');
    h.fill(body('lockouts'), j.items.map(l => h('tr', null,
      td(l.username), td(l.client), td(l.failures), td(l.locked ? l.locked_until : '未锁定'),
      td(button({'data-unlock': l.username}, '解锁')))));
  }
  async function keys() {
    try {
      const j = await Hotline.api('GET', '/api/v1/admin/api-keys');
      const items = j.items || j;
      h.fill(body('keys'), items.map(k => h('tr', null,
        td(k.name), td(k.prefix + '…'), td(k.active ? '启用' : '停用'), td(k.created_by),
        td(k.last_used_at || ''), td(k.active ? button({'data-revoke': k.name}, '停用') : null))));
    } catch (e) { document.getElementById('key-once').textContent = '接口密钥管理不可用: ' + e.message; }
  }
  async function units() {
    const j = await Hotline.api('GET', '/api/v1/admin/units');
    h.fill(body('units'), j.items.map(u => h('tr', null,
      td(u.code), td(u.name), td(KINDS[u.kind] || '其他'), td(u.active ? '启用' : '停用'),
      td(button({'data-unit': u.code, 'data-active': String(u.active)}, u.active ? '停用' : '启用')))));
  }
  const refresh = () => Promise.all([users(), lockouts(), keys(), units()]).catch(show);

  document.getElementById('user-form').onsubmit = async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const body = Object.fromEntries(f.entries());
    if (!body.unit) body.unit = null;
    Hotline.clearErrors(ev.target); err.textContent = '';
    try { await Hotline.api('POST', '/api/v1/admin/users', body); ev.target.reset(); refresh(); }
    catch (e) { Hotline.showErrors(ev.target, e, err); }
  };
  document.getElementById('key-form').onsubmit = async (ev) => {
    ev.preventDefault();
    const name = new FormData(ev.target).get('name');
    try {
      const k = await Hotline.api('POST', '/api/v1/admin/api-keys', {name});
      document.getElementById('key-once').textContent = '新密钥 (只显示这一次, 请立即保存): ' + k.api_key;
      ev.target.reset(); refresh();
    } catch (e) { show(e); }
  };
  document.body.addEventListener('click', async (ev) => {
    const b = ev.target.closest('button'); if (!b || b.type === 'submit') return;
    try {
      const tr = b.closest('tr');
      if (b.dataset.act === 'toggle') {
        await Hotline.api('PATCH', '/api/v1/admin/users/' + encodeURIComponent(tr.dataset.user), {active: b.dataset.active !== 'true'});
      } else if (b.dataset.act === 'reset') {
        const pw = prompt('新密码 (至少 10 位)'); if (!pw) return;
        await Hotline.api('PATCH', '/api/v1/admin/users/' + encodeURIComponent(tr.dataset.user), {password: pw});
      } else if (b.dataset.unlock) {
        await Hotline.api('DELETE', '/api/v1/admin/lockouts/' + encodeURIComponent(b.dataset.unlock));
      } else if (b.dataset.revoke) {
        await Hotline.api('POST', '/api/v1/admin/api-keys/' + encodeURIComponent(b.dataset.revoke) + '/revoke', {});
      } else if (b.dataset.unit) {
        await Hotline.api('PATCH', '/api/v1/admin/units/' + encodeURIComponent(b.dataset.unit), {active: b.dataset.active !== 'true'});
      } else return;
      err.textContent = ''; refresh();
    } catch (e) { show(e); }
  });
  refresh();
})();

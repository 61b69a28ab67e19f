// 系统管理: users, lock-outs, Open311 API keys, units. Bearer token from sessionStorage (app.js).
(function () {
  const me = Hotline.requireLogin();
  const E = Hotline.esc;
  const err = document.getElementById('admin-error');
  const show = (e) => { err.textContent = e.message + ' ' + Hotline.fieldErrors(e); };
  if (me.role !== 'admin') { err.textContent = '只有管理员可以使用本页'; return; }

  async function users() {
    const j = await Hotline.api('GET', '/api/v1/admin/users');
    document.querySelector('#users tbody').innerHTML = j.items.map(u => `<tr data-user="${E(u.username)}">
      <td>${E(u.username)}</td><td>${E(u.name)}</td><td>${E(u.role)}</td><td>${E(u.unit || '')}</td>
      <td>${u.active ? '启用' : '停用'}</td>
      <td><button data-act="toggle" data-active="${u.active}">${u.active ? '停用' : '启用'}</button>
          <button data-act="reset">重置密码</button></td></tr>`).join('');
  }
  async function lockouts() {
    const j = await Hotline.api('GET', '/api/v1/admin/lockouts');
    document.querySelector('#lockouts tbody').innerHTML = j.items.map(l => `<tr>
      <td>${E(l.username)}</td><td>${E(l.client)}</td><td>${l.failures}</td>
      <td>${l.locked ? E(l.locked_until) : '未锁定'}</td>
      <td><button data-unlock="${E(l.username)}">解锁</button></td></tr>`).join('');
  }
  async function keys() {
    try {
      const j = await Hotline.api('GET', '/api/v1/admin/api-keys');
      const items = j.items || j;
      document.querySelector('#keys tbody').innerHTML = items.map(k => `<tr>
        <td>${E(k.name)}</td><td>${E(k.prefix)}…</td><td>${k.active ? '启用' : '停用'}</td>
        <td>${E(k.created_by)}</td><td>${E(k.last_used_at || '')}</td>
        <td>${k.active ? `<button data-revoke="${E(k.name)}">停用</button>` : ''}</td></tr>`).join('');
    } catch (e) { document.getElementById('key-once').textContent = 'API key 管理不可用: ' + e.message; }
  }
  async function units() {
    const j = await Hotline.api('GET', '/api/v1/admin/units');
    document.querySelector('#units tbody').innerHTML = j.items.map(u => `<tr>
      <td>${E(u.code)}</td><td>${E(u.name)}</td><td>${E(u.kind)}</td><td>${u.active ? '启用' : '停用'}</td>
      <td><button data-unit="${E(u.code)}" data-active="${u.active}">${u.active ? '停用' : '启用'}</button></td></tr>`).join('');
  }
  const refresh = () => Promise.all([users(), lockouts(), keys(), units()]).catch(show);

  document.getElementById('user-form').onsubmit = async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const body = Object.fromEntries(f.entries());
    if (!body.unit) body.unit = null;
    try { await Hotline.api('POST', '/api/v1/admin/users', body); ev.target.reset(); err.textContent = ''; refresh(); }
    catch (e) { show(e); }
  };
  document.getElementById('key-form').onsubmit = async (ev) => {
    ev.preventDefault();
    const name = new FormData(ev.target).get('name');
    try {
      const k = await Hotline.api('POST', '/api/v1/admin/api-keys', {name});
      document.getElementById('key-once').textContent = '新 key (只显示这一次, 请立即保存): ' + k.api_key;
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

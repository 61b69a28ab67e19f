// 登录页: POST /api/v1/auth/session sets the HttpOnly session cookie; the answer carries no
// token, only who logged in (kept in sessionStorage as a non-secret hint, app.js).
(function () {
  const form = document.getElementById('login-form');
  const error = document.getElementById('login-error');
  // where to go after login: a same-site path only (never "//host" or a full URL)
  function target(role) {
    const next = new URLSearchParams(location.search).get('next') || '';
    const local = /^\/(?![\/\\])/.test(next) && !next.startsWith('/login');
    return local ? next : Hotline.homeFor(role);
  }
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    const body = {username: form.username.value, password: form.password.value};
    let r, j;
    try {
      r = await fetch('/api/v1/auth/session', {
        method: 'POST', credentials: 'same-origin',
        headers: {'Content-Type': 'application/json', 'X-CSRFToken': Hotline.csrf()},
        body: JSON.stringify(body)});
      j = await r.json().catch(() => ({}));
    } catch (e) { error.textContent = '网络错误, 请稍后重试'; return; }
    if (!r.ok) {
      error.textContent = (j.error && j.error.message) || '登录失败, 请稍后重试';
      return;
    }
    Hotline.saveLogin(j);
    location.href = target(j.role);
  });
})();

// /docs: Swagger UI (npm swagger-ui-dist, served under /vendor/) over /api/v1/openapi.json; it
// resolves every $ref and lets the reader try a call (issue 15, item 9).
// "Try it out" calls the API as the reader: same-origin requests carry the page's HttpOnly
// session cookie, and a change also carries the CSRF header, exactly as Hotline.api does
// (app.js; docs/operations.md "Page sessions"). A bearer token entered with "Authorize" is sent
// as Authorization and takes precedence on the server (hotline/web/api.py _credential).
(function () {
  const status = document.getElementById('docs-status');
  if (typeof SwaggerUIBundle !== 'function') {
    status.textContent = 'API 浏览器未安装 (请运行 make run 安装前端依赖)。机器可读文档见上方链接。';
    return;
  }
  SwaggerUIBundle({
    url: '/api/v1/openapi.json',
    dom_id: '#swagger-ui',
    // no deep links: they put a link inside each operation's toggle button (a focusable inside a
    // focusable, which screen readers cannot reach: axe nested-interactive)
    deepLinking: false,
    // tags start collapsed: with ~160 operations in 21 tags, Swagger UI 5 stops drawing the
    // expanded list after the first few operations (measured with this project's spec); a
    // reader opens the tag they need (the list of tags is the table of contents)
    docExpansion: 'none',
    defaultModelsExpandDepth: 0,
    persistAuthorization: false,
    requestInterceptor: (req) => {
      const sameOrigin = new URL(req.url, location.href).origin === location.origin;
      if (sameOrigin) {
        req.credentials = 'same-origin';
        if (!/^(GET|HEAD|OPTIONS)$/i.test(req.method || 'GET')) req.headers['X-CSRFToken'] = Hotline.csrf();
      }
      return req;
    },
    onComplete: () => { status.textContent = ''; status.hidden = true; },
  });
  // Swagger UI's Authorize dialog has an icon-only close button and a submit button whose
  // accessible name differs from its text: both get a Chinese name screen readers can announce
  // (docs/design/ux.md §10: every icon button has a text name).
  const names = [['.close-modal', '关闭'], ['.auth-btn-wrapper button[type="submit"]', null]];
  new MutationObserver(() => {
    for (const [sel, name] of names) {
      document.querySelectorAll(sel).forEach(b => {
        if (name && b.getAttribute('aria-label') !== name) b.setAttribute('aria-label', name);
        if (!name && b.hasAttribute('aria-label')) b.removeAttribute('aria-label');
      });
    }
  }).observe(document.getElementById('swagger-ui'), {childList: true, subtree: true});
})();

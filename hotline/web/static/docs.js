// /docs: the OpenAPI document, one <details> per operation (text only).
fetch('/api/v1/openapi.json').then(r => r.json()).then(spec => {
  const el = document.getElementById('api-doc');
  h.fill(el, Object.entries(spec.paths).map(([path, ops]) => Object.entries(ops).map(([method, op]) =>
    h('details', null, h('summary', null, method.toUpperCase() + ' ' + path + ' — ' + (op.summary || '')),
      h('pre', null, JSON.stringify(op, null, 2))))));
});

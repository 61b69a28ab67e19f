// Helpers shared by the dispatch pages (/dispatch, /inbox, /orders/<id>, /supervisor/arbitration).
const D = {
  fmt(iso) { return iso ? iso.replace('T', ' ').slice(0, 16) : ''; },
  link(o) { return `<a href="/orders/${o.id}" class="order-link">${Hotline.esc(o.number)}</a>`; },
  short(s, n = 40) { s = s || ''; return Hotline.esc(s.length > n ? s.slice(0, n) + '…' : s); },
  unitName(code) { const u = (window.UNITS || {})[code]; return Hotline.esc(u || code || ''); },
  async act(id, action, reason, data) {
    return Hotline.api('POST', `/api/v1/orders/${id}/${action}`, {reason: reason || null, data: data || {}});
  },
  showError(el, err) { el.textContent = err.message + (Hotline.fieldErrors(err) ? ' (' + Hotline.fieldErrors(err) + ')' : ''); },
};

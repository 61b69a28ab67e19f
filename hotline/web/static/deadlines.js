// /orders/<id>/deadlines: the explain view of one order's clocks (the id is the section's data-order).
Hotline.requireLogin();
(function () {
  const el = document.getElementById('deadlines');
  HotlineSla.mountDeadlines(el, el.dataset.order).catch(e => { h.fill(el, h('p', {class: 'error'}, e.message)); });
})();

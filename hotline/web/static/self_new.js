// 我要反映: the form is checked in the page before it is sent, by the server's own rules
// (hotline/services/selfservice.py: content 10-2000 characters, a mobile or landline number,
// a town from the list), and each problem is shown next to its field, named by its label,
// instead of the browser's bubbles or one line above the form. The server checks again.
(function () {
  const form = document.getElementById('self-form'); if (!form) return;
  const PHONE = /^(1\d{10}|0\d{2,3}-?\d{7,8})$/;
  const RULES = {
    content: (v) => { const n = Array.from(v.trim()).length; return n >= 10 && n <= 2000 ? '' : `须为 10 至 2000 字 (当前 ${n} 字)`; },
    phone: (v) => PHONE.test(v.trim()) ? '' : '请填写正确的手机号码或固定电话, 以便承办单位联系您',
  };
  const labelText = (el) => {
    const l = document.querySelector(`label[for="${el.id}"]`);
    return l ? Array.from(l.childNodes).filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim() : '';
  };
  function clear(el) {
    el.classList.remove('invalid'); el.removeAttribute('aria-invalid');
    const p = document.getElementById(el.id + '-field-error'); if (p) p.remove();
  }
  function mark(el, msg) {
    el.classList.add('invalid'); el.setAttribute('aria-invalid', 'true');
    el.setAttribute('aria-describedby', el.id + '-field-error');
    const p = document.createElement('p');
    p.className = 'field-error'; p.id = el.id + '-field-error'; p.setAttribute('role', 'alert');
    p.textContent = labelText(el) + '：' + msg;          // text, never markup
    el.after(p);
  }
  form.noValidate = true;
  form.addEventListener('submit', (ev) => {
    let first = null;
    for (const [id, rule] of Object.entries(RULES)) {
      const el = document.getElementById(id); clear(el);
      const msg = rule(el.value);
      if (msg) { mark(el, msg); first = first || el; }
    }
    if (first) { ev.preventDefault(); first.focus(); }
  });
  for (const id of Object.keys(RULES)) document.getElementById(id).addEventListener('input', (e) => clear(e.target));
})();

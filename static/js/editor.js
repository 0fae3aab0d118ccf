// The newsroom's entry editor. The form works without it; with it, the body gets a Markdown
// toolbar (arrow keys move through its buttons, Ctrl/Cmd+B and +I in the body), a live preview
// rendered by the server as the public page renders it, and drafts save themselves a while after
// the last change. Markup: themes/default/newsroom/editor_tools.html.
(function () {
  'use strict';
  var form = document.getElementById('entry-form');
  var body = document.getElementById('f-body');
  if (!form || !body) { return; }

  function params() { return new URLSearchParams(new FormData(form)); }

  // ---- Toolbar -------------------------------------------------------------------------------

  var bar = document.getElementById('editor-toolbar');

  // replace puts text over body's characters start..end, as typing would: execCommand keeps the
  // browser's undo history; setRangeText, where insertText is not supported, does not. The
  // selection is then selStart..selEnd.
  function replace(start, end, text, selStart, selEnd) {
    body.focus();
    body.setSelectionRange(start, end);
    var done = false;
    try { done = document.execCommand('insertText', false, text); } catch (e) { done = false; }
    if (!done) {
      body.setRangeText(text, start, end, 'end');
      body.dispatchEvent(new Event('input', { bubbles: true }));
    }
    body.setSelectionRange(selStart, selEnd);
  }

  // wrap puts before and after around the selection (or a placeholder, selected), or takes them
  // away when the selection is already wrapped.
  function wrap(before, after, placeholder) {
    var v = body.value, s = body.selectionStart, e = body.selectionEnd;
    if (s >= before.length && v.substring(s - before.length, s) === before && v.substring(e, e + after.length) === after) {
      var inner = v.substring(s, e);
      replace(s - before.length, e + after.length, inner, s - before.length, s - before.length + inner.length);
      return;
    }
    var sel = v.substring(s, e) || placeholder;
    replace(s, e, before + sel + after, s + before.length, s + before.length + sel.length);
  }

  // lines gives every line the selection touches a prefix (numbered from 1 when prefix is a
  // function), or takes it away when all of them have it already (the pattern).
  function lines(prefix, pattern, placeholder) {
    var v = body.value, s = body.selectionStart, e = body.selectionEnd;
    if (e > s && v.charAt(e - 1) === '\n') { e--; }
    var from = v.lastIndexOf('\n', s - 1) + 1;
    var to = v.indexOf('\n', e);
    if (to < 0) { to = v.length; }
    var list = v.substring(from, to).split('\n');
    var all = list.every(function (l) { return pattern.test(l); });
    var out = list.map(function (l, i) {
      if (all) { return l.replace(pattern, ''); }
      var p = typeof prefix === 'function' ? prefix(i) : prefix;
      return p + l.replace(pattern, '');
    });
    if (!all && list.length === 1 && list[0].trim() === '') {
      var p = typeof prefix === 'function' ? prefix(0) : prefix;
      replace(from, to, p + placeholder, from + p.length, from + p.length + placeholder.length);
      return;
    }
    var text = out.join('\n');
    replace(from, to, text, from, from + text.length);
  }

  var data = bar ? bar.dataset : {};
  var ops = {
    bold: function () { wrap('**', '**', data.text || ''); },
    italic: function () { wrap('_', '_', data.text || ''); },
    heading: function () { lines('## ', /^#{1,6} /, data.headingText || ''); },
    bullets: function () { lines('- ', /^[-*+] /, data.itemText || ''); },
    numbers: function () { lines(function (i) { return (i + 1) + '. '; }, /^\d+\. /, data.itemText || ''); },
    quote: function () { lines('> ', /^> ?/, data.itemText || ''); },
    link: function () {
      var v = body.value, s = body.selectionStart, e = body.selectionEnd;
      var text = v.substring(s, e) || data.linkText || '';
      var url = 'https://';
      var out = '[' + text + '](' + url + ')';
      var at = s + text.length + 3;
      replace(s, e, out, at, at + url.length);
    },
    code: function () {
      var sel = body.value.substring(body.selectionStart, body.selectionEnd);
      if (sel.indexOf('\n') >= 0) { wrap('```\n', '\n```', ''); } else { wrap('`', '`', data.codeText || ''); }
    }
  };

  if (bar) {
    var buttons = Array.prototype.slice.call(bar.querySelectorAll('button[data-md]'));
    bar.hidden = false;
    bar.addEventListener('click', function (event) {
      var b = event.target.closest('button[data-md]');
      if (b && ops[b.getAttribute('data-md')]) { ops[b.getAttribute('data-md')](); }
    });
    // Roving focus: one tab stop, arrows (and Home, End) move between the buttons.
    var focusAt = function (i) {
      buttons.forEach(function (b, j) { b.tabIndex = j === i ? 0 : -1; });
      buttons[i].focus();
    };
    bar.addEventListener('keydown', function (event) {
      var i = buttons.indexOf(document.activeElement);
      if (i < 0) { return; }
      var n = buttons.length, next = -1;
      switch (event.key) {
        case 'ArrowRight': case 'ArrowDown': next = (i + 1) % n; break;
        case 'ArrowLeft': case 'ArrowUp': next = (i - 1 + n) % n; break;
        case 'Home': next = 0; break;
        case 'End': next = n - 1; break;
        default: return;
      }
      event.preventDefault();
      focusAt(next);
    });
    body.addEventListener('keydown', function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) { return; }
      var k = event.key.toLowerCase();
      if (k === 'b' || k === 'i') {
        event.preventDefault();
        ops[k === 'b' ? 'bold' : 'italic']();
      }
    });
  }

  // ---- Live preview --------------------------------------------------------------------------

  var preview = document.getElementById('live-preview');
  if (preview && window.fetch) {
    var out = document.getElementById('live-preview-body');
    var said = document.getElementById('live-preview-status');
    var col = document.getElementById('editor-body-col');
    preview.hidden = false;
    if (col) { col.classList.add('col-lg-6'); }
    var timer = null, seq = 0, wrong = false;
    // say shows msg in the status line, which is announced: only when it changes, so that an
    // error typed over several pauses is said once.
    var say = function (msg) { if (said.textContent !== msg) { said.textContent = msg; } };
    var refresh = function () {
      var mine = ++seq;
      preview.setAttribute('aria-busy', 'true');
      fetch(preview.getAttribute('data-url'), { method: 'POST', body: params(), credentials: 'same-origin', headers: { Accept: 'text/html' } })
        .then(function (res) {
          return res.text().then(function (html) { return { status: res.status, html: html }; });
        })
        .then(function (r) {
          if (mine !== seq) { return; }
          if (r.status !== 200 && r.status !== 422) { throw new Error(String(r.status)); }
          var t = document.createElement('template');
          t.innerHTML = r.html;
          var err = t.content.querySelector('[data-error]');
          if (err) {
            wrong = true;
            say(err.textContent);
            return;
          }
          out.replaceChildren(t.content);
          if (wrong) { wrong = false; say(preview.getAttribute('data-back')); }
        })
        .catch(function () {
          if (mine !== seq) { return; }
          wrong = true;
          say(preview.getAttribute('data-failed'));
        })
        .finally(function () { if (mine === seq) { preview.removeAttribute('aria-busy'); } });
    };
    var later = function () { clearTimeout(timer); timer = setTimeout(refresh, 400); };
    form.addEventListener('input', later);
    form.addEventListener('change', later);
    // A page opened with a body shows its preview at once; an empty new form waits for typing
    // (its required fields would only be reported as missing).
    if (body.value.trim() !== '') { refresh(); }
  }

  // ---- Autosave ------------------------------------------------------------------------------

  var status = document.getElementById('autosave-status');
  if (status && window.fetch) {
    var dirty = false, stopped = false, busy = false, again = false, wait = null, since = 0;
    var show = function (msg, stop) {
      status.hidden = false;
      status.classList.toggle('pass-autosave-stopped', !!stop);
      if (status.textContent !== msg) { status.textContent = msg; }
    };
    // The revision the form stands on follows the autosaves: the hidden rev of every form of the
    // page (the steps too), and the hash of its source.
    var standOn = function (rev, hash) {
      var old = form.elements.rev.value;
      Array.prototype.forEach.call(document.querySelectorAll('input[name="rev"]'), function (input) {
        if (input.value === old) { input.value = rev; }
      });
      form.elements.rev_hash.value = hash;
    };
    var save = function () {
      clearTimeout(wait);
      if (stopped || !dirty) { return; }
      if (busy) { again = true; return; }
      busy = true;
      dirty = false;
      since = 0;
      var payload = params();
      var small = payload.toString().length < 60000; // keepalive's limit
      fetch(status.getAttribute('data-url'), { method: 'POST', body: payload, credentials: 'same-origin',
        headers: { Accept: 'application/json' }, keepalive: small && document.visibilityState === 'hidden' })
        .then(function (res) { return res.json().then(function (j) { return { ok: res.ok, j: j }; }); })
        .then(function (r) {
          if (r.ok) {
            standOn(String(r.j.rev), r.j.hash);
            show(r.j.status, false);
            return;
          }
          if (r.j.error === 'moved' || r.j.error === 'step') {
            stopped = true; // nothing more is saved automatically; the text stays in the form
          }
          show(r.j.status, stopped);
        })
        .catch(function () {
          dirty = true;
          show(status.getAttribute('data-failed'), false);
        })
        .finally(function () {
          busy = false;
          if (again) { again = false; later2(); }
        });
    };
    // later2 saves a while after the last change (data-delay ms, 20 s by default), and at the
    // latest three times that after the first unsaved one, even while the user keeps typing.
    var later2 = function () {
      if (stopped) { return; }
      var delay = Number(status.getAttribute('data-delay')) || 20000;
      var now = Date.now();
      if (!since) { since = now; }
      clearTimeout(wait);
      wait = setTimeout(save, Math.max(0, Math.min(delay, since + 3 * delay - now)));
    };
    var changed = function () { dirty = true; later2(); };
    form.addEventListener('input', changed);
    form.addEventListener('change', changed);
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'hidden') { save(); }
    });
    form.addEventListener('submit', function () { stopped = true; clearTimeout(wait); });
  }
})();

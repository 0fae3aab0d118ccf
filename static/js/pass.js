// PAsS page behaviour. Pages work without it; with it, htmx swaps move focus where a screen reader
// user expects it, and a page that lost its websocket catches up when it reconnects.
(function () {
  'use strict';
  var announced = '.pass-error-summary, [role="alert"], .alert-success[tabindex="-1"]';
  // An outerHTML swap leaves event.detail.target detached: look for its replacement in the page.
  document.addEventListener('htmx:afterSwap', function (event) {
    var target = event.detail && event.detail.target;
    if (!target) { return; }
    var root = target.isConnected ? target : (target.id && document.getElementById(target.id));
    if (!root) { return; }
    var focusable = root.matches(announced) ? root : root.querySelector(announced);
    if (focusable) { focusable.focus(); }
  });

  // A page re-shown with errors starts at its error summary, so the user hears what to fix and
  // can follow its links to the fields.
  function focusSummary() {
    var summary = document.querySelector('.pass-error-summary');
    if (summary) { summary.focus(); }
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', focusSummary);
  } else {
    focusSummary();
  }

  // After a reconnection (not the first connection), fetch what changed while the page was away:
  // the element marked data-live-url names the update to load.
  var opened = false;
  document.addEventListener('htmx:wsOpen', function () {
    if (!opened) { opened = true; return; }
    var live = document.querySelector('[data-live-url]');
    if (live && window.htmx) {
      window.htmx.ajax('GET', live.getAttribute('data-live-url'), { swap: 'none' });
    }
  });

  // The workspace's live updates. The page holds a cursor (what it already shows) that every
  // update and every post sends, so the server answers only with what is new: messages appended,
  // documents and integrations added, small parts (state, experts, timeline) swapped; forms the
  // user may be typing into are never replaced. The same item arriving twice (a post's answer and
  // the push it caused) is kept once.
  function liveCursor() {
    var state = document.getElementById('live-state');
    return state ? state.getAttribute('data-live-cursor') : null;
  }
  document.addEventListener('htmx:configRequest', function (event) {
    var d = event.detail;
    if (/\/aggiornamenti(\?|$)/.test(d.path || '') || (d.elt && d.elt.id === 'post-form')) {
      var cursor = liveCursor();
      if (cursor) { d.parameters.cursore = cursor; }
    }
  });
  var appendOnly = { 'thread': true, 'documents-list': true, 'integrations-list': true };
  document.addEventListener('htmx:oobBeforeSwap', function (event) {
    var d = event.detail;
    if (!d.target || !appendOnly[d.target.id] || !d.fragment || !d.fragment.children) { return; }
    Array.prototype.slice.call(d.fragment.children).forEach(function (item) {
      if (item.id && document.getElementById(item.id)) { item.remove(); }
    });
  });
  // Forms that depend on the request's state are shown or hidden as the state changes.
  function applyState() {
    var badge = document.getElementById('request-state');
    if (!badge) { return; }
    var state = badge.getAttribute('data-state');
    Array.prototype.forEach.call(document.querySelectorAll('[data-states]'), function (el) {
      el.hidden = el.getAttribute('data-states').split(' ').indexOf(state) < 0;
    });
  }
  // An error swapped next to a form is focused, so that it is seen and read at once.
  document.addEventListener('htmx:oobAfterSwap', function (event) {
    applyState();
    var target = event.detail && event.detail.target;
    if (!target || !/-error$/.test(target.id || '')) { return; }
    var box = document.getElementById(target.id);
    var alert = box && box.querySelector('[role="alert"]');
    if (alert) { alert.focus(); }
  });
  // A message sent is cleared from the form; the thread shows it.
  document.addEventListener('htmx:afterRequest', function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.id === 'post-form' && event.detail.xhr && event.detail.xhr.status < 300) { elt.reset(); }
  });
  // "Earlier" links are replaced by what they load: focus moves to the item next to where the
  // reader was, never to the page's body.
  var earlier = null;
  document.addEventListener('htmx:beforeRequest', function (event) {
    var elt = event.detail && event.detail.elt;
    if (!elt || !elt.closest) { return; }
    if (elt.closest('#thread-earlier')) {
      earlier = { xhr: event.detail.xhr, next: document.querySelector('#thread .pass-message'), dir: 'previousElementSibling' };
    } else if (elt.closest('#documents-earlier')) {
      var items = document.querySelectorAll('#documents-list > li');
      earlier = { xhr: event.detail.xhr, next: items[items.length - 1], dir: 'nextElementSibling' };
    }
  });
  document.addEventListener('htmx:afterSettle', function (event) {
    if (!earlier || !event.detail || event.detail.xhr !== earlier.xhr) { return; }
    if (!earlier.next) { earlier = null; return; }
    var item = earlier.next[earlier.dir];
    earlier = null;
    if (item) { item.setAttribute('tabindex', '-1'); item.focus(); }
  });

  // The header's search box is a combobox (WAI-ARIA 1.2): suggestions arrive from htmx as a
  // listbox; arrows move through them, Enter opens the chosen one, Escape closes the list (and, once
  // the list is closed, clears the box as a search field does).
  function combo() { return document.getElementById('header-q'); }
  function options() {
    var list = document.getElementById('header-q-list');
    return list && !list.hidden ? Array.prototype.slice.call(list.querySelectorAll('[role="option"]')) : [];
  }
  function choose(input, opts, i) {
    opts.forEach(function (o, j) { o.setAttribute('aria-selected', j === i ? 'true' : 'false'); o.classList.toggle('active', j === i); });
    if (i >= 0) { input.setAttribute('aria-activedescendant', opts[i].id); } else { input.removeAttribute('aria-activedescendant'); }
  }
  function close(input) {
    var list = document.getElementById('header-q-list');
    if (list) { list.hidden = true; }
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  }
  document.addEventListener('htmx:afterSwap', function (event) {
    var input = combo();
    if (!input || !event.detail.target || event.detail.target.id !== 'header-q-list') { return; }
    var list = document.getElementById('header-q-list');
    var open = list && !list.hidden && options().length > 0 && input.value.trim().length >= 2;
    if (list && !open) { list.hidden = true; }
    input.setAttribute('aria-expanded', open ? 'true' : 'false');
    var status = document.getElementById('header-q-status');
    if (status) { status.textContent = open ? list.getAttribute('data-status') : ''; }
    input.removeAttribute('aria-activedescendant');
  });
  document.addEventListener('keydown', function (event) {
    var input = combo();
    if (!input || event.target !== input) { return; }
    var opts = options();
    var current = opts.findIndex(function (o) { return o.getAttribute('aria-selected') === 'true'; });
    if (event.key === 'ArrowDown' && opts.length) {
      event.preventDefault(); choose(input, opts, (current + 1) % opts.length);
    } else if (event.key === 'ArrowUp' && opts.length) {
      event.preventDefault(); choose(input, opts, current <= 0 ? opts.length - 1 : current - 1);
    } else if (event.key === 'Enter' && current >= 0) {
      event.preventDefault();
      window.location.assign(opts[current].getAttribute('data-href'));
    } else if (event.key === 'Escape' && input.getAttribute('aria-expanded') === 'true') {
      // the first Escape closes the list and keeps the text; the next one clears the box
      event.preventDefault();
      close(input);
    }
  });
  // Enter with a suggestion chosen opens it instead of submitting the search.
  document.addEventListener('submit', function (event) {
    var input = combo();
    if (!input || event.target !== input.form) { return; }
    var chosen = options().filter(function (o) { return o.getAttribute('aria-selected') === 'true'; })[0];
    if (chosen) {
      event.preventDefault();
      window.location.assign(chosen.getAttribute('data-href'));
    }
  });
  document.addEventListener('click', function (event) {
    var input = combo();
    if (!input) { return; }
    var option = event.target.closest('#header-q-list [role="option"]');
    if (option) { window.location.assign(option.getAttribute('data-href')); return; }
    if (!event.target.closest('.pass-header-search')) { close(input); }
  });
  // A file larger than its form accepts (data-max-bytes: one file, or all the files of a multiple
  // input together) is refused as soon as it is chosen, with the browser's own validation message,
  // instead of after a long upload. The server checks again.
  document.addEventListener('change', function (event) {
    var input = event.target;
    if (!input || input.type !== 'file' || !input.hasAttribute('data-max-bytes')) { return; }
    var max = Number(input.getAttribute('data-max-bytes'));
    var total = 0;
    Array.prototype.forEach.call(input.files || [], function (f) { total += f.size; });
    var tooLarge = max > 0 && total > max;
    input.setCustomValidity(tooLarge ? input.getAttribute('data-too-large') : '');
    if (tooLarge) { input.reportValidity(); }
  });

  // A form sent by htmx that the server refused (too large, expired, an error) or could not reach
  // says so beside the form, in an alert that takes the focus: a failure is never silent, and what
  // was typed stays in the form.
  function reportFailure(event, text) {
    var elt = event.detail && event.detail.elt;
    var form = elt && elt.closest ? elt.closest('form') : null;
    if (!form || !text) { return; }
    var box = form.querySelector('.pass-form-error');
    if (!box) {
      box = document.createElement('div');
      box.className = 'pass-form-error';
      form.insertBefore(box, form.firstChild);
    }
    var alert = document.createElement('div');
    alert.className = 'alert alert-danger';
    alert.setAttribute('role', 'alert');
    alert.tabIndex = -1;
    alert.textContent = text;
    box.textContent = '';
    box.appendChild(alert);
    alert.focus();
  }
  document.addEventListener('htmx:responseError', function (event) {
    var xhr = event.detail.xhr;
    var reason = '';
    try {
      var page = new DOMParser().parseFromString(xhr.responseText || '', 'text/html');
      var title = page.querySelector('main h1') || page.querySelector('h1');
      var lead = page.querySelector('main .lead') || page.querySelector('.lead');
      reason = [title && title.textContent.trim(), lead && lead.textContent.trim()].filter(Boolean).join('. ');
    } catch (e) { reason = ''; }
    var template = document.body.getAttribute('data-msg-failed') || '%s';
    reportFailure(event, template.replace('%s', reason || String(xhr.status)));
  });
  document.addEventListener('htmx:sendError', function (event) {
    reportFailure(event, document.body.getAttribute('data-msg-offline'));
  });
})();

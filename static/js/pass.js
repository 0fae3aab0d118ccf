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
})();

// PAsS page behaviour. Pages work without it; with it, htmx swaps move focus where a screen reader
// user expects it, and a page that lost its websocket catches up when it reconnects.
(function () {
  'use strict';
  document.addEventListener('htmx:afterSwap', function (event) {
    var target = event.detail && event.detail.target;
    if (!target) { return; }
    var focusable = target.querySelector('[role="alert"], .alert-success[tabindex="-1"]');
    if (focusable) { focusable.focus(); }
  });

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
})();

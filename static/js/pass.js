// PAsS page behaviour. Pages work without it; with it, htmx swaps move focus where a screen reader
// user expects it.
(function () {
  'use strict';
  document.addEventListener('htmx:afterSwap', function (event) {
    var target = event.detail && event.detail.target;
    if (!target) { return; }
    var focusable = target.querySelector('[role="alert"], .alert-success[tabindex="-1"]');
    if (focusable) { focusable.focus(); }
  });
})();

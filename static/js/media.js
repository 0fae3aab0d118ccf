// The media library's enhancements: a "copy" button beside each Markdown snippet, and in the
// entry editor's picker an "insert" button that puts the snippet at the cursor of the body. Without
// JavaScript the buttons stay hidden and the snippet is copied by hand from its read-only field.
(function () {
  'use strict';
  if (window.passMedia) { return; } // the script may be included twice (picker and page)
  window.passMedia = true;

  function say(id, attr) {
    var live = document.getElementById(id);
    if (!live) { return; }
    live.textContent = '';
    window.setTimeout(function () { live.textContent = live.getAttribute(attr) || ''; }, 50);
  }

  // copy puts the field's text on the clipboard; where the browser refuses, the text is left
  // selected in its field to copy by hand.
  function copy(field) {
    function byHand() {
      field.focus();
      field.select();
      try { return document.execCommand('copy'); } catch (e) { return false; }
    }
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(field.value).then(function () { return true; }, byHand);
    }
    return Promise.resolve(byHand());
  }

  // insert puts text at the cursor of the textarea (replacing the selection), on a line of its
  // own, and leaves the cursor after it.
  function insert(area, text) {
    var start = area.selectionStart, end = area.selectionEnd, value = area.value;
    if (typeof start !== 'number') { start = end = value.length; }
    var before = value.slice(0, start), after = value.slice(end);
    if (before && !/\n$/.test(before)) { text = '\n' + text; }
    if (!/^\n/.test(after)) { text = text + '\n'; }
    area.value = before + text + after;
    var pos = before.length + text.length;
    area.focus();
    area.setSelectionRange(pos, pos);
    area.dispatchEvent(new Event('input', { bubbles: true }));
  }

  function ready() {
    document.querySelectorAll('.pass-media-copy, .pass-media-insert').forEach(function (b) { b.hidden = false; });
    document.addEventListener('click', function (event) {
      var b = event.target.closest('.pass-media-copy');
      if (b) {
        var field = document.getElementById(b.getAttribute('data-target'));
        if (field) { copy(field).then(function (done) { if (done) { say('media-copied', 'data-copied'); } }); }
        return;
      }
      b = event.target.closest('.pass-media-insert');
      if (b) {
        var area = document.getElementById(b.getAttribute('data-into'));
        if (area) {
          insert(area, b.getAttribute('data-snippet'));
          say('media-inserted', 'data-inserted');
        }
      }
    });
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', ready);
  } else {
    ready();
  }
})();

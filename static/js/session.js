// The session's warning. Every reserved page says when its session ends (the notice works without
// JavaScript); with it, a dialog opens shortly before the end, offers to extend the session when
// the idle timeout comes first, and says so when it has ended. Only what people do extends a
// session: this script asks the server how long is left without extending it.
(function () {
  'use strict';
  var notice = document.getElementById('session-notice');
  var dialog = document.getElementById('session-dialog');
  if (!notice || !dialog || typeof dialog.showModal !== 'function') { return; }
  var title = document.getElementById('session-dialog-title');
  var text = document.getElementById('session-dialog-text');
  var extend = dialog.querySelector('[data-session-extend]');
  var dismiss = dialog.querySelector('[data-session-close]');
  var csrf = notice.querySelector('input[name="_csrf"]');
  var warn = Number(notice.getAttribute('data-warn-in')) * 1000;
  var state = null;
  var dismissed = false;
  var ended = false;
  var checking = false;

  function load(idleIn, absoluteIn, idleAt, absoluteAt) {
    var now = Date.now();
    state = { idleEnd: now + idleIn * 1000, absoluteEnd: now + absoluteIn * 1000, idleAt: idleAt, absoluteAt: absoluteAt };
    dismissed = false;
    var line = document.getElementById('session-notice-text');
    if (line) {
      line.textContent = notice.getAttribute('data-template').replace('{idle}', idleAt).replace('{absolute}', absoluteAt);
    }
  }
  function end() { return Math.min(state.idleEnd, state.absoluteEnd); }

  function show(kind) {
    if (kind === 'ended') {
      ended = true;
      title.textContent = dialog.getAttribute('data-ended-title');
      text.textContent = dialog.getAttribute('data-ended');
    } else {
      title.textContent = dialog.getAttribute('data-title');
      var time = kind === 'idle' ? state.idleAt : state.absoluteAt;
      text.textContent = dialog.getAttribute('data-' + kind).replace('{time}', time);
    }
    extend.hidden = kind !== 'idle';
    dialog.setAttribute('data-kind', kind);
    if (!dialog.open) { dialog.showModal(); }
  }

  function status() {
    return fetch('/area-riservata/sessione', { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) {
        if (!r.ok) { state.idleEnd = state.absoluteEnd = Date.now(); return; }
        return r.json().then(function (j) { load(j.idle_in, j.absolute_in, j.idle_at, j.absolute_at); });
      });
  }

  function tick() {
    if (ended || checking) { return; }
    var left = end() - Date.now();
    if (left > warn || (dismissed && left > 0)) { return; }
    checking = true; // another tab may have extended the session: ask before warning
    status().catch(function () {}).then(function () {
      checking = false;
      var left = end() - Date.now();
      if (left <= 0) { show('ended'); } else if (left <= warn && !dismissed) {
        show(state.idleEnd <= state.absoluteEnd ? 'idle' : 'absolute');
      }
    });
  }

  load(Number(notice.getAttribute('data-idle-in')), Number(notice.getAttribute('data-absolute-in')),
    notice.getAttribute('data-idle-at'), notice.getAttribute('data-absolute-at'));
  window.setInterval(tick, 1000);

  extend.addEventListener('click', function () {
    fetch('/area-riservata/sessione', {
      method: 'POST', credentials: 'same-origin',
      headers: { Accept: 'application/json', 'X-CSRF-Token': csrf ? csrf.value : '' }
    }).then(function (r) {
      if (!r.ok) { throw new Error('session ended'); }
      return r.json();
    }).then(function (j) {
      load(j.idle_in, j.absolute_in, j.idle_at, j.absolute_at);
      dialog.close();
    }).catch(function () { show('ended'); });
  });
  dismiss.addEventListener('click', function () { dismissed = true; dialog.close(); });
  dialog.addEventListener('cancel', function () { dismissed = true; });
})();

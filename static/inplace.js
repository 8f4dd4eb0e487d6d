// Favorites, hidden threads and edits in place, as votes are (vote.js). Progressive enhancement
// only: without this script [favorite] and [hide] lead to a small confirmation form (/fave,
// /hide) and [edit] to the edit page. Nothing is done post by post at load: #viewer says what
// this reader keeps, the thread's own links and the page's own post are marked (a constant few),
// and a post reached later is drawn with its state by vote.js (forumPosts.faved).
(() => {
  'use strict';

  const viewer = document.getElementById('viewer');
  if (!viewer) return;  // not logged in: the links lead to the log-in page
  const { faved, say } = window.forumPosts;
  const data = viewer.dataset;
  const path = (url) => new URL(url, location.href).pathname;
  const kinds = { [path(data.faveUrl)]: 'fave', [path(data.hideUrl)]: 'hide' };
  const editPath = path(data.editUrl);
  const LABELS = { fave: ['favorite', 'un-favorite'], hide: ['hide', 'un-hide'] };

  function csrfToken() {
    const field = document.querySelector('input[name=csrfmiddlewaretoken]');
    return field ? field.value : '';
  }

  function post(url, body) {
    return fetch(url, {
      method: 'POST',
      headers: { 'X-CSRFToken': csrfToken(), Accept: 'application/json' },
      credentials: 'same-origin',
      body,
    });
  }

  // --- [favorite] / [un-favorite], [hide] / [un-hide]

  function drawKept(a, kind, kept) {
    const url = new URL(a.href, location.href);
    if (kept) url.searchParams.set('un', 't');
    else url.searchParams.delete('un');
    a.href = url.pathname + url.search;
    a.textContent = LABELS[kind][kept ? 1 : 0];
  }

  function markLinks(box) {
    box.querySelectorAll('a[href]').forEach((a) => {
      const kind = kinds[path(a.href)];
      const id = Number(new URL(a.href, location.href).searchParams.get('id'));
      if (kind === 'fave' && faved.has(id)) drawKept(a, kind, true);
      if (kind === 'hide' && data.hidden === '1') drawKept(a, kind, true);
    });
  }

  // The thread's own links and a comment page's post: what comes before the page's posts.
  function markOnLoad() {
    const main = document.querySelector('main');
    for (const el of main ? main.children : []) {
      if (el.matches('section.op')) markLinks(el);
      if (el.matches('article')) {
        const acts = el.querySelector(':scope > .acts');
        if (acts) markLinks(acts);
        break;
      }
    }
  }

  async function keep(a, kind) {
    const response = await post(a.href);
    // A session that ended is sent to log in: follow the link itself, as without JavaScript.
    if (response.redirected) { location.href = a.href; return; }
    const answer = await response.json().catch(() => ({ error: 'That did not go through.' }));
    if (!response.ok) { say(a, answer.error); return; }
    if (kind === 'fave') {
      if (answer.kept) faved.add(answer.id);
      else faved.delete(answer.id);
    }
    const note = a.nextElementSibling;
    if (note && note.classList.contains('vote-error')) note.remove();
    drawKept(a, kind, answer.kept);
  }

  // --- [edit]: the post's text turns into its form where it stands

  function textOf(target) {
    if (target.matches('article')) {
      return [...target.children].filter((el) => el.matches('p, pre'));
    }
    const text = target.querySelector(':scope > .text');
    return text ? [text] : [];
  }

  function element(tag, props) {
    return Object.assign(document.createElement(tag), props);
  }

  function editForm(target, url, answer) {
    const form = element('form', { className: 'stack edit-in-place', method: 'post', action: url });
    const box = element('textarea', { name: 'text', rows: 6, id: `edit-${answer.id}` });
    box.value = answer.text;
    const label = element('label', { htmlFor: box.id, textContent: 'Text' });
    const field = element('div');
    field.append(label, box);
    const left = element('p', { className: 'help time-left', textContent: answer.left });
    const error = element('p', { className: 'error', hidden: true });
    error.setAttribute('role', 'alert');
    const save = element('button', { type: 'submit', textContent: 'update' });
    const cancel = element('button', { type: 'button', textContent: 'cancel' });
    const buttons = element('div', { className: 'buttons' });
    buttons.append(save, ' ', cancel);
    form.append(field, left, error, buttons);
    return { form, box, error, save, cancel };
  }

  function markEdited(target) {
    const time = target.querySelector(':scope > time, :scope > .meta > time');
    if (!time || (time.nextElementSibling && time.nextElementSibling.matches('.edited'))) return;
    time.after(' ', element('span', { className: 'edited', textContent: '(edited)' }));
  }

  function showSaved(target, shown, form, html) {
    const fresh = element('template');
    fresh.innerHTML = html;  // the forum's own rendering: no tag the author typed
    if (target.matches('article')) {
      form.before(fresh.content);
      shown.forEach((el) => el.remove());
    } else {
      const text = shown[0] || element('div', { className: 'text' });
      text.replaceChildren(fresh.content);
      text.hidden = false;
      if (!text.isConnected) form.before(text);
    }
    form.remove();
    markEdited(target);
  }

  async function edit(link) {
    const url = link.href;
    const target = document.getElementById(new URL(url).searchParams.get('id'));
    if (!target) { location.href = url; return; }
    const open = target.querySelector(':scope > form.edit-in-place');
    if (open) { open.querySelector('textarea').focus(); return; }
    const response = await fetch(url, {
      headers: { Accept: 'application/json' }, credentials: 'same-origin',
    });
    // Refused (the two hours are over) or logged out: the edit page says why.
    if (response.redirected || !response.ok) { location.href = url; return; }
    const answer = await response.json();
    const shown = textOf(target);
    const parts = editForm(target, url, answer);
    const { form, box, error, save, cancel } = parts;
    const at = shown[0] || target.querySelector(':scope > .replies');
    if (at) at.before(form);
    else target.append(form);
    shown.forEach((el) => { el.hidden = true; });
    cancel.addEventListener('click', () => {
      form.remove();
      shown.forEach((el) => { el.hidden = false; });
      link.focus();
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      save.disabled = true;
      try {
        const saved = await post(url, new URLSearchParams({ text: box.value }));
        if (saved.redirected) { location.href = url; return; }
        const result = await saved.json().catch(() => ({ error: 'The edit did not go through.' }));
        if (!saved.ok) { error.textContent = result.error; error.hidden = false; return; }
        showSaved(target, shown, form, result.html);
        link.focus();
      } catch (e) {
        error.textContent = 'The edit did not go through.';
        error.hidden = false;
      } finally {
        save.disabled = false;
      }
    });
    box.focus();
  }

  document.addEventListener('click', (event) => {
    const a = event.target instanceof Element && event.target.closest('main a[href]');
    if (!a || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    const where = path(a.href);
    if (kinds[where]) {
      event.preventDefault();
      keep(a, kinds[where]).catch(() => say(a, 'That did not go through.'));
    } else if (where === editPath) {
      event.preventDefault();
      edit(a).catch(() => { location.href = a.href; });
    }
  });

  markOnLoad();
})();

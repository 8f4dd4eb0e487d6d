// Vote arrows without a reload. Progressive enhancement only: without this script every
// arrow is a link to a small confirmation form that votes with a plain POST.
// The post HTML is the same for every reader; #viewer says what this reader has done,
// and the [flag] links of their own posts and of posts they flagged are taken away, and
// [edit] and [delete] added to their own posts while they may still edit or delete them.
(() => {
  'use strict';

  const viewer = document.getElementById('viewer');
  if (!viewer) return;  // not logged in: the links lead to the log-in page

  const pairs = (text) => new Map(
    text.split(' ').filter(Boolean).map((pair) => pair.split(':').map(Number)));
  const voted = pairs(viewer.dataset.voted || '');
  const own = pairs(viewer.dataset.own || '');
  const mayDownvote = viewer.dataset.downvotes === '1';
  const ids = (text) => new Set((text || '').split(' ').filter(Boolean).map(Number));
  const flagged = ids(viewer.dataset.flagged);
  const editable = ids(viewer.dataset.editable);
  const deletable = ids(viewer.dataset.deletable);

  function action(head, name, url) {
    // A post's own page offers it in its bar already.
    if (document.querySelector(`nav.tools a[href="${url}"]`)) return;
    const span = document.createElement('span');
    span.className = name;
    const a = document.createElement('a');
    a.href = url;
    a.textContent = name;
    span.append(' [', a, ']');
    head.append(span);
  }

  function csrfToken() {
    const field = document.querySelector('input[name=csrfmiddlewaretoken]');
    return field ? field.value : '';
  }

  function link(className, how, id, text, label) {
    const a = document.createElement('a');
    a.className = className;
    a.href = `${document.body.dataset.voteUrl}${id}&how=${how}`;
    a.rel = 'nofollow';
    a.textContent = text;
    if (label) { a.title = label; a.setAttribute('aria-label', label); }
    return a;
  }

  function points(n) {
    const span = document.createElement('span');
    span.className = 'points';
    span.textContent = `${n} point${Math.abs(n) === 1 ? '' : 's'}`;
    return span;
  }

  // Draws one post's arrows for its state: own post, voted (vote: +1/-1) or not yet (0).
  function draw(box, vote) {
    const id = Number(box.dataset.id);
    const isPost = box.closest('article.post') !== null;
    const hadDown = box.dataset.down !== undefined ? box.dataset.down === '1'
      : box.querySelector('a.vote.down') !== null;
    box.dataset.down = hadDown ? '1' : '0';
    box.replaceChildren();
    if (own.has(id)) {
      if (isPost) box.append(points(own.get(id)));
      return;
    }
    if (vote) {
      box.append(link('unvote', 'un', id, vote > 0 ? 'unvote' : 'undown'));
      return;
    }
    box.append(link('vote up', 'up', id, '▲', 'vote up'));
    if (hadDown && mayDownvote) box.append(link('vote down', 'down', id, '▼', 'vote down'));
  }

  function say(box, message) {
    let note = box.nextElementSibling;
    if (!note || !note.classList.contains('vote-error')) {
      note = document.createElement('span');
      note.className = 'vote-error';
      note.setAttribute('role', 'alert');
      box.after(note);
    }
    note.textContent = ` ${message}`;
  }

  async function send(anchor) {
    const box = anchor.closest('.votes');
    const response = await fetch(anchor.href, {
      method: 'POST',
      headers: { 'X-CSRFToken': csrfToken(), Accept: 'application/json' },
      credentials: 'same-origin',
    });
    // A session that ended is sent to log in: follow the link itself, as without JavaScript.
    if (response.redirected) { location.href = anchor.href; return; }
    const answer = await response.json().catch(() => ({ error: 'The vote did not go through.' }));
    if (!response.ok) { say(box, answer.error); return; }
    draw(box, answer.vote);
    document.querySelectorAll(`[data-points-for="${answer.id}"]`).forEach((el) => {
      el.textContent = `${answer.points} point${answer.points === 1 ? '' : 's'}`;
    });
  }

  document.querySelectorAll('.votes[data-id]').forEach((box) => {
    draw(box, voted.get(Number(box.dataset.id)) || 0);
  });

  document.querySelectorAll('article.post').forEach((post) => {
    const id = Number(post.id);
    const flag = post.querySelector(':scope > .head > .flag');
    if (flag && (own.has(id) || flagged.has(id))) flag.remove();
    const head = post.querySelector(':scope > .head');
    if (head && editable.has(id)) action(head, 'edit', viewer.dataset.editUrl + id);
    if (head && deletable.has(id)) action(head, 'delete', viewer.dataset.deleteUrl + id);
  });

  // Staff get a [moderate] link to each post's page in the admin.
  const moderateUrl = viewer.dataset.staff === '1' ? viewer.dataset.moderateUrl : '';
  if (moderateUrl) {
    document.querySelectorAll('article.post > .head').forEach((head) => {
      const a = document.createElement('a');
      a.className = 'moderate';
      a.href = `${moderateUrl}${head.parentElement.id}/change/`;
      a.textContent = 'moderate';
      head.append(' [', a, ']');
    });
  }

  document.addEventListener('click', (event) => {
    const anchor = event.target instanceof Element && event.target.closest('.votes a');
    if (!anchor || event.button !== 0 || event.metaKey || event.ctrlKey) return;
    event.preventDefault();
    send(anchor).catch(() => say(anchor.closest('.votes'), 'The vote did not go through.'));
  });
})();

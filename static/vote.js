// Vote arrows without a reload, and the actions of a post. Progressive enhancement only: without
// this script every arrow is a link to a small confirmation form that votes with a plain POST,
// and every action of a post is on its own page, which its name links to.
// The post HTML is the same for every reader and small: ▲, [view] and [source]. When a reader
// reaches a post (the pointer over it, the focus in it) its other actions are added as this
// reader may use them: ▼, the author, [reply], [flag] (not on their own posts nor on posts they
// flagged), [favorite], [discussion], and [edit], [delete] and [moderate] where they may.
// Nothing is done post by post at load: #viewer says what this reader has done, and one style
// rule per post of theirs or voted on hides what is not for them until the post is reached.
(() => {
  'use strict';

  const urls = document.getElementById('post-links');
  const viewer = document.getElementById('viewer');
  const data = viewer ? viewer.dataset : {};
  const pairs = (text) => new Map(
    (text || '').split(' ').filter(Boolean).map((pair) => pair.split(':').map(Number)));
  const ids = (text) => new Set((text || '').split(' ').filter(Boolean).map(Number));
  const voted = pairs(data.voted);
  const own = pairs(data.own);
  const mayDownvote = data.downvotes === '1';
  const flagged = ids(data.flagged);
  const editable = ids(data.editable);
  const deletable = ids(data.deletable);
  const moderateUrl = data.staff === '1' ? data.moderateUrl : '';

  function hideWhatIsNotForThisReader() {
    const post = (id) => `main [id="${id}"]`;
    const used = [...voted.keys(), ...own.keys()].map((id) => `${post(id)} > a.vote`);
    const noFlag = [...own.keys(), ...flagged].map((id) => `${post(id)} .flag`);
    const rules = [];
    if (used.length) rules.push(`${used.join(',')}{visibility:hidden}`);
    if (noFlag.length) rules.push(`${noFlag.join(',')}{display:none}`);
    if (!rules.length) return;
    // A style sheet made through the CSSOM: the CSP refuses <style> elements.
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(rules.join('\n'));
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
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
    if (label) a.setAttribute('aria-label', label);
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

  // A post's own page shows every action it offers (its .acts are in the HTML), and only
  // the arrows offered there; a shared page shows ▲ alone, ▼ being for readers with karma.
  function drawPostVotes(post) {
    const arrows = post.querySelectorAll(':scope > a.vote');
    if (!arrows.length) return;
    const box = document.createElement('span');
    box.className = 'votes';
    box.dataset.id = post.id;
    const full = post.querySelector(':scope > .acts') !== null;
    box.dataset.down = !full || arrows.length > 1 ? '1' : '0';
    arrows[0].before(box);
    draw(box, voted.get(Number(post.id)) || 0);
    // Reached by the keyboard, an arrow has the focus: it stays on what replaces it.
    const focused = Array.from(arrows).find((arrow) => arrow === document.activeElement);
    arrows.forEach((arrow) => arrow.remove());
    if (focused) {
      const same = focused.classList.contains('down') ? 'a.down' : 'a';
      (box.querySelector(same) || post.querySelector(':scope > a.name')).focus();
    }
  }

  // The actions follow the post's time, in the span forum.js puts its links in too.
  const { actsOf, faved, onReach, say } = window.forumPosts;

  function bracketed(className, url, text) {
    const a = document.createElement('a');
    if (className) a.className = className;
    a.href = url;
    a.textContent = text;
    return [' [', a, ']'];
  }

  function sharedActions(post, id, gone) {
    const to = urls.dataset;
    // The author's full name: zlacker's 6-letter names can be shared.
    const author = document.createElement('a');
    author.className = 'author';
    author.href = to.user + encodeURIComponent(post.dataset.by);
    author.textContent = post.dataset.by;
    const nodes = [' by ', author];
    if (!gone) {
      if (to.reply) nodes.push(...bracketed('reply', to.reply + id, 'reply'));
      if (!own.has(id) && !flagged.has(id)) {
        const flag = document.createElement('span');
        flag.className = 'flag';
        flag.append(...bracketed('', to.flag + id, 'flag'));
        nodes.push(' ', flag);
      }
      const fave = faved.has(id);
      nodes.push(...bracketed('fave', `${to.fave}${id}${fave ? '&un=t' : ''}`,
        fave ? 'un-favorite' : 'favorite'));
    }
    if (to.discussion) nodes.push(...bracketed('', to.discussion + id, 'discussion'));
    return nodes;
  }

  function readersActions(id) {
    const nodes = [];
    // A post's own page offers edit and delete in its bar already.
    const bar = (url) => document.querySelector(`nav.tools a[href="${url}"]`);
    const edit = data.editUrl + id;
    const remove = data.deleteUrl + id;
    if (editable.has(id) && !bar(edit)) nodes.push(...bracketed('edit', edit, 'edit'));
    if (deletable.has(id) && !bar(remove)) nodes.push(...bracketed('delete', remove, 'delete'));
    if (moderateUrl) nodes.push(...bracketed('moderate', `${moderateUrl}${id}/change/`, 'moderate'));
    return nodes;
  }

  const reached = new WeakSet();

  function reach(post) {
    if (reached.has(post) || post.dataset.depth === undefined || !post.id) return;
    reached.add(post);
    const id = Number(post.id);
    const gone = post.classList.contains('gone');
    if (viewer && !gone) drawPostVotes(post);
    const full = post.querySelector(':scope > .acts') !== null;
    const nodes = [...(full || !urls ? [] : sharedActions(post, id, gone)),
      ...(viewer ? readersActions(id) : [])];
    if (!nodes.length) return;
    const acts = actsOf(post);
    acts.insertBefore(wrap(nodes), acts.querySelector(':scope > .relatives, :scope > .fold'));
  }

  function wrap(nodes) {
    const fragment = document.createDocumentFragment();
    fragment.append(...nodes);
    return fragment;
  }

  function reachFrom(target) {
    const post = target instanceof Element && target.closest('main article.post');
    if (post) reach(post);
  }

  async function send(url, box) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'X-CSRFToken': csrfToken(), Accept: 'application/json' },
      credentials: 'same-origin',
    });
    // A session that ended is sent to log in: follow the link itself, as without JavaScript.
    if (response.redirected) { location.href = url; return; }
    const answer = await response.json().catch(() => ({ error: 'The vote did not go through.' }));
    if (!response.ok) { say(box, answer.error); return; }
    draw(box, answer.vote);
    document.querySelectorAll(`[data-points-for="${answer.id}"]`).forEach((el) => {
      el.textContent = `${answer.points} point${answer.points === 1 ? '' : 's'}`;
    });
  }

  // The boxes above the posts: the thread's own arrow, the front page's.
  function drawBoxesBeforePosts() {
    const main = document.querySelector('main');
    for (const el of main ? main.children : []) {
      if (el.matches('article')) break;
      el.querySelectorAll('.votes[data-id]').forEach((box) => {
        draw(box, voted.get(Number(box.dataset.id)) || 0);
      });
    }
  }

  onReach(reachFrom);
  if (!viewer) return;  // not logged in: the arrows lead to the log-in page
  hideWhatIsNotForThisReader();
  drawBoxesBeforePosts();

  document.addEventListener('click', (event) => {
    const anchor = event.target instanceof Element
      && event.target.closest('.votes a, article.post > a.vote');
    if (!anchor || event.button !== 0 || event.metaKey || event.ctrlKey) return;
    event.preventDefault();
    const post = anchor.closest('main article.post');
    if (post) reach(post);
    const box = anchor.closest('.votes') || (post && post.querySelector(':scope > .votes'));
    if (!box) { location.href = anchor.href; return; }
    send(anchor.href, box).catch(() => say(box, 'The vote did not go through.'));
  });
})();

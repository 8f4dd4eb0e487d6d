// Theme switch, folding sub-conversations and keyboard keys. Progressive enhancement:
// without this script every page reads and works in full.
(() => {
  'use strict';

  const root = document.documentElement;
  const store = {
    get(key) { try { return localStorage.getItem(key); } catch (e) { return null; } },
    set(key, value) { try { localStorage.setItem(key, value); } catch (e) { /* private mode */ } },
  };

  // Theme: the remembered choice, else the system setting; the button flips it and remembers.
  const systemLight = window.matchMedia('(prefers-color-scheme: light)');
  const currentTheme = () => root.dataset.theme || (systemLight.matches ? 'light' : 'dark');

  function addThemeSwitch() {
    const header = document.querySelector('header.site');
    if (!header) return;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'theme-switch';
    const label = () => {
      const other = currentTheme() === 'dark' ? 'light' : 'dark';
      button.textContent = other + ' theme';
      button.setAttribute('aria-label', 'Switch to the ' + other + ' theme');
    };
    button.addEventListener('click', () => {
      const next = currentTheme() === 'dark' ? 'light' : 'dark';
      root.dataset.theme = next;
      store.set('theme', next);
      label();
    });
    systemLight.addEventListener('change', label);
    label();
    header.append(button);
  }

  // Folding: a post folds with all its replies to one line; the state is kept per post id.
  // Posts are siblings in the page's order, tree or time: who answers whom is read from each
  // post's links, its >>parent and its replies(N), never from where the posts stand.
  // Only what a reader acts on is touched: the remembered folds at load, one subtree on a click.
  const FOLDED_KEY = 'collapsed';
  const MAX_FOLDED = 1000;
  const isPost = (el) => el.matches('main article.post[data-depth]');
  const depthOf = (post) => Number(post.dataset.depth);
  const nameOf = (post) => post.querySelector(':scope > a.name').textContent;
  let folded = new Set((() => {
    try { return JSON.parse(store.get(FOLDED_KEY) || '[]').map(String); } catch (e) { return []; }
  })());

  // The post (or the opening post's section) an in-page link leads to; null for another page.
  function linked(link) {
    const href = link && link.getAttribute('href');
    if (!href || href[0] !== '#') return null;
    try { return document.getElementById(decodeURIComponent(href.slice(1))); } catch (e) {
      return null;
    }
  }

  const parentOf = (post) => linked(post.querySelector(':scope > a.parent'));

  // A post's direct replies on this page, in the order its replies(N) names them.
  function repliesOf(post) {
    const list = post.querySelector(':scope > .replies');
    if (!list) return [];
    return Array.from(list.querySelectorAll(':scope > a.ref'), linked)
      .filter((el) => el && isPost(el));
  }

  // Every post below this one, each before its own replies, wherever they stand on the page.
  function* subtree(post) {
    const stack = repliesOf(post).reverse();
    while (stack.length) {
      const el = stack.pop();
      yield el;
      stack.push(...repliesOf(el).reverse());
    }
  }

  // The post a link leads to (the #anchor, or the post an /item or /discussion page is about)
  // and its parents stay open whatever folds are remembered: the reader came to read it.
  function chainTo(id) {
    const target = id && document.getElementById(id);
    if (!target || !isPost(target)) return [];
    const chain = [target];
    const seen = new Set(chain);
    for (let post = parentOf(target); post && isPost(post) && !seen.has(post);
      post = parentOf(post)) {
      chain.push(post);
      seen.add(post);
    }
    return chain;
  }

  function linkTarget() {
    let id = '';
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { /* a malformed hash */ }
    return id;
  }

  // The fold button and, while folded, how many posts it hides: in the post's .acts, made when
  // the reader reaches the post or when it is folded.
  function drawFold(post) {
    const acts = actsOf(post);
    let button = acts.querySelector(':scope > button.fold');
    if (!button) {
      button = document.createElement('button');
      button.type = 'button';
      button.className = 'fold';
      const count = document.createElement('span');
      count.className = 'hidden-count';
      acts.append(' ', button, count);
    }
    const closed = post.classList.contains('collapsed');
    const count = button.nextElementSibling;
    let size = 1;
    for (const _ of subtree(post)) size += 1;  // a walk over this post's replies alone
    button.textContent = closed ? `[+${size}]` : '[\u2013]';
    button.setAttribute('aria-expanded', String(!closed));
    button.setAttribute('aria-label', (closed ? 'Unfold ' : 'Fold ') + nameOf(post)
      + (size > 1 ? ` and its ${size - 1} ${size === 2 ? 'reply' : 'replies'}` : ''));
    count.textContent = closed ? `${size} ${size === 1 ? 'post' : 'posts'} hidden` : '';
  }

  function fold(post) {
    post.classList.add('collapsed');
    for (const el of subtree(post)) el.classList.add('folded-away');
    drawFold(post);
  }

  // Shows the subtree again, but for what folded posts inside it still hide.
  function unfold(post) {
    post.classList.remove('collapsed');
    const stack = repliesOf(post).reverse().map((el) => [el, false]);
    while (stack.length) {
      const [el, hidden] = stack.pop();
      el.classList.toggle('folded-away', hidden);
      const hides = hidden || el.classList.contains('collapsed');
      repliesOf(el).reverse().forEach((reply) => stack.push([reply, hides]));
    }
    drawFold(post);
  }

  function remember() {
    const kept = Array.from(folded).slice(-MAX_FOLDED);
    folded = new Set(kept);
    store.set(FOLDED_KEY, JSON.stringify(kept));
  }

  function toggle(post) {
    if (post.classList.contains('collapsed')) {
      folded.delete(post.id);
      unfold(post);
    } else {
      folded.add(post.id);
      fold(post);
    }
    remember();
  }

  function restoreFolds() {
    const open = new Set([...chainTo(linkTarget()),
      ...chainTo(new URLSearchParams(location.search).get('id'))]);
    folded.forEach((id) => {
      const post = document.getElementById(id);
      if (!post || !isPost(post) || open.has(post)) return;
      // Inside a fold already: its own subtree is hidden with it.
      if (post.classList.contains('folded-away')) {
        post.classList.add('collapsed');
        drawFold(post);
      } else fold(post);
    });
    return open;
  }

  // Opens the folds above and at the post a link leads to (they stay remembered).
  function openTo(id) {
    const chain = chainTo(id);
    chain.reverse().filter((post) => post.classList.contains('collapsed')).forEach(unfold);
    return chain[chain.length - 1] || null;
  }

  function startFolds() {
    restoreFolds();
    const anchored = chainTo(linkTarget())[0];
    const pagePost = chainTo(new URLSearchParams(location.search).get('id'))[0];
    // An /item page's own post is on top already; a discussion's is at the end of the chain.
    if (anchored) anchored.scrollIntoView();
    else if (pagePost && !location.hash
      && pagePost.getBoundingClientRect().top > window.innerHeight / 2) pagePost.scrollIntoView();
    window.addEventListener('hashchange', () => {
      const target = openTo(linkTarget());
      if (target) target.scrollIntoView();
    });
    document.addEventListener('click', (e) => {
      const button = e.target instanceof Element && e.target.closest('main article.post button.fold');
      if (button) toggle(button.closest('article.post'));
    });
  }

  // Keys: j/k next/previous post, p parent, r reply, c fold, ? the list of keys.
  let current = null;
  const isShown = (el) => el.matches('main article.post, main section.op')
    && !el.classList.contains('folded-away');

  function select(post) {
    if (!post) return;
    if (current) current.classList.remove('current');
    current = post;
    post.classList.add('current');
    if (!post.hasAttribute('tabindex')) post.setAttribute('tabindex', '-1');
    post.focus({ preventScroll: true });
    post.scrollIntoView({ block: 'nearest' });
  }

  // Walks from the current post to the next shown one: as far as the folds ask, no further.
  function step(by) {
    const target = document.querySelector(':target');
    if (!current && target && isShown(target)) current = target;
    const next = by > 0 ? 'nextElementSibling' : 'previousElementSibling';
    if (!current || !current.isConnected) {
      const main = document.querySelector('main');
      let el = by > 0 ? main.firstElementChild : main.lastElementChild;
      while (el && !isShown(el)) el = el[next];
      select(el);
      return;
    }
    let el = current[next];
    while (el && !isShown(el)) el = el[next];
    if (el) select(el);
  }

  const idOfLink = (link) => {
    const url = new URL(link.href, location.href);
    return url.hash ? decodeURIComponent(url.hash.slice(1)) : url.searchParams.get('id');
  };

  function toParent() {
    const link = current && current.querySelector(':scope > a.parent');
    if (!link) return;
    const parent = document.getElementById(idOfLink(link));
    if (parent && !parent.classList.contains('folded-away')) select(parent);
    else if (!parent) location.href = link.href;
  }

  let help = null;
  function showHelp() {
    if (!help) {
      help = document.createElement('dialog');
      help.className = 'keys';
      help.setAttribute('aria-labelledby', 'keys-title');
      const keys = [['j', 'next post'], ['k', 'previous post'], ['p', 'parent post'],
        ['r', 'reply to the post'], ['c', 'fold or unfold the post and its replies'],
        ['?', 'this list'], ['Esc', 'close it']];
      const title = document.createElement('h2');
      title.id = 'keys-title';
      title.textContent = 'Keyboard keys';
      const list = document.createElement('dl');
      keys.forEach(([key, what]) => {
        const dt = document.createElement('dt');
        const kbd = document.createElement('kbd');
        kbd.textContent = key;
        dt.append(kbd);
        const dd = document.createElement('dd');
        dd.textContent = what;
        list.append(dt, dd);
      });
      const close = document.createElement('button');
      close.type = 'button';
      close.textContent = 'close';
      close.addEventListener('click', () => help.close());
      help.append(title, list, close);
      document.body.append(help);
    }
    if (!help.open) help.showModal();
  }

  // A form for the post already on the page (the thread's "add comment", a comment page's
  // reply) is used in place; otherwise the reply page, whose text box takes the focus. Only
  // a post the page offers a [reply] link for is answered (vote.js adds it when the post is
  // reached, as select's focus does): not a hidden one, nor in a locked thread.
  function replyToCurrent() {
    if (!current) return;
    const parent = document.querySelector(
      `.reply-form input[name=parent][value="${CSS.escape(current.id)}"]`);
    const box = parent && parent.form.querySelector('textarea');
    if (box) { box.focus(); return; }
    const link = current.matches('section.op')
      ? document.querySelector('.reply-form a.reply')
      : current.querySelector(':scope > .acts a.reply');
    if (link) location.href = link.href;
  }

  const typing = (target) => target instanceof Element
    && target.closest('input, textarea, select, [contenteditable]') !== null;

  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    if (help && help.open) return;
    const actions = {
      j: () => step(1),
      k: () => step(-1),
      p: toParent,
      r: replyToCurrent,
      c: () => { if (current && current.matches('article.post')) toggle(current); },
      '?': showHelp,
    };
    const action = actions[e.key];
    if (!action) return;
    e.preventDefault();
    action();
  });

  // Times are UTC; hovering or focusing one (or its post) tells how long ago it was. Worked
  // out then, for that one time, so a page of thousands of posts costs nothing at load.
  const AGO_UNITS = [['year', 31536000], ['month', 2592000], ['day', 86400], ['hour', 3600],
    ['minute', 60]];
  const relative = new Intl.RelativeTimeFormat('en', { numeric: 'always' });

  function ago(date) {
    const seconds = (Date.now() - date.getTime()) / 1000;
    const [unit, size] = AGO_UNITS.find(([, length]) => Math.abs(seconds) >= length)
      || ['second', 1];
    return relative.format(-Math.trunc(seconds / size), unit);
  }

  function explainTime(time) {
    // A post's time is its text alone (UTC), the thread's has a datetime.
    const date = time && new Date(time.getAttribute('datetime')
      || `${time.textContent.trim().replace(' ', 'T')}Z`);
    if (!date || Number.isNaN(date.getTime())) return;
    time.title = time.textContent.trim() + ' UTC (' + ago(date) + ')';
  }

  // HN's parent | prev | next | root links, added to a post when the reader first reaches
  // it: the shared post HTML stays as small as it is. Each leads to a post on this page: its
  // siblings are its parent's other replies, its root the reply to the opening post above it.
  function relatives(post) {
    const up = post.querySelector(':scope > a.parent');
    const found = { parent: up && up.getAttribute('href') };
    const anchor = (el) => '#' + el.id;
    const parent = parentOf(post);
    if (!parent) return found;
    const siblings = repliesOf(parent);
    const at = siblings.indexOf(post);
    if (at > 0) found.prev = anchor(siblings[at - 1]);
    if (at >= 0 && at < siblings.length - 1) found.next = anchor(siblings[at + 1]);
    const root = chainTo(parent.id).pop() || parent;
    if (isPost(root) && depthOf(root) === 1) found.root = anchor(root);
    return found;
  }

  // A post's actions follow its time (vote.js adds them there); these links come after them.
  const { actsOf, onReach } = window.forumPosts;

  function addRelativeLinks(post) {
    const acts = actsOf(post);
    if (acts.querySelector(':scope > .relatives')) return;
    const found = relatives(post);
    const nav = document.createElement('span');
    nav.className = 'relatives';
    ['parent', 'prev', 'next', 'root'].filter((which) => found[which]).forEach((which) => {
      const link = document.createElement('a');
      link.href = found[which];
      link.textContent = which;
      nav.append(' | ', link);
    });
    if (nav.childElementCount) acts.insertBefore(nav, acts.querySelector(':scope > .fold'));
  }

  const reached = new WeakSet();

  function reachFrom(target) {
    if (!(target instanceof Element)) return;
    explainTime(target.closest('time'));
    const post = target.closest('article.post, section.op');
    if (!post) return;
    explainTime(post.querySelector('time'));
    if (!isPost(post) || reached.has(post)) return;
    reached.add(post);
    addRelativeLinks(post);
    if (!post.querySelector(':scope > .acts > .fold')) drawFold(post);
  }

  onReach(reachFrom);

  addThemeSwitch();
  startFolds();
})();

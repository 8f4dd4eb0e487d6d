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
  const FOLDED_KEY = 'collapsed';
  const MAX_FOLDED = 1000;
  const posts = () => Array.from(document.querySelectorAll('main article.post'));
  const depthOf = (post) => Number(post.dataset.depth);
  const nameOf = (post) => post.querySelector('.head a.name').textContent;
  let folded = new Set((() => {
    try { return JSON.parse(store.get(FOLDED_KEY) || '[]').map(String); } catch (e) { return []; }
  })());
  // The post a link leads to (the #anchor, or the post an /item or /discussion page is about)
  // and its parents stay open whatever folds are remembered: the reader came to read it.
  const opened = new Set();
  const isFolded = (post) => folded.has(post.id) && !opened.has(post.id);

  function openTo(id) {
    const target = id && document.getElementById(id);
    if (!target || !target.matches('main article.post')) return null;
    let depth = depthOf(target);
    opened.add(target.id);
    for (let post = target.previousElementSibling; post && depth > 1;
      post = post.previousElementSibling) {
      if (post.matches('article.post') && depthOf(post) < depth) {
        opened.add(post.id);
        depth = depthOf(post);
      }
    }
    return target;
  }

  function linkTarget() {
    let id = '';
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { /* a malformed hash */ }
    return id;
  }

  function subtreeSize(all, index) {
    let end = index + 1;
    while (end < all.length && depthOf(all[end]) > depthOf(all[index])) end += 1;
    return end - index;
  }

  function render() {
    const all = posts();
    let hideDeeperThan = Infinity;
    all.forEach((post, index) => {
      const depth = depthOf(post);
      const hidden = depth > hideDeeperThan;
      if (!hidden) hideDeeperThan = Infinity;
      post.classList.toggle('folded-away', hidden);
      const closed = isFolded(post);
      post.classList.toggle('collapsed', closed);
      if (closed && !hidden) hideDeeperThan = depth;
      const button = post.querySelector(':scope > .head > button.fold');
      const count = post.querySelector(':scope > .head > .hidden-count');
      if (!button) return;
      const size = subtreeSize(all, index);
      button.textContent = closed ? '[+' + size + ']' : '[\u2013]';
      button.setAttribute('aria-expanded', String(!closed));
      button.setAttribute('aria-label', (closed ? 'Unfold ' : 'Fold ') + nameOf(post)
        + (size > 1 ? ' and its ' + (size - 1) + (size === 2 ? ' reply' : ' replies') : ''));
      count.textContent = closed ? size + (size === 1 ? ' post' : ' posts') + ' hidden' : '';
    });
  }

  function toggle(post) {
    if (isFolded(post)) folded.delete(post.id); else folded.add(post.id);
    opened.delete(post.id);
    const kept = Array.from(folded).slice(-MAX_FOLDED);
    folded = new Set(kept);
    store.set(FOLDED_KEY, JSON.stringify(kept));
    render();
  }

  function addFoldButtons() {
    posts().forEach((post) => {
      const head = post.querySelector(':scope > .head');
      if (!head) return;
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'fold';
      button.addEventListener('click', () => toggle(post));
      const count = document.createElement('span');
      count.className = 'hidden-count';
      head.prepend(button, ' ');
      head.append(count);
    });
    const anchored = openTo(linkTarget());
    const pagePost = openTo(new URLSearchParams(location.search).get('id'));
    render();
    // An /item page's own post is on top already; a discussion's is at the end of the chain.
    if (anchored) anchored.scrollIntoView();
    else if (pagePost && !location.hash
      && pagePost.getBoundingClientRect().top > window.innerHeight / 2) pagePost.scrollIntoView();
    window.addEventListener('hashchange', () => {
      const target = openTo(linkTarget());
      if (!target) return;
      render();
      target.scrollIntoView();
    });
  }

  // Keys: j/k next/previous post, p parent, r reply, c fold, ? the list of keys.
  let current = null;

  function visiblePosts() {
    return Array.from(document.querySelectorAll('main article.post, main section.op'))
      .filter((post) => !post.classList.contains('folded-away'));
  }

  function select(post) {
    if (!post) return;
    if (current) current.classList.remove('current');
    current = post;
    post.classList.add('current');
    if (!post.hasAttribute('tabindex')) post.setAttribute('tabindex', '-1');
    post.focus({ preventScroll: true });
    post.scrollIntoView({ block: 'nearest' });
  }

  function step(by) {
    const list = visiblePosts();
    if (!list.length) return;
    const target = document.querySelector(':target');
    if (!current && target && list.includes(target)) current = target;
    const at = list.indexOf(current);
    if (at < 0) { select(by > 0 ? list[0] : list[list.length - 1]); return; }
    select(list[Math.max(0, Math.min(list.length - 1, at + by))]);
  }

  function toParent() {
    const link = current && current.querySelector(':scope > .parent a.ref');
    if (!link) return;
    const parent = document.getElementById(link.dataset.id);
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
  // a post the page offers a [reply] link for is answered: not a hidden one, nor in a locked
  // thread.
  function replyToCurrent() {
    if (!current) return;
    const parent = document.querySelector(
      `.reply-form input[name=parent][value="${CSS.escape(current.id)}"]`);
    const box = parent && parent.form.querySelector('textarea');
    if (box) { box.focus(); return; }
    const link = current.matches('section.op')
      ? document.querySelector('.reply-form a.reply')
      : current.querySelector(':scope > .head a.reply');
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
    const date = time && new Date(time.getAttribute('datetime'));
    if (!date || Number.isNaN(date.getTime())) return;
    time.title = time.textContent.trim() + ' UTC (' + ago(date) + ')';
  }

  // HN's parent | prev | next | root links, added to a post when the reader first reaches
  // it: the shared post HTML stays as small as it is. Each leads to a post on this page.
  function relatives(post) {
    const depth = depthOf(post);
    const up = post.querySelector(':scope > .parent a.ref');
    const found = { parent: up && up.getAttribute('href') };
    const anchor = (el) => '#' + el.id;
    let sibling = true;  // until the walk back passes the parent
    for (let el = post.previousElementSibling; el; el = el.previousElementSibling) {
      if (!el.matches('article.post')) continue;
      const d = depthOf(el);
      if (d === depth && sibling && !found.prev) found.prev = anchor(el);
      if (d < depth) sibling = false;
      if (d === 1 && depth > 1) found.root = anchor(el);
      if (d <= 1 || (depth === 1 && found.prev)) break;
    }
    for (let el = post.nextElementSibling; el; el = el.nextElementSibling) {
      if (!el.matches('article.post')) continue;
      const d = depthOf(el);
      if (d === depth) found.next = anchor(el);
      if (d <= depth) break;
    }
    return found;
  }

  function addRelativeLinks(post) {
    const head = post.querySelector(':scope > .head');
    if (!head || head.querySelector(':scope > .relatives')) return;
    const found = relatives(post);
    const nav = document.createElement('span');
    nav.className = 'relatives';
    ['parent', 'prev', 'next', 'root'].filter((which) => found[which]).forEach((which) => {
      const link = document.createElement('a');
      link.href = found[which];
      link.textContent = which;
      nav.append(' | ', link);
    });
    if (nav.childElementCount) head.insertBefore(nav, head.querySelector(':scope > .hidden-count'));
  }

  function onReach(e) {
    if (!(e.target instanceof Element)) return;
    explainTime(e.target.closest('time[datetime]'));
    const post = e.target.closest('article.post, section.op');
    if (!post) return;
    explainTime(post.querySelector('time[datetime]'));
    if (post.matches('main article.post')) addRelativeLinks(post);
  }

  document.addEventListener('pointerover', onReach);
  document.addEventListener('focusin', onReach);

  // A field with a length limit counts as you type: nothing is ever cut, the server refuses
  // a text too long and shows it again to shorten.
  function addCounters() {
    document.querySelectorAll('input[data-max-length]').forEach((field) => {
      const most = Number(field.dataset.maxLength);
      const counter = document.createElement('span');
      counter.className = 'counter';
      counter.setAttribute('aria-live', 'polite');
      const count = () => {
        const over = field.value.length > most;
        counter.textContent = over ? `${field.value.length}/${most}: too long`
          : `${field.value.length}/${most}`;
        counter.classList.toggle('over', over);
      };
      field.addEventListener('input', count);
      field.after(counter);
      count();
    });
  }

  addThemeSwitch();
  addFoldButtons();
  addCounters();
})();

// Hover / focus / long-press previews for >>ref links (a.ref). Progressive
// enhancement only: without this script every ref is still a plain link.
(() => {
  'use strict';

  const SHOW_DELAY = 150, HIDE_DELAY = 300, PRESS_DELAY = 500, MARGIN = 8;
  const cache = new Map();  // id -> Promise<Element> of posts fetched from /item
  const boxes = [];         // open previews: {el, body, link, parent, pinned}
  let showTimer = 0, hideTimer = 0, pressTimer = 0;
  let pointerNode = null;   // element under the mouse, for deciding what to keep
  let press = null;         // {link, x, y} while a press may become a long press
  let swallowClick = null;  // link whose click follows a long press

  const refOf = (n) => (n instanceof Element ? n.closest('a.ref') : null);
  const boxOf = (n) => {
    const el = n instanceof Element ? n.closest('.preview') : null;
    return el ? boxes.find((b) => b.el === el) || null : null;
  };
  const focusVisible = (el) => {
    try { return el.matches(':focus-visible'); } catch (e) { return true; }
  };

  function idOf(link) {
    if (link.dataset.id) return link.dataset.id;
    // A #anchor names a post of this page; else the link is to a post's own page (?id=).
    const url = new URL(link.href, location.href);
    return url.hash ? decodeURIComponent(url.hash.slice(1)) : url.searchParams.get('id');
  }

  function stripIds(el) {
    el.removeAttribute('id');
    el.querySelectorAll('[id]').forEach((n) => n.removeAttribute('id'));
    return el;
  }

  function load(id) {
    const here = document.getElementById(id);
    if (here && here.matches('.post, .op')) return Promise.resolve(stripIds(here.cloneNode(true)));
    if (!cache.has(id)) {
      const p = fetch(document.body.dataset.itemUrl + encodeURIComponent(id), {
        credentials: 'same-origin', headers: { Accept: 'text/html' },
      }).then((r) => {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.text();
      }).then((html) => {
        const el = new DOMParser().parseFromString(html, 'text/html').getElementById(id);
        if (!el) throw new Error('post not in page');
        // Numbered as its own page counts, not as this one does: shown without a number.
        const name = el.querySelector(':scope > a.name');
        const number = name && name.previousSibling;
        if (number && number.nodeType === Node.TEXT_NODE) {
          number.data = number.data.replace(/\d+\. $/, '');
        }
        return stripIds(el);
      });
      p.catch(() => cache.delete(id));  // let a later hover try again
      cache.set(id, p);
    }
    return cache.get(id).then((el) => document.importNode(el, true));
  }

  function place(box) {
    const { el, link } = box;
    const r = link.getBoundingClientRect();
    const vw = document.documentElement.clientWidth, vh = window.innerHeight;
    el.style.left = el.style.top = '0px';  // measure at full available width
    el.style.maxHeight = '';
    const below = vh - r.bottom - MARGIN * 2, above = r.top - MARGIN * 2;
    let h = el.offsetHeight;
    const up = h > below && above > below;
    if (h > (up ? above : below)) {
      h = Math.max(up ? above : below, 80);
      el.style.maxHeight = h + 'px';
    }
    const top = up ? r.top - MARGIN / 2 - h : r.bottom + MARGIN / 2;
    const left = Math.max(MARGIN, Math.min(r.left, vw - el.offsetWidth - MARGIN));
    el.style.left = left + window.scrollX + 'px';
    el.style.top = top + window.scrollY + 'px';
  }

  function setContent(box, node) {
    box.body.replaceChildren(node);
    place(box);
  }

  function status(text) {
    const p = document.createElement('p');
    p.className = 'status';
    p.textContent = text;
    return p;
  }

  function close(box) {
    const i = boxes.indexOf(box);
    if (i < 0) return;
    boxes.splice(i, 1);
    box.el.remove();
    boxes.filter((b) => b.parent === box).forEach(close);
  }

  function pin(box) {
    if (box.pinned) return;
    box.pinned = true;
    box.el.classList.add('pinned');
    const btn = document.createElement('button');
    btn.type = 'button';
    btn.className = 'close';
    btn.setAttribute('aria-label', 'Close preview');
    btn.textContent = '\u00d7';
    btn.addEventListener('click', () => close(box));
    box.el.prepend(btn);
    place(box);
  }

  function show(link, pinned) {
    let box = boxes.find((b) => b.link === link);
    if (!box) {
      const parent = boxOf(link);
      boxes.filter((b) => b.parent === parent && !b.pinned).forEach(close);
      const el = document.createElement('div');
      const body = document.createElement('div');
      el.className = 'preview';
      el.setAttribute('role', 'dialog');
      el.setAttribute('aria-label', 'Preview of ' + link.textContent.trim());
      el.append(body);
      box = { el, body, link, parent, pinned: false };
      boxes.push(box);
      document.body.append(el);
      setContent(box, status('loading\u2026'));
      load(idOf(link)).then(
        (post) => { if (el.isConnected) setContent(box, post); },
        () => { if (el.isConnected) setContent(box, status('could not load preview')); });
    }
    if (pinned) pin(box);
    return box;
  }

  // Close every unpinned preview that is not on the path to the pointer, the
  // keyboard focus, or a pinned preview.
  function trim() {
    const keep = new Set();
    const chain = (node) => {
      const link = refOf(node);
      let b = (link && boxes.find((x) => x.link === link)) || boxOf(node);
      for (; b; b = b.parent) keep.add(b);
    };
    chain(pointerNode);
    const f = document.activeElement;
    if (f && f !== document.body && focusVisible(f)) chain(f);
    boxes.forEach((b) => { if (b.pinned) chain(b.el); });
    boxes.slice().forEach((b) => { if (!keep.has(b)) close(b); });
  }

  function scheduleTrim() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(trim, HIDE_DELAY);
  }

  // Mouse hover (touch and pen use long press instead).
  document.addEventListener('pointerover', (e) => {
    if (e.pointerType !== 'mouse') return;
    pointerNode = e.target;
    scheduleTrim();
    const link = refOf(e.target);
    if (link && !link.contains(e.relatedTarget)) {
      clearTimeout(showTimer);
      showTimer = setTimeout(() => show(link, false), SHOW_DELAY);
    }
  });
  document.addEventListener('pointerout', (e) => {
    if (e.pointerType !== 'mouse') return;
    const link = refOf(e.target);
    if (link && !link.contains(e.relatedTarget)) clearTimeout(showTimer);
    if (!e.relatedTarget) { pointerNode = null; scheduleTrim(); }
  });

  // Keyboard focus.
  document.addEventListener('focusin', (e) => {
    const link = refOf(e.target);
    if (link && focusVisible(link)) show(link, false);
  });
  document.addEventListener('focusout', scheduleTrim);

  // Long press pins; the click that ends it must not follow the link.
  const endPress = () => { clearTimeout(pressTimer); press = null; };
  document.addEventListener('pointerdown', (e) => {
    swallowClick = null;
    const link = refOf(e.target);
    if (!link || e.button !== 0) return;
    press = { link, x: e.clientX, y: e.clientY };
    clearTimeout(pressTimer);
    pressTimer = setTimeout(() => {
      clearTimeout(showTimer);
      swallowClick = link;
      show(link, true);
      press = null;
    }, PRESS_DELAY);
  });
  document.addEventListener('pointermove', (e) => {
    if (press && Math.hypot(e.clientX - press.x, e.clientY - press.y) > 10) endPress();
  });
  document.addEventListener('pointerup', endPress);
  document.addEventListener('pointercancel', endPress);
  document.addEventListener('contextmenu', (e) => {
    // A touch long press opens the browser's link menu: pin instead.
    const link = refOf(e.target);
    if (link && (press || swallowClick === link)) {
      e.preventDefault();
      endPress();
      swallowClick = link;
      show(link, true);
    }
  });
  document.addEventListener('click', (e) => {
    const link = refOf(e.target);
    if (link && link === swallowClick) {
      e.preventDefault();
      e.stopPropagation();
    } else if (link) {
      clearTimeout(showTimer);  // following the link: drop hover previews
      boxes.slice().forEach((b) => { if (!b.pinned) close(b); });
    }
    swallowClick = null;
  }, true);

  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || !boxes.length) return;
    const box = boxes[boxes.length - 1];
    const inside = box.el.contains(document.activeElement);
    close(box);
    if (inside && box.link.isConnected) box.link.focus();
  });
})();

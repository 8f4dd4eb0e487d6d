// What the page scripts share of a post's header: the span after its time (and "(edited)")
// where a reached post's actions and links are added, and the reader's favorites. Loaded before
// vote.js, inplace.js and forum.js.
(() => {
  'use strict';

  function actsOf(post) {
    let acts = post.querySelector(':scope > .acts');
    if (acts) return acts;
    acts = document.createElement('span');
    acts.className = 'acts';
    let at = post.querySelector(':scope > time');
    if (at.nextElementSibling && at.nextElementSibling.matches('.edited')) {
      at = at.nextElementSibling;
    }
    at.after(acts);
    return acts;
  }

  // This reader's favorites among the page's posts (#viewer), kept up to date by inplace.js:
  // a post reached after one of them changed is drawn as it is now.
  const viewer = document.getElementById('viewer');
  const faved = new Set(
    ((viewer && viewer.dataset.faved) || '').split(' ').filter(Boolean).map(Number));

  // Calls `reach(target)` when the reader reaches an element: the mouse over it, or the focus in
  // it (the keyboard's at once: `r` and `c` act on what it added). A finger's tap reaches by
  // its click instead, once the tap has landed where it was aimed: drawn on the way in, a
  // post's new lines would move what is under the finger (the first tap on a >> link would
  // open the author's page), and so would the focus the tap gives on its way.
  function onReach(reach) {
    let touching = false;
    document.addEventListener('pointerdown', (e) => { touching = e.pointerType !== 'mouse'; },
      true);
    document.addEventListener('pointerover', (e) => {
      if (e.pointerType === 'mouse') reach(e.target);
    });
    document.addEventListener('focusin', (e) => { if (!touching) reach(e.target); });
    document.addEventListener('click', (e) => {
      touching = false;
      reach(e.target);
    });
  }

  // A refusal said beside what the reader pressed (an arrow's box, a link), replacing the last.
  function say(beside, message) {
    let note = beside.nextElementSibling;
    if (!note || !note.classList.contains('vote-error')) {
      note = document.createElement('span');
      note.className = 'vote-error';
      note.setAttribute('role', 'alert');
      beside.after(note);
    }
    note.textContent = ` ${message}`;
  }

  window.forumPosts = Object.freeze({ actsOf, faved, onReach, say });
})();

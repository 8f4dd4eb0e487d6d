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
  // it. A finger's tap reaches by its click instead, once the tap has landed where it was
  // aimed: drawn on the way in, a post's new lines would move what is under the finger (the
  // first tap on a >> link would open the author's page). The focus a tap gives is handled
  // after the click for the same reason.
  function onReach(reach) {
    document.addEventListener('pointerover', (e) => {
      if (e.pointerType === 'mouse') reach(e.target);
    });
    document.addEventListener('focusin', (e) => {
      const target = e.target;
      setTimeout(() => reach(target), 0);
    });
    document.addEventListener('click', (e) => reach(e.target));
  }

  window.forumPosts = Object.freeze({ actsOf, faved, onReach });
})();

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

  window.forumPosts = Object.freeze({ actsOf, faved });
})();

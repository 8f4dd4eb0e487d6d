// What the page scripts share of a post's header: the span after its time (and "(edited)")
// where a reached post's actions and links are added. Loaded before vote.js and forum.js.
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

  window.forumPosts = Object.freeze({ actsOf });
})();

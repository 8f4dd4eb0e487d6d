// A field with a length limit counts as you type: nothing is ever cut. Progressive
// enhancement: without this script the server refuses a text too long and shows it again.
(() => {
  'use strict';

  function addCounters() {
    // Looked for in the forms alone: a page of thousands of posts has no field among them.
    const fields = Array.from(document.forms)
      .flatMap((form) => Array.from(form.querySelectorAll('input[data-max-length]')));
    fields.forEach((field) => {
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

  addCounters();
})();

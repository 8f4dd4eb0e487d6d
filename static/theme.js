// Applies the remembered theme before the page is painted (loaded without defer on purpose).
(() => {
  try {
    const theme = localStorage.getItem('theme');
    if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
  } catch (e) { /* storage refused: follow the system setting */ }
})();

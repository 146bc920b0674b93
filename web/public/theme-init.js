// The saved theme (src/theme/theme.ts) before the first paint, so a dark page never flashes light.
// A file rather than an inline script, so the Content-Security-Policy needs no 'unsafe-inline'.
try {
  var theme = localStorage.getItem('theme');
  if (theme === 'dark' || theme === 'light') document.documentElement.classList.add(theme);
} catch (e) {}

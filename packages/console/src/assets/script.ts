/**
 * The console's one script, served at `<basePath>/assets/console.js` (no inline script: CSP). It
 * only refreshes the relative ages ("4 min ago") of `<time datetime>` elements once a minute; every
 * page works without it.
 */
export const SCRIPT = `(() => {
  const format = (ms) => {
    const s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return s + ' s';
    const m = Math.floor(s / 60);
    if (m < 60) return m + ' min';
    const h = Math.floor(m / 60);
    return h < 48 ? h + ' h' : Math.floor(h / 24) + ' d';
  };
  const refresh = () => {
    for (const el of document.querySelectorAll('time[datetime]')) {
      const at = Date.parse(el.getAttribute('datetime'));
      if (!Number.isNaN(at)) el.textContent = format(Date.now() - at) + ' ago';
    }
  };
  setInterval(refresh, 60000);
})();
`;

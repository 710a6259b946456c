// GitTorrent portal behaviour, loaded as a file (the pages work under script-src 'self': no inline scripts or
// handlers). Everything is delegated from document, so it keeps working after Blazor's enhanced navigation
// replaces the page content.
(() => {
  'use strict';

  // Copy buttons: <button data-copy="id-of-input">.
  document.addEventListener('click', async (event) => {
    const button = event.target.closest('button[data-copy]');
    if (!button) return;
    const input = document.getElementById(button.dataset.copy);
    if (!input) return;
    try {
      await navigator.clipboard.writeText(input.value);
    } catch {
      input.select();
      document.execCommand('copy');
    }
    button.classList.add('copied');
    const label = button.textContent;
    button.textContent = 'Copied';
    setTimeout(() => { button.textContent = label; button.classList.remove('copied'); }, 1500);
  });

  // Line anchors: #L10 or #L10-L20; click a line number to select it, shift-click to extend.
  let anchor = null;
  const parseRange = (hash) => {
    const match = /^#L(\d+)(?:-L(\d+))?$/.exec(hash);
    if (!match) return null;
    const a = Number(match[1]);
    const b = Number(match[2] || match[1]);
    return [Math.min(a, b), Math.max(a, b)];
  };
  const highlight = () => {
    document.querySelectorAll('table.code tr.selected').forEach((row) => row.classList.remove('selected'));
    const range = parseRange(location.hash);
    if (!range) return;
    for (let n = range[0]; n <= range[1] && n - range[0] < 100000; n++) {
      document.getElementById('L' + n)?.classList.add('selected');
    }
    document.getElementById('L' + range[0])?.scrollIntoView({ block: 'center' });
  };
  document.addEventListener('click', (event) => {
    const link = event.target.closest('table.code a[href^="#L"]');
    if (!link) return;
    const line = Number(link.getAttribute('href').slice(2));
    event.preventDefault();
    const hash = event.shiftKey && anchor !== null && anchor !== line
      ? `#L${Math.min(anchor, line)}-L${Math.max(anchor, line)}`
      : `#L${line}`;
    if (!event.shiftKey) anchor = line;
    history.replaceState(null, '', hash);
    highlight();
  });
  window.addEventListener('hashchange', highlight);

  // "t" opens the file finder (as on GitHub) unless typing in a field.
  document.addEventListener('keydown', (event) => {
    if (event.key !== 't' || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target.closest('input, textarea, select, [contenteditable]')) return;
    const link = document.querySelector('a[data-hotkey="t"]');
    if (link) {
      event.preventDefault();
      location.href = link.href;
    }
  });

  // The finder filters as you type: it fetches its own page with ?q= and swaps the result list.
  let pending = null;
  document.addEventListener('input', (event) => {
    const input = event.target.closest('input[data-finder-source]');
    if (!input) return;
    clearTimeout(pending);
    pending = setTimeout(async () => {
      const url = `${input.dataset.finderSource}?q=${encodeURIComponent(input.value)}`;
      const response = await fetch(url, { headers: { Accept: 'text/html' } });
      if (!response.ok) return;
      const next = new DOMParser().parseFromString(await response.text(), 'text/html');
      for (const selector of ['.finder-results', '.finder-count']) {
        const fresh = next.querySelector(selector);
        const current = document.querySelector(selector);
        if (fresh && current) current.replaceWith(fresh);
      }
      history.replaceState(null, '', url);
    }, 120);
  });

  const start = () => highlight();
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
  // Blazor's enhanced navigation swaps the page without a load event.
  const hook = () => window.Blazor?.addEventListener?.('enhancedload', start);
  if (window.Blazor) hook(); else window.addEventListener('load', hook);
})();

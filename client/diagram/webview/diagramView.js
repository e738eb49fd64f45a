// The pipeline diagram's webview script (bundled for the browser into
// dist/diagram-webview.js). It draws the SVG the extension laid out, and turns the user's
// gestures into messages: open a definition, the node menu's actions, collapse or expand
// a schema. Keyboard: Tab between nodes, arrows to the nearest node in that direction,
// Enter opens the definition, Shift+F10 or the menu key opens the node's menu; Ctrl+wheel,
// Ctrl+= / Ctrl+- / Ctrl+0 zoom. After each drawing or status change it tells the
// extension what it shows ('rendered'), which the tests read.
(function () {
  // eslint-disable-next-line no-undef
  const vscode = acquireVsCodeApi();
  const stage = document.getElementById('stage');
  const canvas = document.getElementById('canvas');
  const message = document.getElementById('message');
  const search = document.getElementById('search');
  const info = document.getElementById('info');
  const menu = document.getElementById('menu');
  let scale = 1;
  let nodes = new Map();
  let layoutMs = 0;
  let menuFor;

  const post = (m) => vscode.postMessage(m);
  const nodeElements = () => Array.from(stage.querySelectorAll('.dj-node'));

  function rendered() {
    const shown = nodeElements().map((el) => {
      const status = el.querySelector('.dj-status');
      return { id: el.getAttribute('data-id'), label: el.querySelector('.dj-label')?.textContent ?? '', status: status ? status.textContent : '', running: el.classList.contains('dj-running') };
    });
    post({ type: 'rendered', nodes: shown, layoutMs });
  }

  function setScale(next) {
    scale = Math.min(4, Math.max(0.1, next));
    stage.style.transform = `scale(${scale})`;
    document.getElementById('zoom-reset').textContent = `${Math.round(scale * 100)}%`;
  }

  let fitted = false;
  function fit() {
    const svg = stage.querySelector('svg');
    if (!svg) return;
    const w = Number(svg.getAttribute('width')) + 16;
    const h = Number(svg.getAttribute('height')) + 16;
    setScale(Math.min(1, canvas.clientWidth / w, canvas.clientHeight / h));
  }

  function center(el) {
    const t = /translate\(([-\d.]+) ([-\d.]+)\)/.exec(el.getAttribute('transform') || '');
    const box = el.querySelector('.dj-shape');
    const w = Number(box?.getAttribute('width') || Number(box?.getAttribute('rx')) * 2 || 0);
    const h = Number(box?.getAttribute('height') || Number(box?.getAttribute('ry')) * 2 || 0);
    return t ? { x: Number(t[1]) + w / 2, y: Number(t[2]) + h / 2 } : { x: 0, y: 0 };
  }

  /** The nearest node from `from` in a direction (the arrow keys). */
  function nearest(from, dx, dy) {
    const a = center(from);
    let best;
    let bestScore = Infinity;
    for (const el of nodeElements()) {
      if (el === from) continue;
      const b = center(el);
      const along = (b.x - a.x) * dx + (b.y - a.y) * dy;
      if (along <= 1) continue;
      const across = Math.abs((b.x - a.x) * dy) + Math.abs((b.y - a.y) * dx);
      const score = along + across * 2;
      if (score < bestScore) {
        bestScore = score;
        best = el;
      }
    }
    return best;
  }

  function closeMenu(refocus) {
    menu.style.display = 'none';
    menu.innerHTML = '';
    const back = menuFor;
    menuFor = undefined;
    if (refocus && back) back.focus();
  }

  function openMenu(el, x, y) {
    const id = el.getAttribute('data-id');
    const n = nodes.get(id) || {};
    menuFor = el;
    menu.innerHTML = '';
    const items = [
      ['open', 'Open Definition', !!n.location],
      ['populate', 'Populate', !!n.auto],
      ['downstream', n.auto ? 'Populate This and Everything Downstream' : 'Populate Everything Downstream', true],
      ['viewRows', 'View Rows', !!n.declared],
      ['showErrors', 'Show Errors', !!n.auto && !!n.declared],
    ];
    for (const [action, title, enabled] of items) {
      const b = document.createElement('button');
      b.setAttribute('role', 'menuitem');
      b.textContent = title;
      b.disabled = !enabled;
      b.addEventListener('click', () => {
        closeMenu(true);
        post({ type: 'action', action, id });
      });
      menu.appendChild(b);
    }
    menu.style.left = `${Math.min(x, window.innerWidth - 240)}px`;
    menu.style.top = `${Math.min(y, window.innerHeight - 160)}px`;
    menu.style.display = 'block';
    menu.querySelector('button:not([disabled])')?.focus();
  }

  menu.addEventListener('keydown', (e) => {
    const items = Array.from(menu.querySelectorAll('button:not([disabled])'));
    const at = items.indexOf(document.activeElement);
    if (e.key === 'Escape') {
      e.preventDefault();
      closeMenu(true);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = items[(at + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length];
      next?.focus();
    } else if (e.key === 'Tab') {
      e.preventDefault();
      closeMenu(true);
    }
  });
  document.addEventListener('mousedown', (e) => {
    if (menu.style.display === 'block' && !menu.contains(e.target)) closeMenu(false);
  });

  function wire() {
    for (const el of nodeElements()) {
      const id = el.getAttribute('data-id');
      el.addEventListener('click', () => {
        if (id.startsWith('collapsed:')) post({ type: 'toggle', schema: id.slice('collapsed:'.length) });
        else post({ type: 'action', action: 'open', id });
      });
      el.addEventListener('contextmenu', (e) => {
        e.preventDefault();
        if (!id.startsWith('collapsed:')) openMenu(el, e.clientX, e.clientY);
      });
      el.addEventListener('keydown', (e) => {
        const dirs = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
        if (dirs[e.key]) {
          e.preventDefault();
          const next = nearest(el, dirs[e.key][0], dirs[e.key][1]);
          if (next) {
            next.focus();
            next.scrollIntoView({ block: 'nearest', inline: 'nearest' });
          }
        } else if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          el.dispatchEvent(new MouseEvent('click'));
        } else if (e.key === 'ContextMenu' || (e.shiftKey && e.key === 'F10')) {
          e.preventDefault();
          const r = el.getBoundingClientRect();
          if (!id.startsWith('collapsed:')) openMenu(el, r.left + 8, r.bottom);
        }
      });
    }
    for (const label of Array.from(stage.querySelectorAll('.dj-group .dj-schema-label'))) {
      const schema = label.parentElement.getAttribute('data-schema');
      label.setAttribute('tabindex', '0');
      label.setAttribute('role', 'button');
      label.setAttribute('aria-label', `Collapse schema ${schema}`);
      const toggle = () => post({ type: 'toggle', schema });
      label.addEventListener('click', toggle);
      label.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          toggle();
        }
      });
    }
  }

  function applySearch() {
    const q = search.value.trim().toLowerCase();
    let first;
    let count = 0;
    for (const el of nodeElements()) {
      const label = (el.querySelector('.dj-label')?.textContent || '').toLowerCase();
      const id = (el.getAttribute('data-id') || '').toLowerCase();
      const hit = q !== '' && (label.includes(q) || id.includes(q));
      el.classList.toggle('dj-match', hit);
      el.classList.toggle('dj-dim', q !== '' && !hit);
      if (hit) {
        count++;
        first ??= el;
      }
    }
    info.textContent = q ? `${count} match${count === 1 ? '' : 'es'}` : '';
    return first;
  }

  search.addEventListener('input', applySearch);
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      const first = applySearch();
      if (first) {
        first.focus();
        first.scrollIntoView({ block: 'center', inline: 'center' });
      }
    } else if (e.key === 'Escape') {
      search.value = '';
      applySearch();
    }
  });
  document.getElementById('zoom-in').addEventListener('click', () => setScale(scale * 1.2));
  document.getElementById('zoom-out').addEventListener('click', () => setScale(scale / 1.2));
  document.getElementById('zoom-reset').addEventListener('click', () => setScale(1));
  document.getElementById('zoom-fit').addEventListener('click', fit);
  document.getElementById('refresh').addEventListener('click', () => post({ type: 'refresh' }));
  canvas.addEventListener(
    'wheel',
    (e) => {
      if (!e.ctrlKey) return;
      e.preventDefault();
      setScale(scale * (e.deltaY < 0 ? 1.1 : 1 / 1.1));
    },
    { passive: false },
  );
  document.addEventListener('keydown', (e) => {
    if (!(e.ctrlKey || e.metaKey)) return;
    if (e.key === '=' || e.key === '+') setScale(scale * 1.2);
    else if (e.key === '-') setScale(scale / 1.2);
    else if (e.key === '0') setScale(1);
    else if (e.key === 'f') search.focus();
    else return;
    e.preventDefault();
  });

  window.addEventListener('message', (event) => {
    const m = event.data;
    if (m.type === 'diagram') {
      const focused = document.activeElement?.getAttribute?.('data-id');
      nodes = new Map(m.nodes.map((n) => [n.id, n]));
      layoutMs = m.layoutMs;
      message.textContent = m.note || '';
      message.style.display = m.note ? 'block' : 'none';
      // The extension's own SVG, with every text escaped (runtime/diagram/svg.ts).
      stage.innerHTML = m.svg;
      wire();
      applySearch();
      // The whole pipeline in view when it opens; later redraws keep the user's zoom.
      if (!fitted) {
        fitted = true;
        fit();
      }
      info.textContent = info.textContent || m.summary || '';
      if (focused) stage.querySelector(`.dj-node[data-id="${CSS.escape(focused)}"]`)?.focus();
      rendered();
    } else if (m.type === 'status') {
      for (const el of nodeElements()) {
        const s = m.status[el.getAttribute('data-id')];
        const line = el.querySelector('.dj-status');
        if (line && s) line.textContent = s.text;
        el.classList.toggle('dj-running', !!(s && s.running));
        el.classList.toggle('dj-has-errors', !!(s && s.error));
      }
      rendered();
    } else if (m.type === 'focus') {
      const el = stage.querySelector(`.dj-node[data-id="${CSS.escape(m.id)}"]`);
      el?.focus();
      el?.scrollIntoView({ block: 'center', inline: 'center' });
    } else if (m.type === 'error') {
      message.textContent = m.text;
      message.style.display = 'block';
    }
  });
  post({ type: 'ready' });
})();

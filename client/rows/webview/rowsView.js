// The rows webview's script, bundled for the browser into dist/rows-webview.js
// (scripts/build.mjs) and loaded by the page under its nonce (rowsHtml.ts). It draws what
// the panel sends (rowsProtocol.ts PageView: cells are text already), sends the user's
// actions back (paging, sorting, the restriction box, Open value) and reports each drawing
// (`rendered`), which the panel keeps for the tests. It never sees database values or SQL:
// the panel checks the restriction (as populate's box does) and the runtime reads the rows.
// The message names and the page label are rowsProtocol.ts's own, imported.
import { FROM_WEBVIEW, TO_WEBVIEW, pageLabel } from '../rowsProtocol';

(() => {
  'use strict';
  const vscode = acquireVsCodeApi();
  const TO = TO_WEBVIEW;
  const FROM = FROM_WEBVIEW;
  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  let view;
  let problem;
  let checkTimer;

  function headerText(c) {
    const s = view.sort && view.sort.attribute === c.name ? (view.sort.descending ? ' \u25bc' : ' \u25b2') : '';
    return c.name + s;
  }

  function report(reason) {
    const v = view;
    const keyIdx = v ? v.columns.map((c, i) => (c.inKey ? i : -1)).filter((i) => i >= 0) : [];
    const first = v && v.rows.length ? v.rows[0] : undefined;
    vscode.postMessage({
      type: FROM.rendered,
      reason,
      rows: v ? v.rows.length : 0,
      firstKey: first ? keyIdx.map((i) => v.columns[i].name + '=' + first[i].text).join(', ') : '',
      page: v ? v.page + 1 : 0,
      pageLabel: $('pageLabel').textContent,
      headers: Array.from(document.querySelectorAll('thead th')).map((th) => Array.from(th.children).map((c) => c.textContent.trim()).join(' ')),
      firstRow: first ? first.map((c) => c.text) : [],
      firstRowKinds: first ? first.map((c) => c.kind) : [],
      problem,
    });
  }

  function showProblem(text, at) {
    problem = text;
    const p = $('problem');
    p.textContent = text || '';
    p.hidden = !text;
    const box = $('restriction');
    box.setAttribute('aria-invalid', text ? 'true' : 'false');
    if (text && at !== undefined && at !== null) {
      const caret = $('caret');
      caret.textContent = (box.value.slice(0, at) + '\u2038').replace(/[^\s\u2038]/g, ' ').replace(/\s/g, '\u00a0');
      caret.hidden = false;
      box.setSelectionRange(at, Math.min(box.value.length, at + 1));
    } else $('caret').hidden = true;
  }

  function draw() {
    const v = view;
    document.title = v.title;
    $('title').textContent = v.title;
    $('busy').hidden = true;
    const thead = $('head');
    const tbody = $('body');
    thead.textContent = '';
    tbody.textContent = '';
    const tr = el('tr');
    v.columns.forEach((c) => {
      const th = el('th', c.inKey ? 'key' : '');
      th.scope = 'col';
      const label = c.sortable ? el('button', 'sort') : el('span', 'name');
      label.textContent = headerText(c);
      if (c.sortable) {
        label.title = 'Sort by ' + c.name;
        label.dataset.attribute = c.name;
        label.addEventListener('click', () => send({ type: FROM.sort, attribute: c.name }));
      }
      if (view.sort && view.sort.attribute === c.name) th.setAttribute('aria-sort', view.sort.descending ? 'descending' : 'ascending');
      th.appendChild(label);
      const type = el('div', 'type', (c.inKey ? 'PK ' : '') + c.type + (c.nullable ? ' \u00b7 null' : ''));
      type.title = (c.inKey ? 'primary key \u00b7 ' : '') + c.type + (c.sqlType !== c.type ? ' (' + c.sqlType + ')' : '') + (c.comment ? '\n' + c.comment : '');
      th.appendChild(type);
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    v.rows.forEach((row, r) => {
      const tr = el('tr');
      row.forEach((cell, i) => {
        const td = el('td', 'cell ' + cell.kind);
        const span = el('span', 'text', cell.text);
        if (cell.title) td.title = cell.title;
        td.appendChild(span);
        if (cell.openable) {
          const b = el('button', 'open', 'Open value');
          b.dataset.row = String(r);
          b.dataset.column = v.columns[i].name;
          b.title = 'Open the whole value of ' + v.columns[i].name + ' in an editor';
          b.addEventListener('click', () => vscode.postMessage({ type: FROM.open, row: r, column: v.columns[i].name }));
          td.appendChild(b);
        }
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
    if (!v.rows.length) {
      const tr = el('tr');
      const td = el('td', 'empty', v.restriction ? 'No rows match the restriction.' : 'No rows.');
      td.colSpan = Math.max(1, v.columns.length);
      tr.appendChild(td);
      tbody.appendChild(tr);
    }
    $('pageLabel').textContent = pageLabel(v, v.rows.length);
    $('first').disabled = v.page === 0;
    $('previous').disabled = v.page === 0;
    $('next').disabled = !v.hasMore;
    const box = $('restriction');
    if (document.activeElement !== box) box.value = v.restriction;
  }

  function send(message) {
    $('busy').hidden = false;
    vscode.postMessage(message);
  }

  function restrict() {
    send({ type: FROM.restrict, text: $('restriction').value });
  }

  function act(a) {
    const click = (id) => $(id).click();
    switch (a.kind) {
      case 'first': case 'previous': case 'next': case 'refresh': return click(a.kind);
      case 'sort': {
        const b = document.querySelector('button.sort[data-attribute="' + CSS.escape(a.attribute) + '"]');
        if (b) b.click();
        return;
      }
      case 'restrict': {
        const box = $('restriction');
        box.focus();
        box.value = a.text;
        clearTimeout(checkTimer);
        return click('apply');
      }
      case 'open': {
        const b = document.querySelector('button.open[data-row="' + a.row + '"][data-column="' + CSS.escape(a.column) + '"]');
        if (b) b.click();
        return;
      }
    }
  }

  window.addEventListener('message', (e) => {
    const m = e.data;
    switch (m.type) {
      case TO.page:
        view = m.view;
        problem = undefined;
        showProblem(undefined);
        draw();
        return report('page');
      case TO.count:
        if (view && view.restriction === m.restriction) {
          view.exactRows = m.exactRows;
          $('pageLabel').textContent = pageLabel(view, view.rows.length);
          report('count');
        }
        return;
      case TO.problem:
        // A check while typing only marks the box; an applied restriction's refusal is a drawing.
        if (m.check) return showProblem(m.text, m.at);
        $('busy').hidden = true;
        showProblem(m.text, m.at);
        return report('problem');
      case TO.loading:
        $('busy').hidden = false;
        return;
      case TO.test:
        return act(m.action);
    }
  });

  $('first').addEventListener('click', () => send({ type: FROM.go, to: 'first' }));
  $('previous').addEventListener('click', () => send({ type: FROM.go, to: 'previous' }));
  $('next').addEventListener('click', () => send({ type: FROM.go, to: 'next' }));
  $('refresh').addEventListener('click', () => send({ type: FROM.refresh }));
  $('apply').addEventListener('click', restrict);
  $('restriction').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      restrict();
    }
  });
  // Checked as typed (the panel answers with the problem or none), never run until applied.
  $('restriction').addEventListener('input', () => {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(() => vscode.postMessage({ type: FROM.check, text: $('restriction').value }), 150);
  });
  document.addEventListener('keydown', (e) => {
    if (e.target && (e.target.tagName === 'INPUT' || e.target.tagName === 'TEXTAREA')) return;
    if (e.altKey && e.key === 'ArrowRight' && !$('next').disabled) $('next').click();
    if (e.altKey && e.key === 'ArrowLeft' && !$('previous').disabled) $('previous').click();
  });
  vscode.postMessage({ type: FROM.ready });
})();

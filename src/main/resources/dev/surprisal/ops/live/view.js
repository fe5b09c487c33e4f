// Shared by the live page and the session view: colours, token rendering, JSON fetching.
'use strict';

const SPECIAL = /^<[^<>]*>$/;

/** Background for a token's surprisal: none under 1 bit, then yellow (1) → orange (4) → red (8 and more). */
function surprisalColour(bits) {
  if (!(bits >= 1)) return '';
  const x = Math.min(1, (bits - 1) / 7);
  // light enough at the red end that dark text on it stays readable (contrast 5.6:1 there, 4.1:1 before)
  return `hsl(${Math.round(55 - 55 * x)}, 95%, ${Math.round(88 - 18 * x)}%)`;
}

/** Byte models emit one character (or an escape like \n, \xE2) per token: those join without spaces. */
function joinsWithoutSpaces(event) {
  const plain = event.tokens.filter(t => !SPECIAL.test(t.t));
  const oneChar = plain.every(t => t.t.length === 1 || /^\\(x[0-9A-F]{2}|.)$/.test(t.t));
  return plain.length > 1 && oneChar && plain.length >= 0.9 * event.text.length;
}

function tokenSpan(token) {
  const span = document.createElement('span');
  if (SPECIAL.test(token.t)) {
    span.className = 'end';
    span.textContent = token.t === '<eos>' ? '⏎' : token.t;
  } else {
    span.textContent = token.t;
  }
  span.style.background = surprisalColour(token.b);
  span.title = `${token.t}: ${token.b.toFixed(1)} bits, rank ${token.r}`;
  span.dataset.bits = token.b.toFixed(2);
  return span;
}

/**
 * A template model's event: the line itself after a badge coloured by its template's surprisal, with the
 * values the template masks underlined, and under it the template (or that the line fits none yet).
 */
function renderLine(event) {
  const box = document.createElement('div');
  box.className = 'tokens line';
  const token = event.tokens[0] || {t: '', b: 0, r: 0};
  // one token for the whole line: its colour on a badge, so the line itself stays black on white
  const badge = document.createElement('span');
  badge.className = 'line-bits';
  badge.textContent = `${token.b.toFixed(1)} bits`;
  badge.style.background = surprisalColour(token.b) || '#eef0f3';
  box.append(badge);
  for (const part of event.line) {
    const span = document.createElement('span');
    span.textContent = part.s;
    if (part.v) span.className = 'var';
    box.append(span);
  }
  box.title = `${token.b.toFixed(1)} bits, rank ${token.r}`;
  const template = document.createElement('div');
  template.className = 'template';
  template.textContent = event.caption;
  const both = document.createElement('div');
  both.append(box, template);
  return both;
}

/** The event's text, one span per token, each coloured by its surprisal. */
function renderTokens(event) {
  if (event.line) return renderLine(event);
  const box = document.createElement('div');
  box.className = 'tokens';
  const joined = joinsWithoutSpaces(event);
  event.tokens.forEach((token, i) => {
    if (i > 0 && !joined) box.append(' ');
    box.append(tokenSpan(token));
  });
  if (event.truncated) box.append(' …');
  return box;
}

function renderLegend(element) {
  element.append('surprisal: ');
  for (const [label, bits] of [['< 1 bit', 0], ['2', 2], ['4', 4], ['6', 6], ['≥ 8 bits', 8]]) {
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.textContent = label;
    swatch.style.background = surprisalColour(bits) || '#fff';
    element.append(swatch);
  }
}

async function getJson(url) {
  const reply = await fetch(url, {headers: {Accept: 'application/json'}, credentials: 'same-origin'});
  const body = await reply.json();
  if (!reply.ok) throw new Error(body.error || `HTTP ${reply.status}`);
  return body;
}

function text(id, value) {
  document.getElementById(id).textContent = value;
}

function number(value, digits) {
  return value == null ? '–' : Number(value).toLocaleString('en', {maximumFractionDigits: digits});
}

function sessionLink(sessionId) {
  const a = document.createElement('a');
  a.href = '/sessions/' + encodeURIComponent(sessionId);
  a.textContent = sessionId;
  return a;
}

function cell(content, className) {
  const element = document.createElement('span');
  if (className) element.className = className;
  element.append(content);
  return element;
}

// The live page: polls /api/live and prepends the flagged events it has not shown yet.
'use strict';

const POLL_MS = 2000;
const KEEP = 100;
let lastSeq = 0;
let previous = null;

function flaggedItem(e) {
  const item = document.createElement('li');
  item.dataset.eventId = e.eventId;
  const meta = document.createElement('div');
  meta.className = 'meta';
  meta.append(cell(e.rule, 'rule'), cell(new Date(e.eventTime).toLocaleTimeString()),
      cell(sessionLink(e.sessionId)),
      cell(why(e)),
      cell(`score ${number(e.anomalyScore, 2)}`), cell(`model ${e.modelVersion}`), cell(`event ${e.eventId}`));
  item.append(meta, renderTokens(e), feedbackButtons(e));
  return item;
}

/** Why the rule fired, in words: a new template's perplexity is beside the point. */
function why(e) {
  const perplexity = `perplexity ${number(e.perplexity, 2)}`;
  switch (e.rule) {
    case 'NEW_TEMPLATE': return 'a line that fits none of the model\'s templates: a new template, alerted once';
    case 'PERPLEXITY': return `${perplexity} above the threshold ${number(e.perplexityThreshold, 2)}`;
    case 'TOP_G': return `a token outside the model's top predictions (${perplexity})`;
    case 'PERPLEXITY_AND_TOP_G': return `${perplexity} above the threshold ${number(e.perplexityThreshold, 2)}, `
        + 'and a token outside the model\'s top predictions';
    default: return perplexity;
  }
}

/** What readiness finds wrong (most often: input going to the dead-letter topic), above everything else. */
function showProblems(problems) {
  const box = document.getElementById('problems');
  box.hidden = problems.length === 0;
  box.replaceChildren(...problems.map(p => {
    const item = document.createElement('li');
    item.textContent = p;
    return item;
  }));
}

/** Marks the event normal (a false positive) or anomalous on the feedback topic, which training reads. */
function feedbackButtons(e) {
  const box = document.createElement('div');
  box.className = 'feedback';
  for (const [label, verdict] of [['normal (false positive)', 'normal'], ['anomalous', 'anomalous']]) {
    const button = document.createElement('button');
    button.textContent = label;
    button.addEventListener('click', async () => {
      const reply = await fetch('/feedback', {method: 'POST', credentials: 'same-origin',
        headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({eventId: e.eventId, sessionId: e.sessionId, verdict, by: 'live page'})});
      box.replaceChildren(reply.ok ? `marked ${verdict}` : `could not mark it (HTTP ${reply.status})`);
    });
    box.append(button);
  }
  return box;
}

function showRates(live) {
  const now = Date.parse(live.now);
  if (previous && now > previous.time) {
    const seconds = (now - previous.time) / 1000;
    text('eventRate', number((live.eventsScored - previous.events) / seconds, 1));
    text('tokenRate', number((live.tokensScored - previous.tokens) / seconds, 0));
  }
  previous = {time: now, events: live.eventsScored, tokens: live.tokensScored};
}

/** A deployment's new message shapes read as one row each, with how many lines each has had. */
function showLearned(learned) {
  document.getElementById('learnedBox').hidden = learned.length === 0;
  const td = (content, className) => {
    const element = document.createElement('td');
    if (className) element.className = className;
    element.textContent = content;
    return element;
  };
  const rows = learned.map(t => {
    const row = document.createElement('tr');
    row.append(td(new Date(t.firstSeen).toLocaleString()), td(number(t.lines, 0), 'num'), td(t.text, 'tokens'),
        td(t.id, 'sub'));
    return row;
  });
  document.getElementById('learned').replaceChildren(...rows);
}

async function poll() {
  try {
    const live = await getJson('/api/live?after=' + lastSeq);
    text('model', live.servingModel || 'none yet');
    text('instance', live.instance);
    showProblems(live.problems || []);
    if (live.state !== 'scoring') {
      text('status', 'the scorer is starting…');
      return;
    }
    text('events', number(live.eventsScored, 0));
    text('flaggedTotal', number(live.eventsFlagged, 0));
    showRates(live);
    const list = document.getElementById('flagged');
    for (const e of live.flagged.slice().reverse()) list.prepend(flaggedItem(e));
    while (list.children.length > KEEP) list.lastChild.remove();
    if (live.flagged.length) lastSeq = live.flagged[0].seq;
    text('status', list.children.length ? '' : 'No flagged events yet on this instance.');
    showLearned(live.learned || []);
  } catch (error) {
    text('status', 'cannot reach the scorer: ' + error.message);
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

renderLegend(document.getElementById('legend'));
document.getElementById('lookup').addEventListener('submit', event => {
  event.preventDefault();
  const id = document.getElementById('sessionId').value.trim();
  if (id) location.href = '/sessions/' + encodeURIComponent(id);
});
poll();

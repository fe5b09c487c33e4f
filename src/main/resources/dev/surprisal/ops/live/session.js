// The session view: polls the session query (JSON) and draws its recent events as a heat map.
'use strict';

const POLL_MS = 3000;
const path = location.pathname;
const sessionId = decodeURIComponent(path.substring('/sessions/'.length));

function heatmapRow(e) {
  const row = document.createElement('tr');
  const time = document.createElement('td');
  time.className = 'num';
  time.textContent = new Date(e.eventTime).toLocaleTimeString();
  const perplexity = document.createElement('td');
  perplexity.className = 'num';
  perplexity.textContent = number(e.perplexity, 2);
  const verdict = document.createElement('td');
  verdict.append(e.anomalous ? cell(e.rule, 'rule') : cell('ok', 'ok'));
  const tokens = document.createElement('td');
  tokens.append(renderTokens(e));
  row.append(time, perplexity, verdict, tokens);
  return row;
}

async function poll() {
  try {
    const s = await getJson(path);
    text('model', s.modelVersion);
    text('events', s.open ? number(s.events, 0) : 'ended');
    text('tokens', number(s.tokens, 0));
    text('perplexity', number(s.sessionPerplexity, 2));
    text('flagged', number(s.anomalousEvents, 0));
    text('lastEvent', new Date(s.lastEventTime).toLocaleString());
    text('servedBy', s.servedBy);
    const next = document.getElementById('next');
    // an ended session has no state to predict from: its last predictions would read as live ones
    next.replaceChildren(...(s.open ? s.nextTokenPredictions : []).map(p => {
      const item = document.createElement('li');
      const token = document.createElement('code');
      token.textContent = p.token;
      item.append(token, ` ${(p.probability * 100).toFixed(1)}%`);
      return item;
    }));
    if (!s.open) {
      const none = document.createElement('li');
      none.textContent = 'none: the session has ended';
      next.append(none);
    }
    document.getElementById('heatmap').replaceChildren(...s.recentEvents.slice().reverse().map(heatmapRow));
    text('status', !s.open ? 'The session has ended: its state is gone, its latest events are shown.'
        : s.recentEvents.length ? '' : 'This instance has not scored an event of this session since it started.');
  } catch (error) {
    text('status', error.message);
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

text('sessionId', sessionId);
document.title = 'surprisal · ' + sessionId;
renderLegend(document.getElementById('legend'));
poll();

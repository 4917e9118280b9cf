// Renders a WatchBoardResponse into the page's sections. Text is always set as text (never parsed as HTML), so
// names from the data cannot inject markup. data-* attributes carry the raw figures for tools and tests.
import { locale, t } from './i18n.js';
import { toDate } from './api.js';

export const LEVELS = ['STALL_LEVEL_UNSPECIFIED', 'STALL_LEVEL_YELLOW', 'STALL_LEVEL_RED'];

/** Creates an element: h('td', { class: 'n', dataset: { value: 3 } }, 'text', child, ...). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name === 'onclick') element.addEventListener('click', value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export function formatNumber(value) {
  return new Intl.NumberFormat(locale()).format(Number(value));
}

export function formatMoney(amount, currency) {
  try {
    // A decimal string is formatted exactly (no binary rounding).
    return new Intl.NumberFormat(locale(), { style: 'currency', currency, maximumFractionDigits: 2 }).format(amount);
  } catch {
    return `${amount} ${currency}`;
  }
}

export function formatDate(date, timeZone) {
  return date ? new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone }).format(date) : '';
}

export function formatDateTime(date) {
  return date ? new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'medium' }).format(date) : '';
}

export function formatTime(date) {
  return date ? new Intl.DateTimeFormat(locale(), { timeStyle: 'medium' }).format(date) : '';
}

function formatPercent(text) {
  return `${new Intl.NumberFormat(locale(), { maximumFractionDigits: 2 }).format(Number(text))} %`;
}

/** Stage display names and order, from ListPipelines. */
export class Pipelines {
  constructor(pipelines = []) {
    this.byKey = new Map(pipelines.map(p => [p.key, p]));
  }

  stageName(pipelineKey, stage) {
    return this.byKey.get(pipelineKey)?.stages.find(s => s.key === stage)?.display_name || stage;
  }

  /** Stage keys of a pipeline in its order, then any others seen in `extra`. */
  stages(pipelineKey, extra) {
    const known = (this.byKey.get(pipelineKey)?.stages ?? []).map(s => s.key);
    return [...known, ...[...new Set(extra)].filter(s => !known.includes(s)).sort()];
  }

  name(pipelineKey) {
    return this.byKey.get(pipelineKey)?.name || pipelineKey;
  }

  order(keys) {
    const known = [...this.byKey.keys()];
    return [...new Set(keys)].sort((a, b) => rank(known, a) - rank(known, b) || a.localeCompare(b));
  }
}

function rank(list, item) {
  const i = list.indexOf(item);
  return i < 0 ? list.length : i;
}

function table(caption, headers, rows, className) {
  return h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': caption },
    h('table', { class: className },
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, headers.map(([text, numeric]) => h('th', { scope: 'col', class: numeric ? 'n' : null }, text)))),
      h('tbody', {}, rows)));
}

function empty(text) {
  return h('p', { class: 'empty' }, text);
}

/** The stall heatmap: a table per pipeline, stage rows x stall-level columns; a non-zero count is a button. */
export function renderHeatmap(container, heatmap, pipelines, onCell) {
  const cells = heatmap?.stall_cells ?? [];
  const total = heatmap?.open_total ?? 0;
  container.replaceChildren();
  container.append(h('p', { class: 'figure-note', id: 'heatmap-open-total', dataset: { count: total } }, t('heatmap.openTotal', { n: formatNumber(total) })));
  if (cells.length === 0) {
    container.append(empty(t('heatmap.empty')));
    return;
  }
  const max = Math.max(...cells.map(c => c.count));
  for (const pipelineKey of pipelines.order(cells.map(c => c.pipeline_key))) {
    const ofPipeline = cells.filter(c => c.pipeline_key === pipelineKey);
    const count = (stage, level) => ofPipeline.find(c => c.stage === stage && c.stall_level === level)?.count ?? 0;
    const rows = pipelines.stages(pipelineKey, ofPipeline.map(c => c.stage)).map(stage => {
      const stageName = pipelines.stageName(pipelineKey, stage);
      const levelCells = LEVELS.map(level => {
        const n = count(stage, level);
        const heat = n === 0 ? 0 : Math.max(1, Math.ceil((n / max) * 4));
        const data = { pipeline: pipelineKey, stage, level, count: n, heat };
        const label = t('heatmap.cellLabel', { stage: stageName, level: t(`level.${level}`), n: formatNumber(n) });
        return h('td', { class: `heat level-${level.toLowerCase().replace('stall_level_', '')}`, dataset: data },
          n === 0
            ? h('span', { 'aria-label': label }, '0')
            : h('button', { type: 'button', class: 'cell', 'aria-label': label, dataset: data, onclick: () => onCell(pipelineKey, stage, level) }, formatNumber(n)));
      });
      const rowTotal = LEVELS.reduce((sum, level) => sum + count(stage, level), 0);
      return h('tr', { dataset: { stage } }, h('th', { scope: 'row' }, stageName), levelCells, h('td', { class: 'n total', dataset: { count: rowTotal } }, formatNumber(rowTotal)));
    });
    const caption = `${t('heatmap.title')}: ${pipelines.name(pipelineKey)}`;
    container.append(
      h('h3', { class: 'pipeline-name' }, pipelines.name(pipelineKey)),
      table(caption, [[t('heatmap.stage')], ...LEVELS.map(l => [t(`level.${l}`), true]), [t('heatmap.total'), true]], rows, 'heatmap'));
  }
}

/** Deals as a table (the drill-down and the intervention list). */
export function dealTable(caption, opportunities, pipelines, { signal = false } = {}) {
  const headers = [[t('deal.title')], [t('deal.owner')], [t('deal.stage')], [t('deal.value'), true], [t('deal.inStageSince')]];
  if (signal) headers.push([t('deal.signal')], [t('deal.signalSince')]);
  const rows = opportunities.map(o => h('tr', { dataset: { opportunityId: o.opportunity_id } },
    h('td', {}, o.title),
    h('td', {}, o.owner_id),
    h('td', {}, pipelines.stageName(o.pipeline_key, o.stage)),
    h('td', { class: 'n' }, o.value ? formatMoney(o.value.amount, o.value.currency) : ''),
    h('td', {}, formatDate(toDate(o.stage_entered_at))),
    signal ? h('td', {}, t(`signal.${o.signal}`)) : null,
    signal ? h('td', {}, formatDate(toDate(o.signal_changed_at))) : null));
  return table(caption, headers, rows, 'deals');
}

export function renderFunnel(container, board, pipelines) {
  const funnel = board.funnel;
  const stages = funnel?.stages ?? [];
  const period = board.period;
  // The default period is a UTC calendar month; "to" is exclusive, so the last day shown is the one before it.
  container.replaceChildren(h('p', { class: 'figure-note' }, t('funnel.period', {
    from: formatDate(toDate(period?.from), 'UTC'),
    to: formatDate(period?.to ? new Date(toDate(period.to).getTime() - 1) : null, 'UTC'),
    pipeline: pipelines.name(funnel?.pipeline_key ?? ''),
  })));
  if (!stages.some(s => s.entered > 0)) {
    container.append(empty(t('funnel.empty')));
    return;
  }
  const max = Math.max(...stages.map(s => s.entered), 1);
  const columns = ['entered', 'moved_on', 'moved_back', 'lost', 'still_open', 'won'];
  const rows = stages.map(s => {
    const bar = h('span', { class: 'bar', 'aria-hidden': 'true' });
    bar.style.setProperty('--share', `${(s.entered / max) * 100}%`);
    const median = s.median_time_in_stage ? (s.median_time_in_stage.seconds / 86400) : null;
    return h('tr', { dataset: { stage: s.stage } },
      h('th', { scope: 'row' }, pipelines.stageName(funnel.pipeline_key, s.stage), bar),
      columns.map(c => h('td', { class: 'n', dataset: { field: c, value: s[c] } }, formatNumber(s[c]))),
      h('td', { class: 'n' }, s.conversion_to_next ? formatPercent(s.conversion_to_next.percent) : ''),
      h('td', { class: 'n' }, median === null ? '–' : new Intl.NumberFormat(locale(), { maximumFractionDigits: 1 }).format(median)));
  });
  container.append(table(t('funnel.title'),
    [[t('deal.stage')], ...columns.map(c => [t(`funnel.${c}`), true]), [t('funnel.conversion'), true], [t('funnel.median'), true]], rows, 'funnel'));
}

export function renderForecast(container, forecast) {
  container.replaceChildren();
  if (forecast.length === 0) {
    container.append(empty(t('forecast.empty')));
    return;
  }
  container.append(h('ul', { class: 'forecast' }, forecast.map(f => h('li', { dataset: { currency: f.currency, open: f.open_amount, weighted: f.weighted_amount, count: f.opportunity_count } },
    h('span', { class: 'big' }, formatMoney(f.weighted_amount, f.currency)),
    h('span', { class: 'label' }, `${t('forecast.weighted')} · ${f.currency}`),
    h('span', { class: 'sub' }, `${t('forecast.open')}: ${formatMoney(f.open_amount, f.currency)} · ${t('forecast.deals')}: ${formatNumber(f.opportunity_count)}`)))));
}

export function renderInterventions(container, board, pipelines) {
  container.replaceChildren();
  const list = board.interventions;
  if (list.length === 0) {
    container.append(empty(t('interventions.empty')));
    return;
  }
  if (board.intervention_total > list.length) {
    container.append(h('p', { class: 'figure-note' }, t('total', { shown: list.length, total: board.intervention_total })));
  }
  container.append(dealTable(t('interventions.title'), list, pipelines, { signal: true }));
}

export function renderRelease(container, board) {
  container.replaceChildren();
  const list = board.about_to_release;
  if (list.length === 0) {
    container.append(empty(t('release.empty')));
    return;
  }
  if (board.about_to_release_total > list.length) {
    container.append(h('p', { class: 'figure-note' }, t('total', { shown: list.length, total: board.about_to_release_total })));
  }
  const rows = list.map(c => h('tr', { dataset: { customerId: c.customer_id } },
    h('td', {}, c.name),
    h('td', {}, c.owner_id),
    h('td', {}, c.tier.replace('CUSTOMER_TIER_', '').replace('UNSPECIFIED', '–')),
    h('td', {}, c.last_follow_up_at ? formatDate(toDate(c.last_follow_up_at)) : t('release.never'))));
  container.append(table(t('release.title'), [[t('release.customer')], [t('release.owner')], [t('release.tier')], [t('release.lastFollowUp')]], rows, 'customers'));
}

export function renderAnomalies(container, anomalies) {
  container.replaceChildren();
  if (anomalies.length === 0) {
    container.append(empty(t('anomalies.empty')));
    return;
  }
  container.append(h('ul', { class: 'anomalies' }, anomalies.map(a => {
    const text = a.kind === 'ANOMALY_KIND_TEAM_STALLED_SHARE'
      ? t('anomaly.team', { team: a.team_id, actual: a.actual, threshold: a.threshold })
      : t('anomaly.rep', { owner: a.owner_id, metric: t(`metric.${a.metric}`), days: a.consecutive_days, actual: a.actual, threshold: a.threshold, day: a.day });
    return h('li', { dataset: { anomalyId: a.anomaly_id } },
      h('span', { class: 'badge', 'aria-hidden': 'true' }, '!'),
      h('span', {}, text, h('small', {}, formatDateTime(toDate(a.detected_at)))));
  })));
}

/** A goal's period as its team names it: "March 2026", or the week from its Monday (team-local dates, not instants). */
function goalPeriod(goal) {
  const [year, month, day] = goal.period_start.split('-').map(Number);
  if (!year) return goal.period_start;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (goal.period_kind === 'GOAL_PERIOD_KIND_MONTH') {
    return new Intl.DateTimeFormat(locale(), { year: 'numeric', month: 'long', timeZone: 'UTC' }).format(date);
  }
  return t('goals.week', { date: new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone: 'UTC' }).format(date) });
}

export function renderGoals(container, goals) {
  container.replaceChildren();
  if (goals.length === 0) {
    container.append(empty(t('goals.empty')));
    return;
  }
  const amount = (g, value) => g.goal.currency ? formatMoney(value, g.goal.currency) : formatNumber(value);
  const rows = goals.map(g => {
    const attainment = Math.max(0, Math.min(100, Number(g.attainment_percent)));
    const behind = Number(g.deviation) < 0;
    return h('tr', { dataset: { owner: g.goal.owner_id, metric: g.goal.metric, actual: g.actual, target: g.goal.target } },
      h('th', { scope: 'row' }, g.goal.owner_id || t('goals.team', { team: g.goal.team_id })),
      h('td', {}, t(`metric.${g.goal.metric}`)),
      h('td', {}, goalPeriod(g.goal)),
      h('td', { class: 'n' }, amount(g, g.goal.target)),
      h('td', { class: 'n' }, amount(g, g.actual)),
      h('td', { class: 'n' }, amount(g, g.linear_pace)),
      h('td', { class: `n ${behind ? 'behind' : 'ahead'}` }, `${behind ? '▼' : '▲'} ${formatPercent(g.deviation_percent)}`),
      h('td', { class: 'n' }, h('progress', { max: 100, value: attainment, 'aria-label': t('goals.attainment') }), ' ', formatPercent(g.attainment_percent)));
  });
  container.append(table(t('goals.title'),
    [[t('goals.who')], [t('goals.metric')], [t('goals.period')], [t('goals.target'), true], [t('goals.actual'), true], [t('goals.pace'), true], [t('goals.deviation'), true], [t('goals.attainment'), true]],
    rows, 'goals'));
}

// The board page: sign-in, the scope picker, the live WatchBoard stream, the heatmap drill-down, the language switch.
import { Api, claimsOf, developmentSignIn, developmentSignInRoles } from './api.js';
import { describe } from './errors.js';
import { GrpcError } from './grpc-web.js';
import { initialLanguage, language, setLanguage, t } from './i18n.js';
import * as render from './render.js';

const TOKEN_KEY = 'actorsales.board.token'; // sessionStorage: this tab only, gone when it closes
const DRILL_PAGE = 50;
const $ = id => document.getElementById(id);

const state = {
  token: null,
  claims: null,
  api: null,
  pipelines: new render.Pipelines(),
  teams: [],
  scope: {},
  board: null,
  watch: null, // AbortController of the open stream
  drill: null, // { pipeline, stage, level } while the drill-down is open
  drillRequest: 0,
  alert: null, // the error shown, re-described when the language changes
  status: null,
  devRoles: null,
};

// ---------------------------------------------------------------------------------------------------------------
// Start

setLanguage(initialLanguage(), false);
$('language').addEventListener('click', () => {
  setLanguage(language() === 'zh' ? 'en' : 'zh', true);
  relabel();
});
$('token-form').addEventListener('submit', event => {
  event.preventDefault();
  const token = $('token').value.trim();
  if (!token) {
    showAlert({ text: t('error.noToken') });
    $('token').focus();
    return;
  }
  signIn(token);
});
$('dev-form').addEventListener('submit', async event => {
  event.preventDefault();
  try {
    signIn(await developmentSignIn($('dev-user').value.trim(), $('dev-role').value));
  } catch (error) {
    showAlert(describe(error, {}), error);
  }
});
$('sign-out').addEventListener('click', () => signOut());
$('scope').addEventListener('change', () => {
  state.scope = scopeFromValue($('scope').value);
  history.replaceState(null, '', hashOf(state.scope) || location.pathname);
  closeDrill(false);
  watch();
});
$('drill-close').addEventListener('click', () => closeDrill(true));
document.addEventListener('keydown', event => {
  if (event.key === 'Escape' && state.drill) closeDrill(true);
});
$('alert-retry').addEventListener('click', () => watch());

state.scope = scopeFromHash();
developmentSignInRoles().then(roles => {
  state.devRoles = roles;
  fillDevRoles();
});
const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) signIn(saved);
else showSignIn();

// ---------------------------------------------------------------------------------------------------------------
// Sign-in

function showSignIn() {
  stopWatch();
  $('sign-in').hidden = false;
  $('board').hidden = true;
  $('sign-out').hidden = true;
  $('scope-control').hidden = true;
  $('who').textContent = '';
  setStatus(null);
  fillDevRoles();
}

function fillDevRoles() {
  const select = $('dev-role');
  $('dev-form').hidden = !state.devRoles;
  if (!state.devRoles) return;
  const chosen = select.value || 'manager';
  select.replaceChildren(...state.devRoles.map(role => render.h('option', { value: role }, t(`role.${role}`))));
  select.value = state.devRoles.includes(chosen) ? chosen : state.devRoles[0];
}

async function signIn(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  state.token = token;
  state.claims = claimsOf(token);
  state.api = new Api(token);
  state.board = null;
  clearAlert();
  $('token').value = '';
  $('sign-in').hidden = true;
  $('board').hidden = false;
  $('sign-out').hidden = false;
  showWho();
  clearBoard();
  setStatus('status.connecting');
  $('board').focus();
  const loaded = await loadReferenceData();
  if (loaded) watch();
}

function signOut(clearMessage = true) {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  state.api = null;
  state.claims = null;
  state.teams = [];
  closeDrill(false);
  if (clearMessage) clearAlert();
  showSignIn();
}

function showWho() {
  const claims = state.claims;
  $('who').textContent = claims ? t('signedInAs', { user: claims.user, role: t(`role.${claims.role}`) }) : '';
}

/** Stage names and the teams for the picker. False when the token was refused (the sign-in is shown again). */
async function loadReferenceData() {
  const api = state.api;
  try {
    const [pipelines, teams] = await Promise.all([
      api.listPipelines(),
      state.claims?.role === 'rep' ? Promise.resolve([]) : api.listTeams(),
    ]);
    if (api !== state.api) return false; // signed out meanwhile
    state.pipelines = new render.Pipelines(pipelines);
    state.teams = teams;
  } catch (error) {
    if (api !== state.api) return false;
    const described = describe(error, {});
    if (described.signInAgain) {
      signOut(false);
      showAlert(described, error);
      return false;
    }
    // The board still works without stage names or a team list.
  }
  fillScopes();
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Scope: whose board (a director chooses a team or region, a manager may narrow to one rep, a rep sees their book)

function scopeFromHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  if (params.get('team')) return { team_id: params.get('team') };
  if (params.get('owner')) return { owner_id: params.get('owner') };
  if (params.get('region')) return { region: params.get('region') };
  return {};
}

function hashOf(scope) {
  if (scope.team_id) return `#team=${encodeURIComponent(scope.team_id)}`;
  if (scope.owner_id) return `#owner=${encodeURIComponent(scope.owner_id)}`;
  if (scope.region) return `#region=${encodeURIComponent(scope.region)}`;
  return '';
}

function valueOf(scope) {
  return scope.team_id ? `team:${scope.team_id}` : scope.owner_id ? `owner:${scope.owner_id}` : scope.region ? `region:${scope.region}` : '';
}

function scopeFromValue(value) {
  const colon = value.indexOf(':');
  if (colon < 0) return {};
  const [kind, id] = [value.slice(0, colon), value.slice(colon + 1)];
  return kind === 'team' ? { team_id: id } : kind === 'owner' ? { owner_id: id } : { region: id };
}

function fillScopes() {
  const role = state.claims?.role;
  const select = $('scope');
  const options = [['', t(role === 'rep' ? 'scope.mine.rep' : role === 'manager' ? 'scope.mine.manager' : 'scope.mine.other')]];
  const teams = [...state.teams].sort((a, b) => a.name.localeCompare(b.name));
  if (role === 'manager') {
    const members = new Set(teams.flatMap(team => team.member_ids));
    for (const id of [...members].sort()) options.push([`owner:${id}`, t('scope.owner', { name: id })]);
  } else if (role !== 'rep') {
    for (const team of teams) options.push([`team:${team.team_id}`, t('scope.team', { name: team.name || team.team_id })]);
    for (const region of [...new Set(teams.map(team => team.region).filter(Boolean))].sort()) options.push([`region:${region}`, t('scope.region', { name: region })]);
  }
  const current = valueOf(state.scope);
  if (!options.some(([value]) => value === current)) {
    // A scope from the address (a bookmark, a link): offered as asked; the server decides whether it may be seen.
    const [kind, id] = [current.split(':')[0], current.slice(current.indexOf(':') + 1)];
    options.push([current, t(`scope.${kind}`, { name: id })]);
  }
  select.replaceChildren(...options.map(([value, label]) => render.h('option', { value }, label)));
  select.value = current;
  $('scope-control').hidden = options.length < 2;
}

// ---------------------------------------------------------------------------------------------------------------
// The live board

function stopWatch() {
  state.watch?.abort();
  state.watch = null;
}

async function watch() {
  stopWatch();
  if (!state.api) return;
  const controller = new AbortController();
  state.watch = controller;
  const api = state.api;
  const scope = state.scope;
  $('alert-retry').hidden = true;
  setStatus('status.connecting');
  let attempt = 0;
  while (!controller.signal.aborted) {
    try {
      for await (const board of api.watchBoard({ scope }, controller.signal)) {
        attempt = 0;
        clearAlert();
        state.board = board;
        renderBoard();
        setStatus('status.live', { at: new Date() });
      }
      throw new GrpcError('UNAVAILABLE', 'the board stream ended'); // e.g. the host stopped: reconnect
    } catch (error) {
      if (controller.signal.aborted) return;
      const described = describe(error, scope);
      if (described.signInAgain) {
        signOut(false);
        showAlert(described, error);
        return;
      }
      showAlert(described, error);
      if (!described.retry) {
        setStatus('status.stopped');
        $('alert-retry').hidden = false;
        return;
      }
      setStatus('status.reconnecting');
      attempt += 1;
      await sleep(Math.min(15000, 500 * 2 ** attempt), controller.signal);
    }
  }
}

function sleep(ms, signal) {
  return new Promise(resolve => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

function clearBoard() {
  for (const id of ['heatmap', 'funnel', 'forecast', 'interventions', 'release', 'anomalies', 'goals']) $(id).replaceChildren();
  for (const id of ['interventions-count', 'release-count', 'anomalies-count']) $(id).textContent = '';
  $('as-of').textContent = '';
  $('sections').hidden = true; // until a first board arrives, rather than empty cards
  delete $('board').dataset.checkpoint;
}

function renderBoard() {
  const board = state.board;
  if (!board) return;
  const pipelines = state.pipelines;
  $('sections').hidden = false;
  // A keyboard user on a heatmap cell keeps their place when a new board redraws it.
  const focused = document.activeElement?.matches?.('button.cell') ? { ...document.activeElement.dataset } : null;
  render.renderHeatmap($('heatmap'), board.heatmap, pipelines, openDrill);
  if (focused) cellButton(focused.pipeline, focused.stage, focused.level)?.focus();
  render.renderFunnel($('funnel'), board, pipelines);
  render.renderForecast($('forecast'), board.forecast);
  render.renderInterventions($('interventions'), board, pipelines);
  render.renderRelease($('release'), board);
  render.renderAnomalies($('anomalies'), board.anomalies);
  render.renderGoals($('goals'), board.goals);
  $('interventions-count').textContent = board.intervention_total ? `(${render.formatNumber(board.intervention_total)})` : '';
  $('release-count').textContent = board.about_to_release_total ? `(${render.formatNumber(board.about_to_release_total)})` : '';
  $('anomalies-count').textContent = board.anomalies.length ? `(${render.formatNumber(board.anomalies.length)})` : '';
  $('as-of').textContent = t('asOf', { time: render.formatDateTime(new Date(board.as_of.seconds * 1000)) });
  $('board').dataset.checkpoint = String(board.checkpoint);
  if (state.drill) loadDrill(false);
}

// ---------------------------------------------------------------------------------------------------------------
// Drill-down: the deals behind a heatmap cell (ListStallHeatmapOpportunities), refreshed with every new board

function openDrill(pipeline, stage, level) {
  state.drill = { pipeline, stage, level };
  $('drill').hidden = false;
  loadDrill(true);
}

function closeDrill(restoreFocus) {
  const drill = state.drill;
  state.drill = null;
  $('drill').hidden = true;
  $('drill-body').replaceChildren();
  if (restoreFocus && drill) cellButton(drill.pipeline, drill.stage, drill.level)?.focus();
}

function cellButton(pipeline, stage, level) {
  return document.querySelector(`button.cell[data-pipeline="${CSS.escape(pipeline)}"][data-stage="${CSS.escape(stage)}"][data-level="${CSS.escape(level)}"]`);
}

async function loadDrill(focus) {
  const drill = state.drill;
  const request = ++state.drillRequest;
  const stageName = state.pipelines.stageName(drill.pipeline, drill.stage);
  $('drill-title').textContent = t('drill.title', { stage: stageName, level: t(`level.${drill.level}`) });
  $('drill').dataset.stage = drill.stage;
  $('drill').dataset.level = drill.level;
  if (focus) {
    $('drill-body').replaceChildren(render.h('p', { class: 'empty' }, t('drill.loading')));
    $('drill-title').focus();
  }
  try {
    const page = await state.api.listStallHeatmapOpportunities({
      scope: state.scope, pipeline_key: drill.pipeline, stage: drill.stage, stall_level: drill.level, page_size: DRILL_PAGE,
    });
    if (request !== state.drillRequest || state.drill !== drill) return; // a newer request or a closed list
    const body = [];
    if (page.opportunities.length === 0) body.push(render.h('p', { class: 'empty' }, t('drill.none')));
    else body.push(render.dealTable($('drill-title').textContent, page.opportunities, state.pipelines, { signal: true }));
    if (page.next_page_token) body.push(render.h('p', { class: 'figure-note' }, t('drill.more', { n: DRILL_PAGE })));
    $('drill-body').replaceChildren(...body);
  } catch (error) {
    if (request !== state.drillRequest) return;
    const described = describe(error, state.scope);
    if (described.signInAgain) {
      signOut(false);
      showAlert(described, error);
      return;
    }
    $('drill-body').replaceChildren(render.h('p', { class: 'error' }, described.text));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Messages

function setStatus(key, params) {
  state.status = key ? { key, params } : null;
  // A time is formatted when shown, so a language switch re-formats it.
  $('status').textContent = key ? t(key, { ...params, time: params?.at ? render.formatTime(params.at) : '' }) : '';
  $('status').dataset.state = key ? key.replace('status.', '') : '';
}

function showAlert(described, error) {
  state.alert = { described, error };
  $('alert').hidden = false;
  $('alert-text').textContent = described.text;
  $('alert-detail').textContent = described.detail ?? '';
  $('alert-details').hidden = !described.detail;
}

function clearAlert() {
  state.alert = null;
  $('alert').hidden = true;
  $('alert-text').textContent = '';
  $('alert-detail').textContent = '';
}

/** After a language switch: everything built from labels again, from the data already here. */
function relabel() {
  showWho();
  fillDevRoles();
  if (state.token) fillScopes();
  if (state.status) setStatus(state.status.key, state.status.params);
  if (state.alert) {
    const { error } = state.alert;
    showAlert(error ? describe(error, state.scope) : { text: t('error.noToken') }, error);
  }
  renderBoard();
}

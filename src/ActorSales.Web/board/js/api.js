// The RPCs the board calls, by name: the same public gRPC-Web API any front end uses, with the user's bearer token.
import { Codec } from './protobuf.js';
import { call, unary } from './grpc-web.js';

let codecPromise = null;

async function codec() {
  codecPromise ??= fetch('./schema.json', { cache: 'no-cache' }).then(async response => {
    if (!response.ok) throw new Error(`schema.json: HTTP ${response.status}`);
    const schema = await response.json();
    return { codec: new Codec(schema), schema };
  }).catch(error => {
    codecPromise = null;
    throw error;
  });
  return codecPromise;
}

async function method(name) {
  const { codec: c, schema } = await codec();
  const m = schema.methods[name];
  if (!m) throw new Error(`schema.json has no method ${name}`);
  return { c, m, path: `/${name}` };
}

async function unaryCall(name, request, token) {
  const { c, m, path } = await method(name);
  return c.decode(m.response, await unary(path, c.encode(m.request, request), { token }));
}

export class Api {
  constructor(token) {
    this.token = token;
  }

  /** AnalyticsService.WatchBoard: yields each board as it arrives; ends with the stream (abort with `signal`). */
  async *watchBoard(request, signal) {
    const { c, m, path } = await method('actorsales.v1.AnalyticsService/WatchBoard');
    for await (const bytes of call(path, c.encode(m.request, request), { token: this.token, signal })) {
      yield c.decode(m.response, bytes);
    }
  }

  /** AnalyticsService.ListStallHeatmapOpportunities: the deals behind one heatmap cell. */
  listStallHeatmapOpportunities(request) {
    return unaryCall('actorsales.v1.AnalyticsService/ListStallHeatmapOpportunities', request, this.token);
  }

  /** TeamsService.ListTeams, every page: the teams the caller may see (for the scope picker). */
  async listTeams() {
    const teams = [];
    let page_token = '';
    do {
      const page = await unaryCall('actorsales.v1.TeamsService/ListTeams', { page_size: 500, page_token }, this.token);
      teams.push(...page.teams);
      page_token = page.next_page_token;
    } while (page_token && teams.length < 5000);
    return teams;
  }

  /** PipelinesService.ListPipelines: stage order and display names. */
  async listPipelines() {
    return (await unaryCall('actorsales.v1.PipelinesService/ListPipelines', {}, this.token)).pipelines;
  }
}

/** The Local profile's development sign-in: null when this host has none (any other profile). */
export async function developmentSignInRoles() {
  try {
    const response = await fetch('./dev-sign-in', { cache: 'no-store', credentials: 'omit' });
    return response.ok ? (await response.json()).roles : null;
  } catch {
    return null;
  }
}

/** Mints a token for `user` as `role` (Local profile only). */
export async function developmentSignIn(user, role) {
  const response = await fetch('./dev-sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user, role }),
    cache: 'no-store',
    credentials: 'omit',
  });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw Object.assign(new Error(body.error ?? `HTTP ${response.status}`), { signIn: true });
  }
  return (await response.json()).token;
}

/** Reads (never trusts) a JWT's claims, to label the page and pick the scope controls; the server decides access. */
export function claimsOf(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = new TextDecoder().decode(Uint8Array.from(atob(payload.padEnd(Math.ceil(payload.length / 4) * 4, '=')), ch => ch.charCodeAt(0)));
    const claims = JSON.parse(json);
    return { user: String(claims.sub ?? ''), role: String(claims.role ?? '').toLowerCase(), expiresAt: claims.exp ? new Date(claims.exp * 1000) : null };
  } catch {
    return null;
  }
}

/** A protobuf Timestamp as a Date (null when unset). */
export function toDate(timestamp) {
  return timestamp ? new Date(timestamp.seconds * 1000 + Math.floor(timestamp.nanos / 1e6)) : null;
}

/**
 * The live lab's network-conditions knob (issue 11): a named profile and the
 * raw knobs over it, as `POST /api/lab/network/conditions` takes them.
 *
 * - `{"profile":"mobile-3g"}` applies a profile whole: its delay, its
 *   bandwidth cap and every condition (`"none"` clears the conditions and the
 *   cap and keeps the delay);
 * - `{"jitterMs":20}` changes only the knobs it names and keeps the rest;
 * - both: the profile first, then the knobs over it.
 *
 * 0 turns a knob off (for cuts and idle drops: never). Pure: the bounds are
 * conditions.ts's, and a bad value is a `bad_request` naming the field.
 */
import { LabError } from '../protocol/index.ts';
import { CONDITION_LIMITS, describeConditions, resolveConditions } from '../net/conditions.ts';
import type { NetworkConditions } from '../net/conditions.ts';
import { IMPAIRED_PROFILE_NAMES, NETWORK_PROFILE_NAMES, parseNetworkProfile, proxyConditions } from '../net/profiles.ts';
import { numberField } from './http.ts';
import type { LabConditions } from './types.ts';

/** The names the knob takes: every named profile, and `none`. */
export const LAB_PROFILE_NAMES: readonly string[] = ['none', ...NETWORK_PROFILE_NAMES, ...IMPAIRED_PROFILE_NAMES];
const RAW_KNOBS = ['jitterMs', 'stallsPerMinute', 'cutEveryMs', 'idleDropMs'] as const;
const FIELDS: readonly string[] = ['profile', ...RAW_KNOBS];

/** What the panes' proxies run under, besides the delay. */
export interface PaneConditions {
  profile: string | null;
  /** A raw knob was turned after the profile was applied. */
  adjusted?: boolean;
  conditions: NetworkConditions;
  bandwidthBytesPerSecond?: number;
}

export const NO_CONDITIONS: PaneConditions = Object.freeze({ profile: null, conditions: {} });

/** The new conditions, and the delay when a profile sets one. Throws bad_request for a bad body. */
export function applyConditionsRequest(body: unknown, current: PaneConditions): { next: PaneConditions; oneWayDelayMs?: number } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new LabError('bad_request', 'the body must be a JSON object');
  const unknown = Object.keys(body).find((key) => !FIELDS.includes(key));
  if (unknown !== undefined) throw new LabError('bad_request', `unknown field ${unknown.slice(0, 40)}: send ${FIELDS.join(', ')}`);
  const fields = body as Record<string, unknown>;
  if (!RAW_KNOBS.some((knob) => fields[knob] !== undefined) && fields.profile === undefined) {
    throw new LabError('bad_request', `send a profile or at least one of ${RAW_KNOBS.join(', ')}`);
  }
  let next: PaneConditions = current;
  let oneWayDelayMs: number | undefined;
  if (fields.profile !== undefined) {
    const name = fields.profile;
    if (typeof name !== 'string' || !LAB_PROFILE_NAMES.includes(name)) {
      throw new LabError('bad_request', `profile must be one of ${LAB_PROFILE_NAMES.join(', ')}`);
    }
    if (name === 'none') {
      next = { profile: null, conditions: {} };
    } else {
      const profile = parseNetworkProfile(name);
      const { bandwidthBytesPerSecond, ...conditions } = proxyConditions(profile);
      next = { profile: name, conditions, ...(bandwidthBytesPerSecond === undefined ? {} : { bandwidthBytesPerSecond }) };
      oneWayDelayMs = profile.oneWayDelayMs;
    }
  }
  const conditions: NetworkConditions = { ...next.conditions };
  const jitter = numberField(fields, 'jitterMs', CONDITION_LIMITS.jitterMs.min, CONDITION_LIMITS.jitterMs.max);
  if (jitter !== undefined) conditions.jitterMs = jitter;
  const stalls = numberField(fields, 'stallsPerMinute', CONDITION_LIMITS.stallsPerMinute.min, CONDITION_LIMITS.stallsPerMinute.max);
  if (stalls !== undefined) conditions.stallsPerMinute = stalls;
  for (const knob of ['cutEveryMs', 'idleDropMs'] as const) {
    const value = numberField(fields, knob, 0, CONDITION_LIMITS[knob].max);
    if (value === undefined) continue;
    if (value > 0 && value < CONDITION_LIMITS[knob].min) {
      throw new LabError('bad_request', `${knob} must be 0 (never) or from ${CONDITION_LIMITS[knob].min} to ${CONDITION_LIMITS[knob].max}`);
    }
    if (value === 0) delete conditions[knob];
    else conditions[knob] = value;
  }
  try {
    resolveConditions(conditions);
  } catch (error) {
    throw new LabError('bad_request', `network conditions: ${(error as Error).message}`);
  }
  const adjusted = next.profile !== null && (next.adjusted === true || RAW_KNOBS.some((knob) => fields[knob] !== undefined));
  return { next: { ...next, conditions, adjusted }, oneWayDelayMs };
}

/** The conditions as GET /api/lab/network shows them. */
export function conditionsView(pane: PaneConditions): LabConditions {
  const resolved = resolveConditions(pane.conditions);
  const parts: string[] = [];
  if (pane.bandwidthBytesPerSecond !== undefined) parts.push(`${(pane.bandwidthBytesPerSecond * 8) / 1000} kbps per direction`);
  const described = describeConditions(pane.conditions);
  if (described !== 'no impairment' || parts.length === 0) parts.push(described);
  return {
    profile: pane.profile,
    jitterMs: resolved.jitterMs,
    stallsPerMinute: resolved.stallsPerMinute,
    cutEveryMs: resolved.cutEveryMs ?? 0,
    idleDropMs: resolved.idleDropMs ?? 0,
    bandwidthBytesPerSecond: pane.bandwidthBytesPerSecond ?? null,
    description: `${pane.profile ?? 'no profile'}${pane.adjusted ? ' (knobs changed)' : ''}: ${parts.join(', ')}`,
  };
}

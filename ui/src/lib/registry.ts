/**
 * The Models view's approval, publishing and registry logic, free of Svelte
 * and the DOM: what a decision needs before it is sent, whether a model may be
 * published (and why not), the name it is published under, how a publish job
 * reads (progress, retries), the outbox's order and how a `publish-progress`
 * event lands in it, the login form's checks and the alias moves a remote
 * model allows.
 *
 * The shell enforces every rule that matters (an approval without an override
 * note when checks failed is refused with `bad_input`); the checks here only
 * say so before the round trip, in words next to the field.
 */
import type {
  Decision,
  Model,
  ModelApproval,
  ModelStatus,
  PublishJob,
  PublishState,
  RegistryAuth,
  RegistryConnection,
  RegistryLogin,
  RemoteModel,
} from './backend';
import { formatBytes, formatPercent } from './format';
import { baseName } from './projects';

/** The alias a publish sets unless told otherwise: the team's production pointer. */
export const DEFAULT_ALIAS = 'champion';
/** The alias a candidate waits under before it is promoted. */
export const CHALLENGER_ALIAS = 'challenger';

// ---------------------------------------------------------------------------
// Status cache

/** The list's badges: statuses seen so far, by model id (the list never runs checks itself). */
export type StatusCache = ReadonlyMap<number, ModelStatus>;

export function withStatus(statuses: StatusCache, modelId: number, status: ModelStatus): StatusCache {
  if (statuses.get(modelId) === status) return statuses;
  const next = new Map(statuses);
  next.set(modelId, status);
  return next;
}

/** A finished publish makes its model published; anything else leaves the cache as it is. */
export function statusAfterJob(statuses: StatusCache, job: PublishJob): StatusCache {
  if (job.state !== 'done' || job.model_id === null) return statuses;
  return withStatus(statuses, job.model_id, 'published');
}

// ---------------------------------------------------------------------------
// Checks and decisions

export type CheckCounts = { pass: number; fail: number; error: number };

export function checkCounts(approval: Pick<ModelApproval, 'checks'>): CheckCounts {
  const counts = { pass: 0, fail: 0, error: 0 };
  for (const check of approval.checks) counts[check.status] += 1;
  return counts;
}

/** Approving needs an override note when any check failed or could not run (the shell's `all_passed`). */
export function overrideRequired(approval: Pick<ModelApproval, 'all_passed'>): boolean {
  return !approval.all_passed;
}

/** The latest decision was made on other content than the model has now: it no longer counts. */
export function approvalIsStale(approval: Pick<ModelApproval, 'approval' | 'content_hash'>): boolean {
  return approval.approval !== null && approval.approval.content_hash !== approval.content_hash;
}

export type DecisionCheck = {
  errors: { note?: string; overrideNote?: string };
  /** What to send as `overrideNote`: trimmed, and only for an approval that needs one. */
  overrideNote: string | null;
  note: string;
};

/** Checks a decision before it is sent: a note always, an override note to approve past failed checks. */
export function checkDecision(
  decision: Decision,
  approval: Pick<ModelApproval, 'all_passed' | 'checks'>,
  noteText: string,
  overrideText: string,
): DecisionCheck {
  const note = noteText.trim();
  const override = overrideText.trim();
  const needsOverride = decision === 'approve' && overrideRequired(approval);
  const errors: DecisionCheck['errors'] = {};
  if (note === '') errors.note = 'Write a note: it is kept in the audit log with your decision';
  if (needsOverride && override === '') {
    errors.overrideNote = `${failedText(approval)}: approving anyway needs an override note that says why`;
  }
  return { errors, note, overrideNote: needsOverride ? override : null };
}

/** "1 of 4 checks failed", "2 of 3 checks did not pass" (failures and checks that could not run). */
export function failedText(approval: Pick<ModelApproval, 'checks'>): string {
  const counts = checkCounts(approval);
  const total = approval.checks.length;
  const bad = counts.fail + counts.error;
  const noun = total === 1 ? 'check' : 'checks';
  if (counts.error === 0) return `${bad} of ${total} ${noun} failed`;
  return `${bad} of ${total} ${noun} did not pass`;
}

// ---------------------------------------------------------------------------
// Publishing

/** A file's name without its last extension: `model.onnx` -> `model`; a folder keeps its name. */
export function fileStem(path: string): string {
  const name = baseName(path);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/**
 * The name to publish under, until the user types one: the model's catalog
 * name, else the name it was last published under, else the name its
 * project's registry has it under, else the file's stem.
 */
export function defaultPublishName(
  model: Pick<Model, 'name' | 'path'>,
  approval: Pick<ModelApproval, 'publications'> | null,
  registeredNames: readonly string[],
): string {
  const name = model.name?.trim();
  if (name) return name;
  const published = [...(approval?.publications ?? [])].sort((a, b) => b.at_ms - a.at_ms)[0];
  if (published) return published.name;
  if (registeredNames.length > 0) return registeredNames[0];
  return fileStem(model.path);
}

/** The registry preselected: the default connection, else the first; null when there is none. */
export function defaultRegistry(connections: readonly RegistryConnection[] | null): string | null {
  if (connections === null || connections.length === 0) return null;
  return (connections.find((c) => c.is_default) ?? connections[0]).url;
}

export type PublishGate = {
  /** null while the checks run. */
  status: ModelStatus | null;
  /** null while they load. */
  connections: readonly RegistryConnection[] | null;
  name: string;
  /** A publish of this model still under way. */
  active: PublishJob | null;
};

/** Why Publish is disabled, for its tooltip; null when it may be pressed. */
export function publishBlocker(gate: PublishGate): string | null {
  switch (gate.status) {
    case null:
      return 'The approval checks are still running';
    case 'candidate':
      return 'Only approved models are published: approve this one first';
    case 'rejected':
      return 'This model was rejected: approve it before publishing';
  }
  if (gate.connections === null) return 'The registries are still loading';
  if (gate.connections.length === 0) return 'Log in to a registry first (Registry settings, in the Models list)';
  if (gate.name.trim() === '') return 'Give the registered model a name';
  if (gate.active !== null) return 'This model is being published';
  return null;
}

const ACTIVE: readonly PublishState[] = ['queued', 'running', 'waiting'];

/** The job may still change (and be cancelled). */
export function isActive(job: Pick<PublishJob, 'state'>): boolean {
  return ACTIVE.includes(job.state);
}

export const STATE_LABELS: Record<PublishState, string> = {
  queued: 'Queued',
  running: 'Publishing',
  waiting: 'Waiting to retry',
  done: 'Published',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** How much is uploaded, 0 to 1; a finished job is full, one with no size known yet is empty. */
export function progressFraction(job: Pick<PublishJob, 'state' | 'bytes_done' | 'bytes_total'>): number {
  if (job.state === 'done') return 1;
  if (!(job.bytes_total > 0)) return 0;
  return Math.min(1, Math.max(0, job.bytes_done / job.bytes_total));
}

/** "1.2 MB of 2.4 MB (50%)"; empty until the size is known. */
export function progressText(job: Pick<PublishJob, 'bytes_done' | 'bytes_total'>): string {
  if (!(job.bytes_total > 0)) return '';
  const done = Math.min(job.bytes_done, job.bytes_total);
  return `${formatBytes(done)} of ${formatBytes(job.bytes_total)} (${formatPercent(done, job.bytes_total)})`;
}

/** "retrying in 5 s" while the job waits (whole seconds, rounded up), "retrying now" when the time has come. */
export function retryText(job: Pick<PublishJob, 'state' | 'next_attempt_ms'>, nowMs: number): string | null {
  if (job.state !== 'waiting' || job.next_attempt_ms === null) return null;
  const seconds = Math.max(0, Math.ceil((job.next_attempt_ms - nowMs) / 1000));
  return seconds === 0 ? 'retrying now' : `retrying in ${seconds} s`;
}

/** "attempt 3" once a job has been tried more than once, or is waiting for its next try. */
export function attemptText(job: Pick<PublishJob, 'state' | 'attempts'>): string | null {
  if (job.attempts > 1 || (job.state === 'waiting' && job.attempts > 0)) return `attempt ${job.attempts}`;
  return null;
}

/** The outbox's order: newest first (ids break ties: they grow). */
export function sortJobs(jobs: readonly PublishJob[]): PublishJob[] {
  return [...jobs].sort((a, b) => b.created_ms - a.created_ms || b.id - a.id);
}

/**
 * Lands a `publish-progress` event (the whole job) in the outbox. An event
 * older than what is shown (it crossed a fresh `publish_jobs` answer) is
 * dropped, so a job never goes back from done to running.
 */
export function mergeJob(jobs: readonly PublishJob[], job: PublishJob): PublishJob[] {
  const index = jobs.findIndex((j) => j.id === job.id);
  if (index === -1) return sortJobs([...jobs, job]);
  if (jobs[index].updated_ms > job.updated_ms) return [...jobs];
  const next = [...jobs];
  next[index] = job;
  return sortJobs(next);
}

/**
 * The outbox after a fresh `publish_jobs` answer. Events cross such an answer:
 * a shown job that is newer than the answer's copy is kept, and so is an
 * active job the answer does not have yet (queued after it was read). Other
 * jobs the answer lacks are gone from the shell and go here too.
 */
export function refreshJobs(fresh: readonly PublishJob[], shown: readonly PublishJob[]): PublishJob[] {
  let jobs = sortJobs(fresh);
  for (const seen of shown) {
    const known = fresh.some((j) => j.id === seen.id);
    if (known || isActive(seen)) jobs = mergeJob(jobs, seen);
  }
  return jobs;
}

/** The newest publish of this model, whatever its state. */
export function latestJobFor(jobs: readonly PublishJob[], modelId: number): PublishJob | null {
  return sortJobs(jobs.filter((j) => j.model_id === modelId))[0] ?? null;
}

/** The approval already lists the version this job made. */
export function showsPublication(approval: Pick<ModelApproval, 'publications'>, job: PublishJob): boolean {
  return (
    job.version !== null &&
    approval.publications.some((p) => p.registry === job.registry && p.name === job.name && p.version === job.version)
  );
}

// ---------------------------------------------------------------------------
// Registry connections

export type LoginForm = { url: string; auth: RegistryAuth; username: string; secret: string; caFile: string };

export type LoginCheck = {
  errors: { url?: string; username?: string; secret?: string };
  /** What to send; null while the form has errors. */
  login: RegistryLogin | null;
};

/** Checks the login form: an http(s) URL, a username for basic auth, a secret unless auth is none. */
export function checkLogin(form: LoginForm): LoginCheck {
  const url = form.url.trim();
  const username = form.username.trim();
  const caFile = form.caFile.trim();
  const errors: LoginCheck['errors'] = {};
  if (url === '') errors.url = 'The registry’s URL, e.g. https://mlflow.example.com';
  else if (!isHttpUrl(url)) errors.url = 'An http:// or https:// URL';
  if (form.auth === 'basic' && username === '') errors.username = 'Basic auth needs a username';
  if (form.auth !== 'none' && form.secret === '') {
    errors.secret = form.auth === 'basic' ? 'Basic auth needs a password' : 'Bearer auth needs a token';
  }
  if (Object.keys(errors).length > 0) return { errors, login: null };
  return {
    errors,
    login: {
      url,
      auth: form.auth,
      username: form.auth === 'basic' ? username : null,
      // Secrets are sent as typed: spaces may be part of them.
      secret: form.auth === 'none' ? null : form.secret,
      caFile: caFile === '' ? null : caFile,
    },
  };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host !== '';
  } catch {
    return false;
  }
}

/** The list after a login: the connection replaced (by URL) or added; a new default unsets the others. */
export function upsertConnection(connections: readonly RegistryConnection[], connection: RegistryConnection): RegistryConnection[] {
  const others = connections
    .filter((c) => c.url !== connection.url)
    .map((c) => (connection.is_default && c.is_default ? { ...c, is_default: false } : c));
  const index = connections.findIndex((c) => c.url === connection.url);
  if (index === -1) return [...others, connection];
  others.splice(index, 0, connection);
  return others;
}

// ---------------------------------------------------------------------------
// Remote models

export type AliasMoves = {
  /** Why "promote challenger to champion" is disabled; null when it may be pressed. */
  promote: string | null;
  rollback: string | null;
};

/** Which alias moves a remote model allows (the registry keeps the champion's history; it decides the rest). */
export function aliasMoves(model: Pick<RemoteModel, 'aliases' | 'versions'>): AliasMoves {
  const champion = model.aliases[DEFAULT_ALIAS];
  const challenger = model.aliases[CHALLENGER_ALIAS];
  let promote: string | null = null;
  if (challenger === undefined) promote = 'No version has the challenger alias';
  else if (challenger === champion) promote = `Version ${challenger} is already the champion`;
  let rollback: string | null = null;
  if (champion === undefined) rollback = 'No version is the champion';
  else if (model.versions.length < 2) rollback = 'There is no earlier version to roll back to';
  return { promote, rollback };
}

/** The list with one model's row replaced (after an alias move), or added. */
export function replaceRemote(models: readonly RemoteModel[], model: RemoteModel): RemoteModel[] {
  const index = models.findIndex((m) => m.registry === model.registry && m.name === model.name);
  if (index === -1) return [...models, model];
  const next = [...models];
  next[index] = model;
  return next;
}

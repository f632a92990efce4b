import { describe, expect, test } from 'vitest';
import type { CheckItem, ModelApproval, PublishJob, RegistryConnection, RemoteModel } from './backend';
import {
  aliasMoves,
  approvalIsStale,
  attemptText,
  checkDecision,
  checkLogin,
  defaultPublishName,
  defaultRegistry,
  failedText,
  fileStem,
  isActive,
  latestJobFor,
  mergeJob,
  progressFraction,
  progressText,
  publishBlocker,
  refreshJobs,
  replaceRemote,
  retryText,
  showsPublication,
  sortJobs,
  statusAfterJob,
  upsertConnection,
  withStatus,
  type LoginForm,
  type PublishGate,
} from './registry';

const check = (id: string, status: CheckItem['status']): CheckItem => ({
  id,
  label: id,
  kind: 'metric',
  status,
  expected: '>= 0.8',
  actual: '0.9',
  detail: null,
});

const approval = (fields: Partial<ModelApproval> = {}): ModelApproval => ({
  model_id: 1,
  path: 'model.onnx',
  format: 'onnx',
  content_hash: 'h-now',
  status: 'candidate',
  policy: '/p/driftdeck.toml',
  checks: [check('auc', 'pass'), check('drift', 'fail')],
  all_passed: false,
  approval: null,
  publications: [],
  evidence: [],
  datasets: {},
  ...fields,
});

const job = (fields: Partial<PublishJob> = {}): PublishJob => ({
  id: 1,
  model_id: 1,
  model_path: '/p/model.onnx',
  content_hash: 'h-now',
  registry: 'https://mlflow.example.com',
  name: 'fraud-gbm',
  alias: 'champion',
  state: 'queued',
  step: 'queued',
  bytes_done: 0,
  bytes_total: 0,
  attempts: 0,
  max_attempts: 10,
  error: null,
  next_attempt_ms: null,
  version: null,
  version_url: null,
  created_ms: 1000,
  updated_ms: 1000,
  ...fields,
});

const connection = (url: string, fields: Partial<RegistryConnection> = {}): RegistryConnection => ({
  url,
  auth: 'basic',
  username: 'ana',
  ca_file: null,
  is_default: false,
  has_secret: true,
  keyring: 'Secret Service',
  ...fields,
});

describe('status cache', () => {
  test('withStatus sets a status in a new map, and keeps the same map when nothing changes', () => {
    const empty = new Map();
    const one = withStatus(empty, 3, 'approved');
    expect(one).not.toBe(empty);
    expect(empty.size).toBe(0);
    expect([...one]).toEqual([[3, 'approved']]);
    expect(withStatus(one, 3, 'approved')).toBe(one);
    expect([...withStatus(one, 3, 'rejected')]).toEqual([[3, 'rejected']]);
  });

  test.each([
    ['done', 1, [[1, 'published']]],
    ['running', 1, [[1, 'approved']]],
    ['failed', 1, [[1, 'approved']]],
    ['done', null, [[1, 'approved']]],
  ] as const)('a %s job of model %s leaves %j', (state, modelId, expected) => {
    const statuses = new Map([[1, 'approved' as const]]);
    expect([...statusAfterJob(statuses, job({ state, model_id: modelId }))]).toEqual(expected);
  });
});

describe('decisions', () => {
  test('failedText counts failures, and says "did not pass" when some could not run', () => {
    expect(failedText(approval())).toBe('1 of 2 checks failed');
    expect(failedText(approval({ checks: [check('a', 'error'), check('b', 'fail'), check('c', 'pass')] }))).toBe(
      '2 of 3 checks did not pass',
    );
    expect(failedText(approval({ checks: [check('a', 'fail')] }))).toBe('1 of 1 check failed');
  });

  test('a note is always required', () => {
    for (const decision of ['approve', 'reject'] as const) {
      const result = checkDecision(decision, approval({ all_passed: true }), '  ', '');
      expect(result.errors.note).toMatch(/note/);
    }
  });

  test('approving past a failed check needs an override note; rejecting does not', () => {
    const failing = approval();
    expect(checkDecision('approve', failing, 'looks fine', '').errors).toEqual({
      overrideNote: '1 of 2 checks failed: approving anyway needs an override note that says why',
    });
    expect(checkDecision('approve', failing, ' looks fine ', ' drift is seasonal ')).toEqual({
      errors: {},
      note: 'looks fine',
      overrideNote: 'drift is seasonal',
    });
    expect(checkDecision('reject', failing, 'too much drift', '')).toEqual({
      errors: {},
      note: 'too much drift',
      overrideNote: null,
    });
  });

  test('when every check passed, no override note is sent even if one was typed', () => {
    const passing = approval({ all_passed: true, checks: [check('auc', 'pass')] });
    expect(checkDecision('approve', passing, 'ok', 'left over')).toEqual({ errors: {}, note: 'ok', overrideNote: null });
  });

  test('an approval of other content is stale', () => {
    const decided = { decision: 'approved', actor: 'ana', at_ms: 1, note: 'ok', override_note: null } as const;
    expect(approvalIsStale(approval())).toBe(false);
    expect(approvalIsStale(approval({ approval: { ...decided, content_hash: 'h-now' } }))).toBe(false);
    expect(approvalIsStale(approval({ approval: { ...decided, content_hash: 'h-old' } }))).toBe(true);
  });
});

describe('publish defaults', () => {
  test.each([
    ['model.onnx', 'model'],
    ['models/churn.v2.pkl', 'churn.v2'],
    ['mlruns/1/r-1/artifacts/model', 'model'],
    ['.hidden', '.hidden'],
    ['C:\\work\\net.safetensors', 'net'],
  ])('fileStem(%s) is %s', (path, stem) => {
    expect(fileStem(path)).toBe(stem);
  });

  test('defaultPublishName: catalog name, then the last published name, then the registered name, then the stem', () => {
    const published = approval({
      publications: [
        { registry: 'r', name: 'old-name', version: '1', url: 'u', at_ms: 1 },
        { registry: 'r', name: 'new-name', version: '2', url: 'u', at_ms: 2 },
      ],
    });
    expect(defaultPublishName({ name: ' churn-net ', path: 'model.onnx' }, published, ['fraud-gbm'])).toBe('churn-net');
    expect(defaultPublishName({ name: null, path: 'model.onnx' }, published, ['fraud-gbm'])).toBe('new-name');
    expect(defaultPublishName({ name: '  ', path: 'model.onnx' }, approval(), ['fraud-gbm'])).toBe('fraud-gbm');
    expect(defaultPublishName({ name: null, path: 'dir/model.onnx' }, null, [])).toBe('model');
  });

  test('defaultRegistry: the default connection, else the first, else none', () => {
    expect(defaultRegistry(null)).toBeNull();
    expect(defaultRegistry([])).toBeNull();
    expect(defaultRegistry([connection('https://a'), connection('https://b', { is_default: true })])).toBe('https://b');
    expect(defaultRegistry([connection('https://a'), connection('https://b')])).toBe('https://a');
  });
});

describe('publishBlocker', () => {
  const open: PublishGate = { status: 'approved', connections: [connection('https://a')], name: 'fraud-gbm', active: null };

  test.each([
    ['approved', {}, null],
    ['published (again)', { status: 'published' }, null],
    ['checks running', { status: null }, /still running/],
    ['a candidate', { status: 'candidate' }, /approve this one first/],
    ['rejected', { status: 'rejected' }, /rejected/],
    ['registries loading', { connections: null }, /loading/],
    ['no registry', { connections: [] }, /Log in to a registry/],
    ['no name', { name: '  ' }, /name/],
    ['a publish under way', { active: job({ state: 'running' }) }, /being published/],
  ] as const)('%s', (_case, fields, expected) => {
    const reason = publishBlocker({ ...open, ...(fields as Partial<PublishGate>) });
    if (expected === null) expect(reason).toBeNull();
    else expect(reason).toMatch(expected);
  });
});

describe('job progress', () => {
  test.each([
    [{ state: 'running', bytes_done: 50, bytes_total: 100 }, 0.5],
    [{ state: 'running', bytes_done: 0, bytes_total: 0 }, 0],
    [{ state: 'running', bytes_done: 120, bytes_total: 100 }, 1],
    [{ state: 'done', bytes_done: 0, bytes_total: 0 }, 1],
    [{ state: 'failed', bytes_done: 25, bytes_total: 100 }, 0.25],
  ] as const)('progressFraction(%j) is %s', (fields, fraction) => {
    expect(progressFraction(job(fields))).toBe(fraction);
  });

  test('progressText shows bytes and share once the size is known', () => {
    expect(progressText(job({ bytes_done: 1_200_000, bytes_total: 2_400_000 }))).toBe('1.2 MB of 2.4 MB (50%)');
    expect(progressText(job({ bytes_done: 0, bytes_total: 0 }))).toBe('');
  });

  test.each([
    [{ state: 'waiting', next_attempt_ms: 10_000 }, 5_000, 'retrying in 5 s'],
    [{ state: 'waiting', next_attempt_ms: 10_000 }, 9_001, 'retrying in 1 s'],
    [{ state: 'waiting', next_attempt_ms: 10_000 }, 4_500, 'retrying in 6 s'],
    [{ state: 'waiting', next_attempt_ms: 10_000 }, 5_800, 'retrying in 5 s'],
    [{ state: 'waiting', next_attempt_ms: 10_000 }, 9_600, 'retrying in 1 s'],
    [{ state: 'waiting', next_attempt_ms: 10_000 }, 12_000, 'retrying now'],
    [{ state: 'waiting', next_attempt_ms: null }, 0, null],
    [{ state: 'running', next_attempt_ms: 10_000 }, 0, null],
  ] as const)('retryText(%j, now %s) is %s', (fields, now, text) => {
    expect(retryText(job(fields), now)).toBe(text);
  });

  test('attemptText shows from the second try, or while waiting', () => {
    expect(attemptText(job({ state: 'running', attempts: 1 }))).toBeNull();
    expect(attemptText(job({ state: 'waiting', attempts: 1 }))).toBe('attempt 1');
    expect(attemptText(job({ state: 'running', attempts: 3 }))).toBe('attempt 3');
  });

  test('isActive: queued, running and waiting jobs can still change', () => {
    const states = ['queued', 'running', 'waiting', 'done', 'failed', 'cancelled'] as const;
    expect(states.filter((state) => isActive({ state }))).toEqual(['queued', 'running', 'waiting']);
  });
});

describe('outbox', () => {
  const a = job({ id: 1, created_ms: 100, updated_ms: 100 });
  const b = job({ id: 2, created_ms: 300, updated_ms: 300, model_id: 2 });
  const c = job({ id: 3, created_ms: 300, updated_ms: 300 });

  test('sortJobs: newest first, the higher id first on equal times; the input is left alone', () => {
    const input = [a, b, c];
    expect(sortJobs(input).map((j) => j.id)).toEqual([3, 2, 1]);
    expect(input.map((j) => j.id)).toEqual([1, 2, 3]);
  });

  test('mergeJob adds a new job in order and replaces a known one', () => {
    const jobs = sortJobs([a, b]);
    expect(mergeJob(jobs, c).map((j) => j.id)).toEqual([3, 2, 1]);
    const progressed = { ...a, state: 'running' as const, bytes_done: 5, bytes_total: 10, updated_ms: 150 };
    const merged = mergeJob(jobs, progressed);
    expect(merged.map((j) => [j.id, j.state])).toEqual([
      [2, 'queued'],
      [1, 'running'],
    ]);
    expect(jobs[1].state).toBe('queued');
  });

  test('mergeJob drops an event older than what is shown', () => {
    const done = { ...a, state: 'done' as const, updated_ms: 500 };
    const late = { ...a, state: 'running' as const, updated_ms: 400 };
    expect(mergeJob([done], late)).toEqual([done]);
    const same = { ...a, state: 'failed' as const, updated_ms: 500 };
    expect(mergeJob([done], same)).toEqual([same]);
  });

  test('refreshJobs keeps newer shown copies and active jobs the answer lacks, and drops the rest', () => {
    const fresh = [{ ...a, state: 'running' as const, updated_ms: 200 }, b];
    const shownDone = { ...a, state: 'done' as const, updated_ms: 250 };
    const shownStale = { ...b, state: 'queued' as const, updated_ms: 100 };
    const queuedMeanwhile = job({ id: 9, created_ms: 400, updated_ms: 400 });
    const pruned = job({ id: 5, state: 'failed', created_ms: 50, updated_ms: 50 });
    const result = refreshJobs(fresh, [shownDone, shownStale, queuedMeanwhile, pruned]);
    expect(result.map((j) => [j.id, j.state, j.updated_ms])).toEqual([
      [9, 'queued', 400],
      [2, 'queued', 300],
      [1, 'done', 250],
    ]);
  });

  test('latestJobFor: the newest job of that model', () => {
    expect(latestJobFor([a, b, c], 1)?.id).toBe(3);
    expect(latestJobFor([a, b, c], 2)?.id).toBe(2);
    expect(latestJobFor([a, b, c], 9)).toBeNull();
  });

  test('showsPublication matches registry, name and version', () => {
    const finished = job({ state: 'done', version: '4' });
    const pub = { registry: finished.registry, name: 'fraud-gbm', version: '4', url: 'u', at_ms: 1 };
    expect(showsPublication(approval({ publications: [pub] }), finished)).toBe(true);
    expect(showsPublication(approval({ publications: [{ ...pub, version: '3' }] }), finished)).toBe(false);
    expect(showsPublication(approval({ publications: [pub] }), job({ version: null }))).toBe(false);
  });
});

describe('login form', () => {
  const form = (fields: Partial<LoginForm>): LoginForm => ({
    url: 'https://mlflow.example.com',
    auth: 'basic',
    username: 'ana',
    secret: 's3cret ',
    caFile: '',
    ...fields,
  });

  test('a complete basic login is sent trimmed, except the secret', () => {
    expect(checkLogin(form({ url: ' https://mlflow.example.com ', username: ' ana ', caFile: ' /etc/ca.pem ' }))).toEqual({
      errors: {},
      login: { url: 'https://mlflow.example.com', auth: 'basic', username: 'ana', secret: 's3cret ', caFile: '/etc/ca.pem' },
    });
  });

  test('bearer sends no username; none sends no secret', () => {
    expect(checkLogin(form({ auth: 'bearer' })).login).toMatchObject({ username: null, secret: 's3cret ', caFile: null });
    expect(checkLogin(form({ auth: 'none', secret: '' })).login).toMatchObject({ username: null, secret: null });
  });

  test.each([
    [{ url: '' }, 'url', /URL/],
    [{ url: 'mlflow.example.com' }, 'url', /http/],
    [{ url: 'ftp://mlflow.example.com' }, 'url', /http/],
    [{ username: ' ' }, 'username', /username/],
    [{ secret: '' }, 'secret', /password/],
    [{ auth: 'bearer', secret: '' }, 'secret', /token/],
  ] as const)('%j is refused at %s', (fields, field, message) => {
    const result = checkLogin(form(fields as Partial<LoginForm>));
    expect(result.login).toBeNull();
    expect(Object.keys(result.errors)).toEqual([field]);
    expect(result.errors[field]).toMatch(message);
  });

  test('upsertConnection replaces in place, appends new ones, and keeps one default', () => {
    const list = [connection('https://a', { is_default: true }), connection('https://b')];
    expect(upsertConnection(list, connection('https://a', { username: 'bo', is_default: true }))).toEqual([
      connection('https://a', { username: 'bo', is_default: true }),
      connection('https://b'),
    ]);
    expect(upsertConnection(list, connection('https://b', { is_default: true })).map((c) => [c.url, c.is_default])).toEqual([
      ['https://a', false],
      ['https://b', true],
    ]);
    expect(upsertConnection(list, connection('https://c')).map((c) => c.url)).toEqual(['https://a', 'https://b', 'https://c']);
  });
});

describe('remote models', () => {
  const remote = (aliases: Record<string, string>, versions = 3, name = 'fraud-gbm'): RemoteModel => ({
    registry: 'https://a',
    name,
    description: null,
    tags: {},
    aliases,
    alias_names: { champion: 'champion', challenger: 'challenger', policy: null },
    pulled_ms: 0,
    url: `https://a/#/models/${name}`,
    versions: Array.from({ length: versions }, (_, i) => ({
      version: String(i + 1),
      status: 'READY',
      source: null,
      run_id: null,
      description: null,
      tags: {},
      aliases: [],
      created_ms: null,
      url: `https://a/#/models/${name}/versions/${i + 1}`,
    })),
  });

  test.each([
    [{ champion: '2', challenger: '3' }, 3, { promote: null, rollback: null }],
    [{ champion: '2' }, 3, { promote: 'No version has the challenger alias', rollback: null }],
    [{ champion: '3', challenger: '3' }, 3, { promote: 'Version 3 is already the champion', rollback: null }],
    [{ challenger: '1' }, 1, { promote: null, rollback: 'No version is the champion' }],
    [{ champion: '1' }, 1, { promote: 'No version has the challenger alias', rollback: 'There is no earlier version to roll back to' }],
  ])('aliasMoves(%j, %s versions)', (aliases, versions, expected) => {
    expect(aliasMoves(remote(aliases, versions))).toEqual(expected);
  });

  test('replaceRemote swaps the moved model in place, or adds it', () => {
    const list = [remote({ champion: '2' }), remote({}, 1, 'churn')];
    const moved = remote({ champion: '3' });
    expect(replaceRemote(list, moved)).toEqual([moved, list[1]]);
    expect(replaceRemote(list, { ...moved, registry: 'https://b' })).toHaveLength(3);
  });
});

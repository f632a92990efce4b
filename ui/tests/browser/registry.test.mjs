// Model approval and publishing in the built UI, in Debian's Chromium, against
// the mocked IPC of harness.mjs: the checklist, decisions (and what the shell
// refuses), publishing with progress events, the outbox, registry logins, and
// the team registry's models with their alias moves.
//
// Run with `npm run test:browser` after `npm run build`.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { INFO, T0, mlflowModel, onnxModel } from './fixtures.mjs';
import { calls, openPage, useBrowser } from './harness.mjs';

const PROJECTS = [{ id: 1, path: '/home/ana/work/fraud-detection', name: 'fraud-detection', added_at: '2026-02-11T08:00:00Z', exists: true, watch: true }];
const REGISTRY = 'https://mlflow.example.com';

const MODELS = {
  models: [mlflowModel({ hash: 'a1b2c3' }), onnxModel()],
  // The project's own registry has model 1 as fraud-gbm v2: the name Publish proposes.
  registered_models: [
    {
      project: 'fraud-detection',
      source: 'mlflow',
      name: 'fraud-gbm',
      description: null,
      aliases: { champion: '2' },
      tags: null,
      versions: [{ version: '2', run_id: 'r-1', model_id: 'm-123', source: null, status: 'READY' }],
    },
  ],
};

const check = (id, label, kind, status, expected, actual, detail = null) => ({ id, label, kind, status, expected, actual, detail });

const APPROVALS = {
  1: {
    model_id: 1,
    path: 'mlruns/1/r-1/artifacts/model',
    content_hash: 'h-1',
    status: 'candidate',
    policy: '/home/ana/work/fraud-detection/driftdeck.toml',
    checks: [
      check('metric.auc', 'AUC on the validation set', 'metric', 'pass', '>= 0.85', '0.91'),
      check('drift.current', 'No dataset drift', 'drift', 'fail', 'under 30% of columns drifted', '45% (9 of 20)', 'amount, country and 7 more drifted'),
      check('fairness.sex', 'Selection rate parity by sex', 'fairness', 'pass', 'difference <= 0.1', '0.04'),
    ],
    all_passed: false,
    approval: null,
    publications: [],
  },
  2: {
    model_id: 2,
    path: 'models/churn.onnx',
    content_hash: 'h-2',
    status: 'candidate',
    policy: null,
    checks: [],
    all_passed: true,
    approval: null,
    publications: [],
  },
};

const CONNECTION = { url: REGISTRY, auth: 'basic', username: 'ana', ca_file: null, is_default: true, has_secret: true, keyring: 'Secret Service' };

function remoteModel(name, aliases, versions) {
  return {
    registry: REGISTRY,
    name,
    description: `${name} for the risk team`,
    aliases,
    pulled_ms: T0,
    url: `${REGISTRY}/#/models/${name}`,
    versions: versions.map((version) => ({
      version,
      status: 'READY',
      source: `models:/m-${version}`,
      run_id: `run-${version}`,
      description: null,
      tags: {},
      aliases: Object.keys(aliases).filter((alias) => aliases[alias] === version).sort(),
      created_ms: T0 + Number(version) * 86_400_000,
      url: `${REGISTRY}/#/models/${name}/versions/${version}`,
    })),
  };
}

const PULLED = [remoteModel('fraud-gbm', { champion: '2', challenger: '3' }, ['1', '2', '3']), remoteModel('churn-net', {}, ['1'])];

describe('Model approval and publishing in Chromium (mocked IPC)', () => {
  const app = useBrowser();

  /** The app on the Models view, with the given registry state (see harness.mjs). */
  async function openModels(t, registry = {}) {
    const page = await openPage(t, app.browser, app.origin, {
      info: INFO,
      projects: PROJECTS,
      addErrors: {},
      listFailures: 0,
      runs: [],
      datasets: [],
      models: MODELS,
      problems: [],
      drift: {},
      fairness: {},
      registry: { approvals: APPROVALS, connections: [CONNECTION], now: T0, ...registry },
    });
    await page.getByTestId('app-version').filter({ hasText: INFO.version }).waitFor();
    await page.getByTestId('nav-models').click();
    await page.getByTestId('model-row').first().waitFor();
    return page;
  }

  /** Answers the held model_approval calls once the UI has made one. */
  async function releaseChecks(page) {
    await page.waitForFunction(() => window.__mock.registry.heldChecks() > 0);
    await page.evaluate(() => window.__mock.registry.release());
  }

  const progress = (page, jobId, fields) =>
    page.evaluate(([id, f]) => window.__mock.registry.progress(id, f), [jobId, fields]);

  test('approve past a failed check with an override note, publish through a retry, follow the version link', async (t) => {
    const page = await openModels(t, { holdChecks: true });
    const row = page.getByTestId('model-row').filter({ hasText: 'mlruns/1/r-1/artifacts/model' });
    assert.equal(await page.getByTestId('model-status').count(), 0, 'no status before any model was checked');
    assert.deepEqual(await calls(page, 'model_approval'), [], 'the list runs no checks');

    // Opening the model runs its checks: a spinner until they answer.
    await row.click();
    const card = page.getByTestId('approval-card');
    await card.getByTestId('approval-loading').waitFor();
    assert.equal(await page.getByTestId('publish-button').isDisabled(), true);
    await releaseChecks(page);
    await card.getByTestId('approval-checklist').waitFor();
    assert.deepEqual(await calls(page, 'model_approval'), [{ modelId: 1 }]);
    assert.equal(await card.getByTestId('approval-policy').innerText(), '/home/ana/work/fraud-detection/driftdeck.toml');
    assert.equal(await card.getByTestId('model-status').getAttribute('data-status'), 'candidate');
    const rows = card.getByTestId('check-row');
    assert.deepEqual(
      await rows.evaluateAll((trs) => trs.map((tr) => [tr.dataset.check, tr.dataset.status])),
      [
        ['metric.auc', 'pass'],
        ['drift.current', 'fail'],
        ['fairness.sex', 'pass'],
      ],
    );
    const failing = await rows.filter({ hasText: 'No dataset drift' }).innerText();
    assert.match(failing, /under 30% of columns drifted/);
    assert.match(failing, /45% \(9 of 20\)/);
    assert.match(failing, /fail/);
    assert.match(failing, /amount, country and 7 more drifted/);
    assert.match(await card.getByTestId('approval-summary').innerText(), /2 passed, 1 failed/);

    // Publish waits for an approval, and says so.
    const publish = page.getByTestId('publish-button');
    assert.equal(await publish.isDisabled(), true);
    assert.match(await page.getByTestId('publish-blocker').innerText(), /Only approved models are published/);
    assert.match(await publish.locator('xpath=..').getAttribute('title'), /approve this one first/);

    // A note alone is not enough to approve past a failed check: the form says why, nothing is sent.
    await card.getByTestId('approve-note').fill('Good enough for the pilot');
    assert.equal(await card.getByTestId('approve-button').innerText(), 'Approve anyway');
    assert.match(await card.innerText(), /1 of 3 checks failed\. Approving anyway needs a second note/);
    await card.getByTestId('approve-button').click();
    assert.match(await card.getByTestId('override-note-error').innerText(), /approving anyway needs an override note/);
    assert.deepEqual(await calls(page, 'decide_model'), []);

    // What the shell refuses (it runs the checks again) is shown at the form, with its code.
    await card.getByTestId('override-note').fill('Drift is the January sale; accepted by risk');
    await page.evaluate(() =>
      window.__mock.registry.refuseNextDecision({ code: 'bad_input', message: 'model 1 changed since its checks ran: run them again' }),
    );
    await card.getByTestId('approve-button').click();
    const refusal = card.getByTestId('error-banner');
    await refusal.waitFor();
    assert.equal(await refusal.getAttribute('data-code'), 'bad_input');
    assert.match(await refusal.innerText(), /Invalid input\s+model 1 changed since its checks ran/);
    assert.equal(await card.getByTestId('approve-note').inputValue(), 'Good enough for the pilot', 'nothing typed is lost');

    // Again, and it goes through: the badge, the latest decision and the log say so.
    await card.getByTestId('approve-button').click();
    await card.locator('[data-testid="model-status"][data-status="approved"]').waitFor();
    assert.equal(await card.getByTestId('error-banner').count(), 0);
    assert.deepEqual((await calls(page, 'decide_model')).at(-1), {
      modelId: 1,
      form: {
        decision: 'approve',
        note: 'Good enough for the pilot',
        override_note: 'Drift is the January sale; accepted by risk',
      },
    });
    const latest = card.getByTestId('latest-approval');
    assert.equal(await latest.getAttribute('data-decision'), 'approved');
    assert.match(await latest.innerText(), /Approved by ana/);
    assert.equal(await latest.getByTestId('approval-override').innerText(), 'Override: Drift is the January sale; accepted by risk');
    assert.equal(await card.getByTestId('approve-note').inputValue(), '', 'the form is emptied');
    await page.locator('[data-testid="audit-entry"][data-action="approve"]').waitFor();

    // Publish: the name the project's registry uses, the champion alias, the default registry.
    assert.equal(await page.getByTestId('publish-name').inputValue(), 'fraud-gbm');
    assert.equal(await page.getByTestId('publish-alias').inputValue(), 'champion');
    assert.equal(await page.getByTestId('publish-registry').inputValue(), REGISTRY);
    assert.equal(await publish.isDisabled(), false);
    await publish.click();
    const bar = page.getByTestId('publish-progress');
    await bar.waitFor();
    assert.deepEqual(await calls(page, 'publish_model'), [
      { modelId: 1, form: { name: 'fraud-gbm', alias: 'champion', registry: REGISTRY } },
    ]);
    assert.equal(await bar.getAttribute('data-state'), 'queued');
    await page.locator('[data-testid="audit-entry"][data-action="publish"]').waitFor();
    assert.equal(await publish.isDisabled(), true, 'one publish of a model at a time');
    const jobId = (await page.evaluate(() => window.__mock.registry.jobs.map((j) => j.id)))[0];

    // The registry cannot be reached: the job waits, counts its attempts and its retry down.
    await page.evaluate(
      (id) =>
        window.__mock.registry.progress(id, {
          state: 'waiting',
          step: 'uploading model files',
          attempts: 1,
          error: 'https://mlflow.example.com: connection refused',
          next_attempt_ms: Date.now() + 30_000,
          bytes_total: 2_048_000,
        }),
      jobId,
    );
    await page.locator('[data-testid="publish-progress"][data-state="waiting"]').waitFor();
    assert.match(await bar.getByTestId('publish-retry').innerText(), /^retrying in (29|30) s$/);
    assert.match(await bar.innerText(), /Waiting to retry/);
    assert.match(await bar.innerText(), /attempt 1/);
    assert.equal(await bar.getByTestId('publish-error').innerText(), 'https://mlflow.example.com: connection refused');
    assert.equal(await bar.getByTestId('publish-cancel').isVisible(), true);

    // The second attempt is half way.
    await progress(page, jobId, { state: 'running', attempts: 2, error: null, next_attempt_ms: null, bytes_done: 1_024_000 });
    await page.locator('[data-testid="publish-progress"][data-state="running"]').waitFor();
    assert.equal(await bar.getByRole('progressbar').getAttribute('aria-valuenow'), '50');
    assert.match(await bar.innerText(), /1 MB of 2 MB \(50%\)/);
    assert.match(await bar.innerText(), /attempt 2/);
    assert.equal(await bar.getByTestId('publish-retry').count(), 0);
    assert.equal(await bar.getByTestId('publish-error').count(), 0);

    // Done: the link to the version on the server, no Cancel, and the model is published.
    const versionUrl = `${REGISTRY}/#/models/fraud-gbm/versions/3`;
    await progress(page, jobId, { state: 'done', step: 'done', bytes_done: 2_048_000, version: '3', version_url: versionUrl });
    const link = page.getByTestId('version-link');
    await link.waitFor();
    assert.equal(await link.innerText(), 'version 3 on the server');
    assert.equal(await link.getAttribute('href'), versionUrl);
    assert.equal(await link.getAttribute('target'), '_blank');
    // It opens in the system browser through the shell; the webview stays on the app.
    await link.click();
    await page.waitForFunction(() => window.__mock.calls.some((c) => c.cmd === 'open_link'));
    assert.deepEqual(await calls(page, 'open_link'), [{ url: versionUrl }]);
    assert.ok(page.url().endsWith('/index.html'), page.url());
    assert.equal(await bar.getByRole('progressbar').getAttribute('aria-valuenow'), '100');
    assert.equal(await bar.getByTestId('publish-cancel').count(), 0);
    await card.locator('[data-testid="model-status"][data-status="published"]').waitFor();
    // The checks run again to show the new publication.
    await releaseChecks(page);
    await page.getByTestId('publication').filter({ hasText: 'fraud-gbm v3' }).waitFor();
    assert.equal(await publish.isDisabled(), false, 'a published model can be published again');

    // Back in the list, the badge stays; the other model was never checked.
    await page.getByTestId('model-back').click();
    await row.getByTestId('model-status').waitFor();
    assert.equal(await row.getByTestId('model-status').getAttribute('data-status'), 'published');
    assert.equal(await page.getByTestId('model-row').filter({ hasText: 'churn.onnx' }).getByTestId('model-status').count(), 0);
    assert.deepEqual(
      (await calls(page, 'model_approval')).map((c) => c.modelId),
      [1, 1],
    );

    // The outbox has the job, done, with its link.
    await page.getByTestId('outbox-toggle').click();
    const job = page.getByTestId('outbox-job');
    await job.waitFor();
    assert.equal(await job.getAttribute('data-state'), 'done');
    assert.equal(await job.getByTestId('outbox-version-link').getAttribute('href'), versionUrl);
  });

  test('without a policy file there are no checks and a hint; rejecting needs a note and blocks Publish', async (t) => {
    const page = await openModels(t);
    await page.getByTestId('model-row').filter({ hasText: 'churn.onnx' }).click();
    const card = page.getByTestId('approval-card');
    const hint = card.getByTestId('approval-no-policy');
    await hint.waitFor();
    assert.equal(await hint.innerText(), 'No driftdeck.toml in this project: no checks; add one to gate approvals.');
    assert.equal(await card.getByTestId('check-row').count(), 0);
    assert.equal(await card.getByTestId('override-note').count(), 0, 'no failed check: no override note');
    assert.equal(await card.getByTestId('approve-button').innerText(), 'Approve');
    assert.equal(await page.getByTestId('publish-name').inputValue(), 'churn-net', 'the catalog name');

    await card.getByTestId('reject-button').click();
    assert.match(await card.getByTestId('approve-note-error').innerText(), /Write a note/);
    assert.equal(await card.getByTestId('approve-note').getAttribute('aria-invalid'), 'true');
    assert.deepEqual(await calls(page, 'decide_model'), []);

    await card.getByTestId('approve-note').fill('Calibration is off by 10 points');
    await card.getByTestId('reject-button').click();
    await card.locator('[data-testid="model-status"][data-status="rejected"]').waitFor();
    assert.deepEqual(await calls(page, 'decide_model'), [
      { modelId: 2, form: { decision: 'reject', note: 'Calibration is off by 10 points', override_note: null } },
    ]);
    assert.match(await card.getByTestId('latest-approval').innerText(), /Rejected by ana/);
    assert.equal(await page.getByTestId('publish-button').isDisabled(), true);
    assert.match(await page.getByTestId('publish-blocker').innerText(), /was rejected/);
    const log = page.getByTestId('audit-entry');
    await log.first().waitFor();
    assert.match(await log.first().innerText(), /reject\s+ana\s+Calibration is off by 10 points/);
  });

  test('registry settings: log in (the secret field is emptied), a refused login, log out', async (t) => {
    const page = await openModels(t, { connections: [], loginErrors: { 'https://bad.example.com': { code: 'remote', message: 'https://bad.example.com: 401 Unauthorized' } } });
    assert.equal(await page.getByTestId('pull-button').isDisabled(), true, 'nothing to pull from yet');
    await page.getByTestId('registry-settings-toggle').click();
    const settings = page.getByTestId('registry-settings');
    await settings.getByTestId('registry-none').waitFor();

    // The form checks what it can before the round trip.
    await settings.getByTestId('registry-login').click();
    assert.deepEqual(await settings.getByTestId('registry-error').evaluateAll((ps) => ps.map((p) => p.dataset.field)), [
      'url',
      'username',
      'secret',
    ]);
    assert.deepEqual(await calls(page, 'registry_login'), []);

    await settings.getByTestId('registry-url').fill(` ${REGISTRY} `);
    await settings.getByTestId('registry-username').fill('ana');
    await settings.getByTestId('registry-secret').fill('hunter2');
    await settings.getByTestId('registry-login').click();
    const row = settings.getByTestId('registry-connection');
    await row.waitFor();
    assert.deepEqual(await calls(page, 'registry_login'), [
      { request: { url: REGISTRY, auth: 'basic', username: 'ana', secret: 'hunter2', ca_file: null } },
    ]);
    assert.equal(await settings.getByTestId('registry-secret').inputValue(), '', 'the secret is not kept');
    assert.equal(await settings.getByTestId('registry-url').inputValue(), '');
    const text = await row.innerText();
    assert.match(text, /https:\/\/mlflow\.example\.com\s+default/);
    assert.match(text, /basic as ana/);
    assert.equal(await row.getByTestId('registry-secret-state').innerText(), 'stored in Secret Service');
    assert.equal(await page.getByTestId('pull-button').isDisabled(), false);

    // A bearer login the registry refuses: its error at the form, and the token is gone all the same.
    await settings.getByTestId('registry-auth').selectOption('bearer');
    assert.equal(await settings.getByTestId('registry-username').count(), 0, 'no username for a token');
    await settings.getByTestId('registry-url').fill('https://bad.example.com');
    await settings.getByLabel('Token').fill('tok-123');
    await settings.getByTestId('registry-login').click();
    const banner = settings.getByTestId('error-banner');
    await banner.waitFor();
    assert.equal(await banner.getAttribute('data-code'), 'remote');
    assert.match(await banner.innerText(), /The model registry failed\s+https:\/\/bad\.example\.com: 401 Unauthorized/);
    assert.equal(await settings.getByTestId('registry-secret').inputValue(), '');
    assert.deepEqual((await calls(page, 'registry_login')).at(-1), {
      request: { url: 'https://bad.example.com', auth: 'bearer', username: null, secret: 'tok-123', ca_file: null },
    });
    assert.equal(await row.count(), 1);

    // Log out.
    await settings.getByRole('button', { name: `Log out of ${REGISTRY}` }).click();
    await settings.getByTestId('registry-none').waitFor();
    assert.deepEqual(await calls(page, 'registry_logout'), [{ url: REGISTRY }]);
  });

  test('pull from the registry, promote the challenger, roll the champion back', async (t) => {
    const page = await openModels(t, { remote: [], pulled: PULLED, championHistory: { 'fraud-gbm': ['1'] } });
    const remote = page.getByTestId('remote-models');
    await remote.getByTestId('remote-empty').waitFor();
    assert.deepEqual(await calls(page, 'remote_models'), [{ registry: null }], 'the catalog first, no network');

    await page.getByTestId('pull-button').click();
    const fraud = remote.locator('[data-testid="remote-model"][data-name="fraud-gbm"]');
    await fraud.waitFor();
    assert.deepEqual(await calls(page, 'registry_pull'), [{ registry: null }]);
    assert.equal(await remote.getByTestId('remote-model').count(), 2);
    const aliases = () => fraud.getByTestId('remote-alias').allInnerTexts();
    assert.deepEqual(await aliases(), ['@challenger → v3', '@champion → v2']);
    assert.deepEqual(await fraud.getByTestId('remote-version').evaluateAll((trs) => trs.map((tr) => tr.dataset.version)), ['3', '2', '1']);
    assert.equal(
      await fraud.locator('[data-testid="remote-version"][data-version="2"] a').getAttribute('href'),
      `${REGISTRY}/#/models/fraud-gbm/versions/2`,
    );
    // churn-net has one version and no alias: nothing to move.
    const churn = remote.locator('[data-testid="remote-model"][data-name="churn-net"]');
    assert.equal(await churn.getByTestId('promote-button').isDisabled(), true);
    assert.equal(await churn.getByTestId('rollback-button').isDisabled(), true);

    await fraud.getByTestId('promote-button').click();
    await fraud.getByTestId('remote-alias').filter({ hasText: '@champion → v3' }).waitFor();
    assert.deepEqual(await aliases(), ['@champion → v3']);
    assert.deepEqual(await calls(page, 'move_alias'), [{ registry: null, name: 'fraud-gbm', action: 'promote' }]);
    assert.equal(await fraud.getByTestId('promote-button').isDisabled(), true, 'no challenger left');
    assert.equal(await fraud.getByTestId('promote-button').locator('xpath=..').getAttribute('title'), 'No version has the challenger alias');

    await fraud.getByTestId('rollback-button').click();
    await fraud.getByTestId('remote-alias').filter({ hasText: '@champion → v2' }).waitFor();
    assert.deepEqual((await calls(page, 'move_alias')).at(-1), { registry: null, name: 'fraud-gbm', action: 'rollback' });
    assert.equal(await remote.getByTestId('remote-model').count(), 2, 'the moved model replaced its row');
  });

  test('a pull that cannot reach the registry shows its error and keeps the list', async (t) => {
    const page = await openModels(t, {
      remote: [PULLED[0]],
      pullError: { code: 'remote', message: 'https://mlflow.example.com: connection refused' },
    });
    const remote = page.getByTestId('remote-models');
    await remote.getByTestId('remote-model').waitFor();
    await page.getByTestId('pull-button').click();
    const banner = remote.getByTestId('error-banner');
    await banner.waitFor();
    assert.equal(await banner.getAttribute('data-code'), 'remote');
    assert.match(await banner.innerText(), /connection refused/);
    assert.equal(await remote.getByTestId('remote-model').count(), 1);
  });

  test('the outbox lists every job newest first, follows events and cancels', async (t) => {
    const job = (id, fields) => ({
      id, model_id: 1, model_path: 'mlruns/1/r-1/artifacts/model', content_hash: 'h-1', registry: REGISTRY, name: 'fraud-gbm',
      alias: 'champion', state: 'queued', step: 'queued', bytes_done: 0, bytes_total: 0, attempts: 0, error: null,
      next_attempt_ms: null, version: null, version_url: null, created_ms: T0 + id, updated_ms: T0 + id, ...fields,
    });
    const page = await openModels(t, {
      jobs: [job(1, { state: 'failed', attempts: 5, error: 'registry answered 500: internal error' }), job(2, {})],
    });
    await page.getByTestId('outbox-active').filter({ hasText: '1' }).waitFor();
    await page.getByTestId('outbox-toggle').click();
    const jobs = page.getByTestId('outbox-job');
    await jobs.first().waitFor();
    assert.deepEqual(await jobs.evaluateAll((lis) => lis.map((li) => li.dataset.state)), ['queued', 'failed']);
    assert.match(await jobs.nth(1).innerText(), /Failed[\s\S]*registry answered 500: internal error/);
    assert.equal(await jobs.nth(1).getByTestId('publish-cancel').count(), 0, 'a failed job cannot be cancelled');

    // A job queued elsewhere (the CLI) arrives as an event and goes on top.
    await page.evaluate((j) => window.__mock.emit('publish-progress', j), job(3, { state: 'running', bytes_done: 1, bytes_total: 4, created_ms: T0 + 10, updated_ms: T0 + 10 }));
    await page.getByTestId('outbox-active').filter({ hasText: '2' }).waitFor();
    assert.deepEqual(await jobs.evaluateAll((lis) => lis.map((li) => li.dataset.state)), ['running', 'queued', 'failed']);

    await jobs.nth(1).getByTestId('publish-cancel').click();
    await page.locator('[data-testid="outbox-job"][data-state="cancelled"]').waitFor();
    assert.deepEqual(await calls(page, 'cancel_publish'), [{ jobId: 2 }]);
    await page.getByTestId('outbox-active').filter({ hasText: '1' }).waitFor();
  });
});

// Conformance suite: AmplifyBackend call sequences of *older* Amplify CLI code, replayed through the AWS
// SDK for JavaScript v2 the way that code built and drove its client. None of them is made by the current
// CLI: @aws-amplify/cli-internal 14.2.2 (provider 8.11, uibuilder 1.14, SDK v3) calls no AmplifyBackend
// operation on `pull` or `push` — conformance/amplify-pull runs that CLI itself. Where each sequence
// comes from:
// - the client built from AMPLIFY_BACKEND_ENDPOINT / AMPLIFY_BACKEND_REGION over the profile's credentials:
//   aws-amplify-backend.ts of amplify-provider-awscloudformation ≤ 5.9 (SDK v2), and amplify-studio-client.ts
//   of amplify-util-uibuilder (14.2.2 still builds it, with SDK v3, and never calls it on pull);
// - enabling Studio: the CLI repository's e2e test helpers (amplify-e2e-core: sdk-calls.ts
//   setupAmplifyAdminUI, enableAdminUI), not the CLI: createBackendConfig({AppId}), then getBackendJob with the *returned*
//   BackendEnvironmentName until COMPLETED, failing on FAILED;
// - `amplify push` of a DataStore API: admin-modelgen.ts of provider ≤ 5.9: generateBackendAPIModels, then
//   pollUntilDone every 2 s until COMPLETED or FAILED, printing "Successfully generated models in the
//   cloud." or "Failed to create models in the cloud: …" (today's admin-modelgen.js writes the models to
//   the deployment bucket instead);
// - environment metadata: environment-metadata-manager.ts, code that was never released: getBackend, then
//   JSON.parse(AmplifyMetaConfig).providers.awscloudformation with eight required string keys;
// - the UI builder: codegenResources.ts of amplify-util-uibuilder ≤ 1.6: getBackendAPIModels, then the
//   `models` text with everything before the first `{` and every `;` removed, parsed as JSON.
// Those CLIs polled every 2000 ms; AMPLIFY_CLI_POLL_MS (run.sh sets 50) shortens that here, nothing else differs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import AWS from 'aws-sdk';

const S = JSON.parse(readFileSync(new URL('../scenarios.json', import.meta.url), 'utf8'));
const POLL_MS = Number(process.env.AMPLIFY_CLI_POLL_MS || 2000);
const ENV = 'dev';

/** The CLI's client: profile credentials, overridden by AMPLIFY_BACKEND_ENDPOINT / AMPLIFY_BACKEND_REGION. */
function buildAmplifyBackendClient(creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY, region: 'us-east-1' }) {
  const { AMPLIFY_BACKEND_ENDPOINT, AMPLIFY_BACKEND_REGION } = process.env;
  assert.ok(AMPLIFY_BACKEND_ENDPOINT, 'AMPLIFY_BACKEND_ENDPOINT must point at amplifylite');
  return new AWS.AmplifyBackend({
    ...creds,
    maxRetries: 0,
    ...(AMPLIFY_BACKEND_ENDPOINT && { endpoint: AMPLIFY_BACKEND_ENDPOINT }),
    ...(AMPLIFY_BACKEND_REGION && { region: AMPLIFY_BACKEND_REGION }),
  });
}

/** With AMPLIFY_BACKEND_ENDPOINT pointed elsewhere while fn runs (the slow server). */
async function withEndpoint(endpoint, fn) {
  const saved = process.env.AMPLIFY_BACKEND_ENDPOINT;
  process.env.AMPLIFY_BACKEND_ENDPOINT = endpoint;
  try {
    return await fn();
  } finally {
    process.env.AMPLIFY_BACKEND_ENDPOINT = saved;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** admin-modelgen.ts pollUntilDone: getBackendJob every `interval` ms until FAILED or COMPLETED. */
async function pollUntilDone(jobId, appId, backendEnvironmentName, interval, timeout, amplifyBackendClient) {
  const start = Date.now();
  for (;;) {
    const jobDetails = await amplifyBackendClient
      .getBackendJob({ JobId: jobId, AppId: appId, BackendEnvironmentName: backendEnvironmentName })
      .promise();
    if (jobDetails.Status === 'FAILED' || jobDetails.Status === 'COMPLETED') return jobDetails;
    if (timeout !== 0 && Date.now() - start >= timeout) throw new Error('Timed out waiting for the job');
    await sleep(interval);
  }
}

/** admin-modelgen.ts adminModelgen, minus the project-file checks: returns what the CLI would print. */
async function adminModelgen(appId, envName, resourceName) {
  const amplifyBackend = buildAmplifyBackendClient();
  try {
    const jobStartDetails = await amplifyBackend
      .generateBackendAPIModels({ AppId: appId, BackendEnvironmentName: envName, ResourceName: resourceName })
      .promise();
    const jobCompletionDetails = await pollUntilDone(jobStartDetails.JobId, appId, envName, POLL_MS, 2000 * 1000, amplifyBackend);
    if (jobCompletionDetails.Status === 'COMPLETED') return 'Successfully generated models in the cloud.';
    throw new Error('Modelgen job creation failed');
  } catch (e) {
    return `Failed to create models in the cloud: ${e.message}`;
  }
}

/** e2e adminUI.ts enableAdminUI: createBackendConfig, then poll the returned environment's job. */
async function enableAdminUI(appId) {
  const amplifyBackend = buildAmplifyBackendClient();
  const setup = await amplifyBackend.createBackendConfig({ AppId: appId }).promise();
  const deadline = Date.now() + 5 * 60 * 1000;
  for (;;) {
    const job = await amplifyBackend
      .getBackendJob({ JobId: setup.JobId, AppId: appId, BackendEnvironmentName: setup.BackendEnvironmentName })
      .promise();
    if (job.Status === 'COMPLETED') return { setup, job };
    if (job.Status === 'FAILED') throw new Error(`Admin UI setup failed: ${job.Error}`);
    if (Date.now() > deadline) throw new Error('Admin UI setup timed out');
    await sleep(POLL_MS);
  }
}

/** environment-metadata-manager.ts initEnvMetaFromService + the EnvironmentMetadata constructor checks. */
async function initEnvMetaFromService(appId, envName) {
  const amplifyBackendClient = buildAmplifyBackendClient();
  const response = await amplifyBackendClient.getBackend({ AppId: appId, BackendEnvironmentName: envName }).promise();
  if (response.Error) throw new Error(`Error fetching backend metadata for environment ${envName}: ${response.Error}`);
  if (!response.AmplifyMetaConfig) throw new Error(`AmplifyBackend.getBackend did not return AmplifyMetaConfig for environment ${envName}`);
  const amplifyMeta = JSON.parse(response.AmplifyMetaConfig)?.providers?.awscloudformation;
  for (const requiredKey of S.metaProviderKeys) {
    if (!Object.keys(amplifyMeta).includes(requiredKey)) throw new Error(`Tried to initialize EnvironmentMetadata object without required key ${requiredKey}`);
    if (typeof amplifyMeta[requiredKey] !== 'string') throw new Error(`Tried to initialize EnvironmentMetadata object with ${requiredKey} set to a non-string value`);
  }
  for (const optionalKey of ['PermissionsBoundaryPolicyArn', 'AmplifyAppId']) {
    const t = typeof amplifyMeta[optionalKey];
    if (t !== 'string' && t !== 'undefined') throw new Error(`Tried to initialize EnvironmentMetadata object with ${optionalKey} set to a non-string value`);
  }
  return amplifyMeta;
}

/** codegenResources.ts: the UI builder's parse of GetBackendAPIModels' `models` text. */
async function getAmplifyDataSchema(appId, envName, resourceName) {
  const amplifyBackend = buildAmplifyBackendClient();
  const { Models } = await amplifyBackend
    .getBackendAPIModels({ AppId: appId, BackendEnvironmentName: envName, ResourceName: resourceName })
    .promise();
  return JSON.parse(Models.slice(Models.indexOf('{')).replace(/;/g, ''));
}

/** Test set-up (the CLI provisions these through CloudFormation): an app, an environment, an API. */
async function provision(appId, { api = false } = {}) {
  const b = buildAmplifyBackendClient();
  const steps = [() => b.createBackend({ AppId: appId, AppName: appId, BackendEnvironmentName: ENV }).promise()];
  if (api) {
    steps.push(() => b.createBackendAPI({ AppId: appId, BackendEnvironmentName: ENV, ResourceName: S.api.resourceName, ResourceConfig: S.api.create }).promise());
  }
  for (const step of steps) {
    const { JobId } = await step();
    const job = await pollUntilDone(JobId, appId, ENV, POLL_MS, 15000, b);
    assert.equal(job.Status, 'COMPLETED', job.Error);
  }
}

test('the client honours AMPLIFY_BACKEND_ENDPOINT and AMPLIFY_BACKEND_REGION', () => {
  const b = buildAmplifyBackendClient();
  assert.equal(b.endpoint.href, new URL(process.env.AMPLIFY_BACKEND_ENDPOINT).href);
  assert.equal(b.config.region, process.env.AMPLIFY_BACKEND_REGION);
});

test('enable Studio: createBackendConfig, then poll getBackendJob under the returned environment', async () => {
  const app = 'cli-studio';
  await provision(app);
  const { setup, job } = await enableAdminUI(app);
  assert.equal(setup.BackendEnvironmentName, ENV);
  assert.equal(job.Status, 'COMPLETED');
});

test('enable Studio on an app without environments polls the returned default environment', async () => {
  const app = 'cli-studio-bare';
  await provision(app);
  const b = buildAmplifyBackendClient();
  const removed = await b.removeAllBackends({ AppId: app }).promise();
  await pollUntilDone(removed.JobId, app, ENV, POLL_MS, 15000, b);
  const { setup } = await enableAdminUI(app);
  assert.equal(setup.BackendEnvironmentName, 'default');
});

test('amplify push: generateBackendAPIModels, poll until COMPLETED, then the UI builder reads the models', async () => {
  const app = 'cli-modelgen';
  await provision(app, { api: true });
  assert.equal(await adminModelgen(app, ENV, S.api.resourceName), 'Successfully generated models in the cloud.');
  const schema = await getAmplifyDataSchema(app, ENV, S.api.resourceName);
  assert.ok(S.api.modelName in schema.models, Object.keys(schema.models).join(','));
  assert.equal(typeof schema.version, 'string');
});

test('amplify push: a FAILED modelgen job is reported as a failure', async () => {
  const app = 'cli-modelgen-failed';
  const slow = process.env.AMPLIFYLITE_SLOW_ENDPOINT;
  await withEndpoint(slow, async () => {
    const b = buildAmplifyBackendClient();
    let { JobId } = await b.createBackend({ AppId: app, AppName: app, BackendEnvironmentName: ENV }).promise();
    await b.updateBackendJob({ AppId: app, BackendEnvironmentName: ENV, JobId, Status: 'COMPLETED' }).promise();
    ({ JobId } = await b.createBackendAPI({ AppId: app, BackendEnvironmentName: ENV, ResourceName: S.api.resourceName, ResourceConfig: S.api.create }).promise());

    // The job still running blocks a second one: the CLI saw this as a rejected call (amplify-cli#9295).
    const blocked = await adminModelgen(app, ENV, S.api.resourceName);
    assert.match(blocked, /^Failed to create models in the cloud: There is already a pending job/);

    await b.updateBackendJob({ AppId: app, BackendEnvironmentName: ENV, JobId, Status: 'COMPLETED' }).promise();
    // While the CLI polls, the job fails (forced through UpdateBackendJob, as the service's workers would).
    const run = adminModelgen(app, ENV, S.api.resourceName);
    const filter = { AppId: app, BackendEnvironmentName: ENV, Operation: 'GenerateBackendAPIModels', Status: 'RUNNING' };
    let jobs = [];
    for (let i = 0; i < 100 && jobs.length === 0; i++) {
      await sleep(20);
      jobs = (await b.listBackendJobs(filter).promise()).Jobs;
    }
    assert.equal(jobs.length, 1, 'the modelgen job is running');
    await b.updateBackendJob({ AppId: app, BackendEnvironmentName: ENV, JobId: jobs[0].JobId, Status: 'FAILED' }).promise();
    assert.equal(await run, 'Failed to create models in the cloud: Modelgen job creation failed');
  });
});

test('environment metadata: getBackend, then providers.awscloudformation with the eight required keys', async () => {
  const app = 'cli-env-meta';
  await provision(app);
  const meta = await initEnvMetaFromService(app, ENV);
  assert.equal(meta.Region, process.env.AMPLIFY_BACKEND_REGION); // the override region selects the partition
  assert.match(meta.StackId, new RegExp(`^arn:aws:cloudformation:${meta.Region}:\\d{12}:stack/${meta.StackName}/`));
  assert.match(meta.AuthRoleArn, new RegExp(`^arn:aws:iam::\\d{12}:role/${meta.AuthRoleName}$`));
  assert.match(meta.UnauthRoleArn, new RegExp(`^arn:aws:iam::\\d{12}:role/${meta.UnauthRoleName}$`));
  assert.equal(meta.AmplifyAppId, app);
  await assert.rejects(initEnvMetaFromService(app, 'nosuchenv'), (e) => e.code === 'NotFoundException');
});

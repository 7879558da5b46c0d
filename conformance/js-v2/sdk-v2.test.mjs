// Conformance suite: the AWS SDK for JavaScript v2 (aws-sdk, the client the Amplify CLI used) drives
// all 31 AmplifyBackend operations against amplifylite, under node's built-in test runner.
// SDK v2 lets a body `__type`/`code` override the x-amzn-ErrorType header, so every error check
// here also proves the body names the same exception as the header.
// run.sh starts the servers and exports AMPLIFYLITE_ENDPOINT and AMPLIFYLITE_SLOW_ENDPOINT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import AWS from 'aws-sdk';

const S = JSON.parse(readFileSync(new URL('../scenarios.json', import.meta.url), 'utf8'));
const ENDPOINT = process.env.AMPLIFYLITE_ENDPOINT;
const SLOW_ENDPOINT = process.env.AMPLIFYLITE_SLOW_ENDPOINT;
const POLL_MS = Number(process.env.AMPLIFYLITE_POLL_MS || 50);
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ENV = 'dev';
const NO_JOB = '00000000-0000-4000-8000-000000000000';

/** A client that can only talk to amplifylite: explicit endpoint, dummy keys, no retries. */
/** The fast server verifies signatures with the dummy secret run.sh exports; the slow one accepts any. */
function client({ endpoint = ENDPOINT, region = 'us-east-1', accessKeyId = 'AKIDEXAMPLE', secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY } = {}) {
  return new AWS.AmplifyBackend({
    endpoint, region, maxRetries: 0,
    credentials: new AWS.Credentials({ accessKeyId, secretAccessKey }),
  });
}
const b = client();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const clone = (v) => JSON.parse(JSON.stringify(v));

function assertJobStarted(resp, op, appId, env = ENV) {
  assert.match(resp.JobId, UUID_V4);
  assert.equal(resp.Status, 'RUNNING');
  assert.equal(resp.AppId, appId);
  if (env !== null) assert.equal(resp.BackendEnvironmentName, env);
  if (op !== null) assert.equal(resp.Operation, op);
  return resp.JobId;
}

async function wait(appId, JobId, env = ENV, want = 'COMPLETED', cl = b) {
  const deadline = Date.now() + 15000;
  let job;
  for (;;) {
    job = await cl.getBackendJob({ AppId: appId, BackendEnvironmentName: env, JobId }).promise();
    if (job.Status !== 'RUNNING' || Date.now() > deadline) break;
    await sleep(POLL_MS);
  }
  assert.equal(job.Status, want, job.Error);
  assert.match(job.CreateTime, /^\d{13}$/);
  assert.match(job.UpdateTime, /^\d{13}$/);
  return job;
}

async function makeBackend(appId, env = ENV) {
  const resp = await b.createBackend({ AppId: appId, AppName: `${appId}-name`, BackendEnvironmentName: env }).promise();
  await wait(appId, assertJobStarted(resp, 'CreateBackend', appId, env), env);
}

/** Expects the request to fail with error code `code` (SDK v2's AWSError) and returns the error. */
async function rejectsWith(code, status, request) {
  let err;
  try {
    await request.promise();
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected ${code}, the call succeeded`);
  assert.equal(err.code, code, `${err.code}: ${err.message}`);
  assert.equal(err.statusCode, status);
  assert.ok(err.message, 'error message');
  assert.ok(err.requestId, 'x-amzn-RequestId');
  return err;
}
async function notFound(resourceType, request) {
  const err = await rejectsWith('NotFoundException', 404, request);
  assert.equal(err.resourceType, resourceType); // v2 exposes the body's members under their wire names
  return err;
}
async function badRequest(request, messagePart) {
  const err = await rejectsWith('BadRequestException', 400, request);
  if (messagePart) assert.ok(err.message.includes(messagePart), err.message);
  return err;
}

/** Every page of listBackendJobs through SDK v2's own paginator, eachPage. */
function allPages(params) {
  return new Promise((resolve, reject) => {
    const pages = [];
    b.listBackendJobs(params).eachPage((err, data) => {
      if (err) reject(err);
      else if (data === null) resolve(pages);
      else pages.push(data);
      return true;
    });
  });
}

test('backend lifecycle: createBackend, getBackend, cloneBackend, deleteBackend', async () => {
  const app = 'v2-lifecycle';
  await makeBackend(app);
  const got = await b.getBackend({ AppId: app }).promise();
  assert.equal(got.AppName, `${app}-name`);
  assert.deepEqual(got.BackendEnvironmentList, [ENV]);
  const meta = JSON.parse(got.AmplifyMetaConfig).providers.awscloudformation;
  for (const key of S.metaProviderKeys) assert.equal(typeof meta[key], 'string', key);
  await badRequest(b.createBackend({ AppId: app, AppName: 'x', BackendEnvironmentName: ENV }));

  let resp = await b.cloneBackend({ AppId: app, BackendEnvironmentName: ENV, TargetEnvironmentName: 'prod' }).promise();
  const cloneJob = assertJobStarted(resp, 'CloneBackend', app);
  await wait(app, cloneJob);
  await wait(app, cloneJob, 'prod');
  assert.deepEqual((await b.getBackend({ AppId: app }).promise()).BackendEnvironmentList, [ENV, 'prod']);
  await badRequest(b.cloneBackend({ AppId: app, BackendEnvironmentName: ENV, TargetEnvironmentName: 'prod' }));

  resp = await b.deleteBackend({ AppId: app, BackendEnvironmentName: 'prod' }).promise();
  await wait(app, assertJobStarted(resp, 'DeleteBackend', app, 'prod'), 'prod');
  await notFound('BackendEnvironment', b.getBackend({ AppId: app, BackendEnvironmentName: 'prod' }));
  await notFound('App', b.getBackend({ AppId: 'v2-no-such-app' }));
});

test('removeAllBackends with cleanAmplifyApp', async () => {
  const app = 'v2-remove-all';
  await makeBackend(app);
  await makeBackend(app, 'test');
  const resp = await b.removeAllBackends({ AppId: app, CleanAmplifyApp: true }).promise();
  const jobId = assertJobStarted(resp, 'RemoveAllBackends', app, null);
  await wait(app, jobId, ENV);
  await wait(app, jobId, 'test');
  await notFound('App', b.getBackend({ AppId: app }));
});

test('auth: create/get/update/delete/importBackendAuth round-trip every irregular wire name', async () => {
  const app = 'v2-auth';
  const q = { AppId: app, BackendEnvironmentName: ENV, ResourceName: S.auth.resourceName };
  await makeBackend(app);
  let resp = await b.createBackendAuth({ ...q, ResourceConfig: S.auth.create }).promise();
  await wait(app, assertJobStarted(resp, 'CreateBackendAuth', app));
  assert.deepEqual((await b.getBackendAuth(q).promise()).ResourceConfig, S.auth.create);

  resp = await b.updateBackendAuth({ ...q, ResourceConfig: S.auth.update }).promise();
  await wait(app, assertJobStarted(resp, 'UpdateBackendAuth', app));
  assert.deepEqual((await b.getBackendAuth(q).promise()).ResourceConfig, S.auth.afterUpdate);

  const bad = clone(S.auth.create);
  bad.UserPoolConfigs.SignInMethod = S.auth.badSignInMethod;
  await badRequest(b.createBackendAuth({ ...q, ResourceName: 'other', ResourceConfig: bad }), S.auth.badSignInMethodMessage);

  resp = await b.deleteBackendAuth(q).promise();
  await wait(app, assertJobStarted(resp, 'DeleteBackendAuth', app));
  await notFound('Auth', b.getBackendAuth(q));

  resp = await b.importBackendAuth({ AppId: app, BackendEnvironmentName: ENV, ...S.importAuth }).promise();
  await wait(app, assertJobStarted(resp, 'ImportBackendAuth', app));
  const got = await b.getBackendAuth({ ...q, ResourceName: S.importAuth.UserPoolId }).promise();
  assert.equal(got.ResourceConfig.AuthResources, 'IDENTITY_POOL_AND_USER_POOL');
  assert.equal(got.ResourceConfig.UserPoolConfigs.UserPoolName, S.importAuth.UserPoolId);
});

test('API: create/get/update/deleteBackendAPI, generate/getBackendAPIModels', async () => {
  const app = 'v2-api';
  const q = { AppId: app, BackendEnvironmentName: ENV, ResourceName: S.api.resourceName };
  await makeBackend(app);
  let resp = await b.createBackendAPI({ ...q, ResourceConfig: S.api.create }).promise();
  await wait(app, assertJobStarted(resp, 'CreateBackendAPI', app));
  assert.deepEqual((await b.getBackendAPI(q).promise()).ResourceConfig, S.api.create);

  resp = await b.generateBackendAPIModels(q).promise();
  await wait(app, assertJobStarted(resp, 'GenerateBackendAPIModels', app));
  const models = await b.getBackendAPIModels(q).promise();
  assert.equal(models.Status, 'LATEST');
  assert.ok(models.Models.startsWith('export const schema = '));
  assert.ok(S.api.modelName in JSON.parse(models.ModelIntrospectionSchema).models);

  resp = await b.updateBackendAPI({ ...q, ResourceConfig: S.api.update }).promise();
  await wait(app, assertJobStarted(resp, 'UpdateBackendAPI', app));
  assert.deepEqual((await b.getBackendAPI(q).promise()).ResourceConfig, S.api.afterUpdate);
  assert.equal((await b.getBackendAPIModels(q).promise()).Status, 'STALE');

  await notFound('API', b.getBackendAPIModels({ ...q, ResourceName: 'nosuchapi' }));
  resp = await b.deleteBackendAPI(q).promise();
  await wait(app, assertJobStarted(resp, 'DeleteBackendAPI', app));
  await notFound('API', b.getBackendAPI(q));
});

test('storage: create/get/update/delete/importBackendStorage and listS3Buckets', async () => {
  const app = 'v2-storage';
  const q = { AppId: app, BackendEnvironmentName: ENV, ResourceName: S.storage.resourceName };
  const bucketNames = async () => (await b.listS3Buckets({}).promise()).Buckets.map((x) => x.Name);
  await makeBackend(app);
  let resp = await b.createBackendStorage({ ...q, ResourceConfig: S.storage.create }).promise();
  await wait(app, assertJobStarted(resp, null, app));
  assert.deepEqual((await b.getBackendStorage(q).promise()).ResourceConfig, { ...S.storage.create, Imported: false });
  assert.ok((await bucketNames()).includes(S.storage.create.BucketName));

  resp = await b.updateBackendStorage({ ...q, ResourceConfig: S.storage.update }).promise();
  await wait(app, assertJobStarted(resp, null, app));
  assert.deepEqual((await b.getBackendStorage(q).promise()).ResourceConfig, S.storage.afterUpdate);

  resp = await b.deleteBackendStorage({ ...q, ServiceName: 'S3' }).promise();
  await wait(app, assertJobStarted(resp, null, app));
  await notFound('Storage', b.getBackendStorage(q));

  await badRequest(b.importBackendStorage({ AppId: app, BackendEnvironmentName: ENV, BucketName: S.storage.invalidBucketName, ServiceName: 'S3' }));
  resp = await b.importBackendStorage({ AppId: app, BackendEnvironmentName: ENV, ...S.importStorage }).promise();
  await wait(app, assertJobStarted(resp, null, app));
  const got = await b.getBackendStorage({ ...q, ResourceName: S.importStorage.BucketName }).promise();
  assert.equal(got.ResourceConfig.Imported, true);
  for (const name of [...S.seedBuckets, S.importStorage.BucketName]) assert.ok((await bucketNames()).includes(name), name);
});

test('jobs: listBackendJobs filters, eachPage pagination, getBackendJob errors', async () => {
  const app = 'v2-jobs';
  const q = { AppId: app, BackendEnvironmentName: ENV };
  await makeBackend(app);
  for (const name of ['a1', 'a2', 'a3']) {
    const resp = await b.createBackendAPI({ ...q, ResourceName: name, ResourceConfig: S.api.create }).promise();
    await wait(app, resp.JobId);
  }
  const jobs = (await b.listBackendJobs(q).promise()).Jobs;
  assert.equal(jobs.length, 4);
  const pages = await allPages({ ...q, MaxResults: 3 });
  assert.deepEqual(pages.map((p) => p.Jobs.length), [3, 1]);
  assert.deepEqual(pages.flatMap((p) => p.Jobs), jobs);
  const filtered = await b.listBackendJobs({ ...q, Operation: 'CreateBackend' }).promise();
  assert.deepEqual(filtered.Jobs.map((j) => j.JobId), [jobs[0].JobId]);

  await badRequest(b.listBackendJobs({ ...q, MaxResults: 26 }));
  await badRequest(b.listBackendJobs({ ...q, NextToken: 'forged-token' }));
  await notFound('Job', b.getBackendJob({ ...q, JobId: NO_JOB }));
});

test('updateBackendJob forces outcomes; one pending job per environment (slow server)', async () => {
  const slow = client({ endpoint: SLOW_ENDPOINT });
  const app = 'v2-update-job';
  const q = { AppId: app, BackendEnvironmentName: ENV };
  let resp = await slow.createBackend({ ...q, AppName: app }).promise();
  const backendJob = assertJobStarted(resp, 'CreateBackend', app);
  const err = await badRequest(slow.createBackendStorage({ ...q, ResourceName: 'st', ResourceConfig: S.storage.create }), S.pendingJobMessage);
  assert.equal(err.code, 'BadRequestException');
  let job = await slow.updateBackendJob({ ...q, JobId: backendJob, Status: 'COMPLETED' }).promise();
  assert.deepEqual([job.Status, job.Operation], ['COMPLETED', 'CreateBackend']);

  resp = await slow.createBackendStorage({ ...q, ResourceName: 'st', ResourceConfig: S.storage.create }).promise();
  job = await slow.updateBackendJob({ ...q, JobId: resp.JobId, Status: 'FAILED' }).promise();
  assert.equal(job.Status, 'FAILED');
  await notFound('Storage', slow.getBackendStorage({ ...q, ResourceName: 'st' }));
  await badRequest(slow.updateBackendJob({ ...q, JobId: resp.JobId, Status: 'RUNNING' }));
});

test('backend config: create/update/removeBackendConfig', async () => {
  const app = 'v2-config';
  await makeBackend(app);
  let resp = await b.createBackendConfig({ AppId: app }).promise();
  await wait(app, assertJobStarted(resp, null, app), resp.BackendEnvironmentName);
  resp = await b.updateBackendConfig({ AppId: app, LoginAuthConfig: S.loginAuthConfig }).promise();
  assert.deepEqual(resp.LoginAuthConfig, S.loginAuthConfig);
  assert.equal(resp.BackendManagerAppId, app);
  assert.deepEqual(await b.removeBackendConfig({ AppId: app }).promise(), {});
  await notFound('BackendConfig', b.removeBackendConfig({ AppId: app }));
});

test('tokens: create/get/deleteToken', async () => {
  const app = 'v2-token';
  await makeBackend(app);
  const tok = await b.createToken({ AppId: app }).promise();
  assert.match(tok.ChallengeCode, /^\d{6}$/);
  const q = { AppId: app, SessionId: tok.SessionId };
  assert.deepEqual(await b.getToken(q).promise(), tok);
  assert.equal((await b.deleteToken(q).promise()).IsSuccess, true);
  await notFound('Token', b.getToken(q));
  await notFound('Token', b.deleteToken(q));
});

test('signatures: the server verifies v2\'s SigV4 and names the failures as AWS does', async () => {
  await rejectsWith('InvalidSignatureException', 403, client({ secretAccessKey: 'not-the-secret' }).listS3Buckets({}));
  await rejectsWith('UnrecognizedClientException', 403, client({ accessKeyId: 'AKIDUNKNOWN' }).listS3Buckets({}));
});

test('partitions: another region sees none of this state', async () => {
  const app = 'v2-partition';
  await makeBackend(app);
  await notFound('App', client({ region: 'ap-southeast-2' }).getBackend({ AppId: app }));
});

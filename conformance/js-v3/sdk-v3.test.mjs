// Conformance suite: the AWS SDK for JavaScript v3 (@aws-sdk/client-amplifybackend) drives all 31
// AmplifyBackend operations against amplifylite, under node's built-in test runner.
// run.sh starts the servers and exports AMPLIFYLITE_ENDPOINT (jobs finish after a few hundred ms)
// and AMPLIFYLITE_SLOW_ENDPOINT (jobs never finish on their own). Each test uses its own app id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import sdk from '@aws-sdk/client-amplifybackend';
import smithy from '@smithy/core';

// The package is CommonJS: node cannot name every export statically, so destructure the default.
const {
  AmplifyBackendClient, BadRequestException, NotFoundException,
  CloneBackendCommand, CreateBackendCommand, CreateBackendAPICommand, CreateBackendAuthCommand,
  CreateBackendConfigCommand, CreateBackendStorageCommand, CreateTokenCommand, DeleteBackendCommand,
  DeleteBackendAPICommand, DeleteBackendAuthCommand, DeleteBackendStorageCommand, DeleteTokenCommand,
  GenerateBackendAPIModelsCommand, GetBackendCommand, GetBackendAPICommand, GetBackendAPIModelsCommand,
  GetBackendAuthCommand, GetBackendJobCommand, GetBackendStorageCommand, GetTokenCommand,
  ImportBackendAuthCommand, ImportBackendStorageCommand, ListBackendJobsCommand, ListS3BucketsCommand,
  RemoveAllBackendsCommand, RemoveBackendConfigCommand, UpdateBackendAPICommand, UpdateBackendAuthCommand,
  UpdateBackendConfigCommand, UpdateBackendJobCommand, UpdateBackendStorageCommand,
} = sdk;

// The AmplifyBackend Smithy model has no @paginated trait on ListBackendJobs (only botocore's
// paginators-1.json declares it; go-v2 hand-writes its paginator), so the v3 package exports no
// paginateListBackendJobs. This is the line the v3 code generator writes for a paginated operation.
const paginateListBackendJobs = smithy.createPaginator(AmplifyBackendClient, ListBackendJobsCommand, 'NextToken', 'NextToken', 'MaxResults');

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
  return new AmplifyBackendClient({
    endpoint, region, maxAttempts: 1,
    credentials: { accessKeyId, secretAccessKey },
  });
}
const c = client();

/** The response's data members only: no $metadata, no undefined members. */
const plain = (resp) => {
  const { $metadata, ...rest } = resp;
  return JSON.parse(JSON.stringify(rest));
};
const clone = (v) => JSON.parse(JSON.stringify(v));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function assertJobStarted(resp, op, appId, env = ENV) {
  assert.equal(resp.$metadata.httpStatusCode, 200);
  assert.match(resp.JobId, UUID_V4);
  assert.equal(resp.Status, 'RUNNING');
  assert.equal(resp.AppId, appId);
  if (env !== null) assert.equal(resp.BackendEnvironmentName, env);
  if (op !== null) assert.equal(resp.Operation, op); // storage and config responses have no Operation
  return resp.JobId;
}

/** Polls GetBackendJob until the job leaves RUNNING and checks its final state. */
async function wait(appId, JobId, env = ENV, want = 'COMPLETED', cl = c) {
  const deadline = Date.now() + 15000;
  let job;
  for (;;) {
    job = await cl.send(new GetBackendJobCommand({ AppId: appId, BackendEnvironmentName: env, JobId }));
    if (job.Status !== 'RUNNING' || Date.now() > deadline) break;
    await sleep(POLL_MS);
  }
  assert.equal(job.Status, want, job.Error);
  assert.equal(job.JobId, JobId);
  assert.match(job.CreateTime, /^\d{13}$/);
  assert.match(job.UpdateTime, /^\d{13}$/);
  assert.ok(Number(job.UpdateTime) >= Number(job.CreateTime));
  return job;
}

async function makeBackend(appId, env = ENV, cl = c) {
  const resp = await cl.send(new CreateBackendCommand({ AppId: appId, AppName: `${appId}-name`, BackendEnvironmentName: env }));
  await wait(appId, assertJobStarted(resp, 'CreateBackend', appId, env), env, 'COMPLETED', cl);
}

/** Expects the call to fail with the typed exception Cls; returns the exception. */
async function rejectsWith(Cls, promise) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected ${Cls.name}, the call succeeded`);
  assert.ok(err instanceof Cls, `expected ${Cls.name}, got ${err.name}: ${err.message}`);
  assert.equal(err.name, Cls.name);
  assert.ok(err.message, 'error message');
  assert.ok(err.$metadata.requestId, 'x-amzn-RequestId');
  return err;
}
async function notFound(resourceType, promise) {
  const err = await rejectsWith(NotFoundException, promise);
  assert.equal(err.$metadata.httpStatusCode, 404);
  assert.equal(err.ResourceType, resourceType);
  return err;
}
async function badRequest(promise, messagePart) {
  const err = await rejectsWith(BadRequestException, promise);
  assert.equal(err.$metadata.httpStatusCode, 400);
  if (messagePart) assert.ok(err.message.includes(messagePart), err.message);
  return err;
}

test('backend lifecycle: CreateBackend, GetBackend, CloneBackend, DeleteBackend', async () => {
  const app = 'v3-lifecycle';
  let resp = await c.send(new CreateBackendCommand({ AppId: app, AppName: 'Lifecycle', BackendEnvironmentName: ENV, ResourceConfig: {} }));
  await wait(app, assertJobStarted(resp, 'CreateBackend', app));

  const got = await c.send(new GetBackendCommand({ AppId: app, BackendEnvironmentName: ENV }));
  assert.equal(got.AppId, app);
  assert.equal(got.AppName, 'Lifecycle');
  assert.equal(got.BackendEnvironmentName, ENV);
  assert.deepEqual(got.BackendEnvironmentList, [ENV]);
  assert.equal(got.Error, undefined);
  const meta = JSON.parse(got.AmplifyMetaConfig).providers.awscloudformation;
  for (const key of S.metaProviderKeys) assert.equal(typeof meta[key], 'string', key);
  assert.equal(meta.Region, 'us-east-1');
  assert.ok('features' in JSON.parse(got.AmplifyFeatureFlags));

  await badRequest(c.send(new CreateBackendCommand({ AppId: app, AppName: 'Lifecycle', BackendEnvironmentName: ENV })));

  resp = await c.send(new CloneBackendCommand({ AppId: app, BackendEnvironmentName: ENV, TargetEnvironmentName: 'prod' }));
  const cloneJob = assertJobStarted(resp, 'CloneBackend', app);
  await wait(app, cloneJob);
  await wait(app, cloneJob, 'prod'); // listed under the source and the target
  assert.deepEqual((await c.send(new GetBackendCommand({ AppId: app }))).BackendEnvironmentList, [ENV, 'prod']);
  await badRequest(c.send(new CloneBackendCommand({ AppId: app, BackendEnvironmentName: ENV, TargetEnvironmentName: 'prod' })));
  await notFound('BackendEnvironment', c.send(new CloneBackendCommand({ AppId: app, BackendEnvironmentName: 'nosuchenv', TargetEnvironmentName: 'other' })));

  resp = await c.send(new DeleteBackendCommand({ AppId: app, BackendEnvironmentName: 'prod' }));
  await wait(app, assertJobStarted(resp, 'DeleteBackend', app, 'prod'), 'prod');
  await notFound('BackendEnvironment', c.send(new GetBackendCommand({ AppId: app, BackendEnvironmentName: 'prod' })));
  await notFound('BackendEnvironment', c.send(new DeleteBackendCommand({ AppId: app, BackendEnvironmentName: 'prod' })));
  await notFound('App', c.send(new GetBackendCommand({ AppId: 'v3-no-such-app' })));
});

test('RemoveAllBackends, with and without cleanAmplifyApp', async () => {
  const app = 'v3-remove-all';
  await makeBackend(app);
  await makeBackend(app, 'test');
  let resp = await c.send(new RemoveAllBackendsCommand({ AppId: app }));
  const jobId = assertJobStarted(resp, 'RemoveAllBackends', app, null);
  assert.equal(resp.BackendEnvironmentName, undefined);
  await wait(app, jobId, ENV); // listed under every environment it removes
  await wait(app, jobId, 'test');
  const got = await c.send(new GetBackendCommand({ AppId: app }));
  assert.deepEqual(got.BackendEnvironmentList ?? [], []);

  await makeBackend(app);
  resp = await c.send(new RemoveAllBackendsCommand({ AppId: app, CleanAmplifyApp: true }));
  await wait(app, assertJobStarted(resp, 'RemoveAllBackends', app, null));
  await notFound('App', c.send(new GetBackendCommand({ AppId: app })));
  await notFound('App', c.send(new RemoveAllBackendsCommand({ AppId: app })));
});

test('auth: Create/Get/Update/Delete/ImportBackendAuth round-trip every irregular wire name', async () => {
  const app = 'v3-auth';
  const q = { AppId: app, BackendEnvironmentName: ENV, ResourceName: S.auth.resourceName };
  await makeBackend(app);
  let resp = await c.send(new CreateBackendAuthCommand({ ...q, ResourceConfig: S.auth.create }));
  await wait(app, assertJobStarted(resp, 'CreateBackendAuth', app));
  let got = await c.send(new GetBackendAuthCommand(q));
  assert.equal(got.ResourceName, S.auth.resourceName);
  assert.deepEqual(plain(got).ResourceConfig, S.auth.create);
  await badRequest(c.send(new CreateBackendAuthCommand({ ...q, ResourceConfig: S.auth.create })));

  resp = await c.send(new UpdateBackendAuthCommand({ ...q, ResourceConfig: S.auth.update }));
  await wait(app, assertJobStarted(resp, 'UpdateBackendAuth', app));
  got = await c.send(new GetBackendAuthCommand(q));
  assert.deepEqual(plain(got).ResourceConfig, S.auth.afterUpdate);
  await notFound('Auth', c.send(new GetBackendAuthCommand({ ...q, ResourceName: 'nosuchauth' })));

  const bad = clone(S.auth.create);
  bad.UserPoolConfigs.SignInMethod = S.auth.badSignInMethod;
  await badRequest(c.send(new CreateBackendAuthCommand({ ...q, ResourceName: 'other', ResourceConfig: bad })), S.auth.badSignInMethodMessage);

  resp = await c.send(new DeleteBackendAuthCommand(q));
  await wait(app, assertJobStarted(resp, 'DeleteBackendAuth', app));
  await notFound('Auth', c.send(new GetBackendAuthCommand(q)));
  await notFound('Auth', c.send(new DeleteBackendAuthCommand(q)));

  resp = await c.send(new ImportBackendAuthCommand({ AppId: app, BackendEnvironmentName: ENV, ...S.importAuth }));
  await wait(app, assertJobStarted(resp, 'ImportBackendAuth', app));
  got = await c.send(new GetBackendAuthCommand({ ...q, ResourceName: S.importAuth.UserPoolId }));
  assert.equal(got.ResourceConfig.AuthResources, 'IDENTITY_POOL_AND_USER_POOL');
  assert.equal(got.ResourceConfig.Service, 'COGNITO');
  assert.equal(got.ResourceConfig.UserPoolConfigs.UserPoolName, S.importAuth.UserPoolId);
  await badRequest(c.send(new ImportBackendAuthCommand({ AppId: app, BackendEnvironmentName: ENV, ...S.importAuth })));
});

test('API: Create/Get/Update/DeleteBackendAPI, a failing schema, Generate/GetBackendAPIModels', async () => {
  const app = 'v3-api';
  const q = { AppId: app, BackendEnvironmentName: ENV, ResourceName: S.api.resourceName };
  await makeBackend(app);
  let resp = await c.send(new CreateBackendAPICommand({ ...q, ResourceConfig: S.api.create }));
  await wait(app, assertJobStarted(resp, 'CreateBackendAPI', app));
  let got = await c.send(new GetBackendAPICommand(q));
  assert.deepEqual(plain(got).ResourceConfig, S.api.create);
  await badRequest(c.send(new CreateBackendAPICommand({ ...q, ResourceConfig: S.api.create })));

  let models = await c.send(new GetBackendAPIModelsCommand(q));
  assert.equal(models.Status, 'STALE');
  assert.equal(models.Models, undefined);

  resp = await c.send(new GenerateBackendAPIModelsCommand(q));
  await wait(app, assertJobStarted(resp, 'GenerateBackendAPIModels', app));
  models = await c.send(new GetBackendAPIModelsCommand(q));
  assert.equal(models.Status, 'LATEST');
  assert.ok(models.Models.startsWith('export const schema = '), models.Models.slice(0, 80));
  const introspection = JSON.parse(models.ModelIntrospectionSchema);
  assert.equal(introspection.version, 1);
  assert.ok(S.api.modelName in introspection.models);

  resp = await c.send(new UpdateBackendAPICommand({ ...q, ResourceConfig: S.api.update }));
  await wait(app, assertJobStarted(resp, 'UpdateBackendAPI', app));
  got = await c.send(new GetBackendAPICommand(q));
  assert.deepEqual(plain(got).ResourceConfig, S.api.afterUpdate);
  assert.equal((await c.send(new GetBackendAPIModelsCommand(q))).Status, 'STALE');

  resp = await c.send(new UpdateBackendAPICommand({ ...q, ResourceConfig: { TransformSchema: S.api.invalidSchema } }));
  const failed = await wait(app, assertJobStarted(resp, 'UpdateBackendAPI', app), ENV, 'FAILED');
  assert.ok(failed.Error, 'a failed job carries an error');
  assert.deepEqual(plain(await c.send(new GetBackendAPICommand(q))).ResourceConfig, S.api.afterUpdate);

  await notFound('API', c.send(new GetBackendAPICommand({ ...q, ResourceName: 'nosuchapi' })));
  await notFound('API', c.send(new GetBackendAPIModelsCommand({ ...q, ResourceName: 'nosuchapi' })));
  resp = await c.send(new DeleteBackendAPICommand(q));
  await wait(app, assertJobStarted(resp, 'DeleteBackendAPI', app));
  await notFound('API', c.send(new GetBackendAPICommand(q)));
  await notFound('API', c.send(new DeleteBackendAPICommand(q)));
});

test('storage: Create/Get/Update/Delete/ImportBackendStorage and ListS3Buckets', async () => {
  const app = 'v3-storage';
  const q = { AppId: app, BackendEnvironmentName: ENV, ResourceName: S.storage.resourceName };
  const bucketNames = async () => {
    const resp = await c.send(new ListS3BucketsCommand({}));
    assert.equal(resp.NextToken, undefined);
    for (const b of resp.Buckets) assert.match(b.CreationDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    return resp.Buckets.map((b) => b.Name);
  };
  await makeBackend(app);
  for (const seed of S.seedBuckets) assert.ok((await bucketNames()).includes(seed), seed);

  let resp = await c.send(new CreateBackendStorageCommand({ ...q, ResourceConfig: S.storage.create }));
  await wait(app, assertJobStarted(resp, null, app));
  let got = await c.send(new GetBackendStorageCommand(q));
  assert.deepEqual(plain(got).ResourceConfig, { ...S.storage.create, Imported: false });
  assert.ok((await bucketNames()).includes(S.storage.create.BucketName));
  await badRequest(c.send(new CreateBackendStorageCommand({ ...q, ResourceName: 'second', ResourceConfig: S.storage.create })));

  resp = await c.send(new UpdateBackendStorageCommand({ ...q, ResourceConfig: S.storage.update }));
  await wait(app, assertJobStarted(resp, null, app));
  got = await c.send(new GetBackendStorageCommand(q));
  assert.deepEqual(plain(got).ResourceConfig, S.storage.afterUpdate);

  await notFound('Storage', c.send(new GetBackendStorageCommand({ ...q, ResourceName: 'nosuchstorage' })));
  resp = await c.send(new DeleteBackendStorageCommand({ ...q, ServiceName: 'S3' }));
  await wait(app, assertJobStarted(resp, null, app));
  await notFound('Storage', c.send(new GetBackendStorageCommand(q)));
  assert.ok(!(await bucketNames()).includes(S.storage.create.BucketName));

  await badRequest(c.send(new ImportBackendStorageCommand({ AppId: app, BackendEnvironmentName: ENV, BucketName: S.storage.invalidBucketName, ServiceName: 'S3' })));
  resp = await c.send(new ImportBackendStorageCommand({ AppId: app, BackendEnvironmentName: ENV, ...S.importStorage }));
  await wait(app, assertJobStarted(resp, null, app));
  got = await c.send(new GetBackendStorageCommand({ ...q, ResourceName: S.importStorage.BucketName }));
  assert.equal(got.ResourceConfig.Imported, true);
  assert.equal(got.ResourceConfig.BucketName, S.importStorage.BucketName);
  assert.ok((await bucketNames()).includes(S.importStorage.BucketName));
});

test('jobs: ListBackendJobs filters, paginateListBackendJobs, GetBackendJob errors', async () => {
  const app = 'v3-jobs';
  const q = { AppId: app, BackendEnvironmentName: ENV };
  await makeBackend(app);
  for (const name of ['a1', 'a2', 'a3']) {
    const resp = await c.send(new CreateBackendAPICommand({ ...q, ResourceName: name, ResourceConfig: S.api.create }));
    await wait(app, resp.JobId);
  }
  const all = await c.send(new ListBackendJobsCommand(q));
  assert.equal(all.NextToken, undefined);
  const jobs = all.Jobs;
  assert.deepEqual(jobs.map((j) => j.Operation), ['CreateBackend', 'CreateBackendAPI', 'CreateBackendAPI', 'CreateBackendAPI']);
  for (const j of jobs) assert.deepEqual([j.AppId, j.BackendEnvironmentName, j.Status], [app, ENV, 'COMPLETED']);

  const pages = [];
  // The paginator writes NextToken and MaxResults into the input it is given: pass a copy.
  for await (const page of paginateListBackendJobs({ client: c, pageSize: 3 }, { ...q })) pages.push(page);
  assert.deepEqual(pages.map((p) => p.Jobs.length), [3, 1]);
  assert.deepEqual(pages.flatMap((p) => p.Jobs), jobs);

  const ids = async (filters) => (await c.send(new ListBackendJobsCommand({ ...q, ...filters }))).Jobs.map((j) => j.JobId);
  assert.deepEqual(await ids({ Operation: 'CreateBackendAPI' }), jobs.slice(1).map((j) => j.JobId));
  assert.deepEqual(await ids({ Status: 'FAILED' }), []);
  assert.deepEqual(await ids({ JobId: jobs[2].JobId }), [jobs[2].JobId]);

  // v3 does not check the 1..25 range: 0 means the default page size (older go-v2 paginators send 0).
  assert.equal((await c.send(new ListBackendJobsCommand({ ...q, MaxResults: 0 }))).Jobs.length, 4);
  await badRequest(c.send(new ListBackendJobsCommand({ ...q, MaxResults: 26 })));
  await badRequest(c.send(new ListBackendJobsCommand({ ...q, NextToken: 'forged-token' })));
  await notFound('Job', c.send(new GetBackendJobCommand({ ...q, JobId: NO_JOB })));
});

test('UpdateBackendJob forces outcomes; one pending job per environment (slow server)', async () => {
  const slow = client({ endpoint: SLOW_ENDPOINT });
  const app = 'v3-update-job';
  const q = { AppId: app, BackendEnvironmentName: ENV };
  let resp = await slow.send(new CreateBackendCommand({ ...q, AppName: app }));
  const backendJob = assertJobStarted(resp, 'CreateBackend', app);
  await badRequest(slow.send(new CreateBackendAuthCommand({ ...q, ResourceName: 'a', ResourceConfig: S.auth.create })), S.pendingJobMessage);
  let job = await slow.send(new UpdateBackendJobCommand({ ...q, JobId: backendJob, Status: 'COMPLETED' }));
  assert.deepEqual([job.Status, job.Operation, job.JobId], ['COMPLETED', 'CreateBackend', backendJob]);

  resp = await slow.send(new CreateBackendAuthCommand({ ...q, ResourceName: S.auth.resourceName, ResourceConfig: S.auth.create }));
  const authJob = assertJobStarted(resp, 'CreateBackendAuth', app);
  await notFound('Auth', slow.send(new GetBackendAuthCommand({ ...q, ResourceName: S.auth.resourceName })));
  await slow.send(new UpdateBackendJobCommand({ ...q, JobId: authJob, Status: 'COMPLETED' }));
  const got = await slow.send(new GetBackendAuthCommand({ ...q, ResourceName: S.auth.resourceName }));
  assert.deepEqual(plain(got).ResourceConfig, S.auth.create);

  resp = await slow.send(new CreateBackendStorageCommand({ ...q, ResourceName: 'st', ResourceConfig: S.storage.create }));
  const storageJob = assertJobStarted(resp, null, app);
  job = await slow.send(new UpdateBackendJobCommand({ ...q, JobId: storageJob, Status: 'FAILED' }));
  assert.deepEqual([job.Status, job.Operation], ['FAILED', 'CreateBackendStorage']);
  await notFound('Storage', slow.send(new GetBackendStorageCommand({ ...q, ResourceName: 'st' })));
  await badRequest(slow.send(new UpdateBackendJobCommand({ ...q, JobId: storageJob, Status: 'RUNNING' })));
  await notFound('Job', slow.send(new UpdateBackendJobCommand({ ...q, JobId: NO_JOB, Status: 'COMPLETED' })));
});

test('GetBackendAPIModels returns exactly what Amplify\'s generator writes for every modelgen fixture', async () => {
  // Fixtures: internal/modelgen/testdata (the official generator's outputs, JSON.stringify(v, null, 4) + "\n").
  // On the slow server, forcing each job to COMPLETED applies it at once: no waiting.
  const dir = new URL('../../internal/modelgen/testdata/', import.meta.url);
  const slow = client({ endpoint: SLOW_ENDPOINT });
  const app = 'v3-modelgen-fixtures';
  const q = { AppId: app, BackendEnvironmentName: ENV };
  const complete = async (resp) => slow.send(new UpdateBackendJobCommand({ ...q, JobId: resp.JobId, Status: 'COMPLETED' }));
  await complete(await slow.send(new CreateBackendCommand({ ...q, AppName: app })));
  const schemas = readdirSync(new URL('schemas/', dir)).filter((f) => f.endsWith('.graphql')).sort();
  assert.ok(schemas.length >= 10, `fixtures found: ${schemas.length}`);
  for (const file of schemas) {
    const name = file.replace(/\.graphql$/, '');
    const resourceName = `fixture${name.slice(0, 2)}`;
    const TransformSchema = readFileSync(new URL(`schemas/${file}`, dir), 'utf8');
    await complete(await slow.send(new CreateBackendAPICommand({ ...q, ResourceName: resourceName, ResourceConfig: { TransformSchema } })));
    const job = await complete(await slow.send(new GenerateBackendAPIModelsCommand({ ...q, ResourceName: resourceName })));
    assert.equal(job.Status, 'COMPLETED', `${file}: ${job.Error}`);
    const got = await slow.send(new GetBackendAPIModelsCommand({ ...q, ResourceName: resourceName }));
    const expected = (suffix) => readFileSync(new URL(`expected/${name}.${suffix}.json`, dir), 'utf8').replace(/\n$/, '');
    assert.equal(got.Status, 'LATEST', file);
    assert.equal(got.Models, `export const schema = ${expected('models')};`, file);
    assert.equal(got.ModelIntrospectionSchema, expected('introspection'), file);
  }
});

test('backend config: Create/Update/RemoveBackendConfig with snake_case loginAuthConfig', async () => {
  const app = 'v3-config';
  await makeBackend(app);
  let resp = await c.send(new CreateBackendConfigCommand({ AppId: app }));
  assert.equal(resp.BackendEnvironmentName, ENV);
  await wait(app, assertJobStarted(resp, null, app), resp.BackendEnvironmentName);

  resp = await c.send(new UpdateBackendConfigCommand({ AppId: app, LoginAuthConfig: S.loginAuthConfig }));
  assert.equal(resp.AppId, app);
  assert.equal(resp.BackendManagerAppId, app);
  assert.deepEqual(plain(resp).LoginAuthConfig, S.loginAuthConfig);

  assert.deepEqual(plain(await c.send(new RemoveBackendConfigCommand({ AppId: app }))), {});
  await notFound('BackendConfig', c.send(new RemoveBackendConfigCommand({ AppId: app })));
});

test('tokens: Create/Get/DeleteToken', async () => {
  const app = 'v3-token';
  await makeBackend(app);
  const tok = await c.send(new CreateTokenCommand({ AppId: app }));
  assert.equal(tok.AppId, app);
  assert.match(tok.SessionId, UUID_V4);
  assert.match(tok.ChallengeCode, /^\d{6}$/);
  assert.match(tok.Ttl, /^\d{10}$/);
  const q = { AppId: app, SessionId: tok.SessionId };
  assert.deepEqual(plain(await c.send(new GetTokenCommand(q))), plain(tok));
  assert.equal((await c.send(new DeleteTokenCommand(q))).IsSuccess, true);
  await notFound('Token', c.send(new GetTokenCommand(q)));
  await notFound('Token', c.send(new DeleteTokenCommand(q)));
  await notFound('App', c.send(new CreateTokenCommand({ AppId: 'v3-no-such-app' })));
});

test('signatures: the server verifies v3\'s SigV4 and names the failures as AWS does', async () => {
  for (const [opts, name] of [
    [{ secretAccessKey: 'not-the-secret' }, 'InvalidSignatureException'],
    [{ accessKeyId: 'AKIDUNKNOWN' }, 'UnrecognizedClientException'],
  ]) {
    const err = await client(opts).send(new ListS3BucketsCommand({})).then(() => null, (e) => e);
    assert.ok(err, `${name} expected`);
    assert.equal(err.name, name, err.message);
    assert.equal(err.$metadata.httpStatusCode, 403);
  }
  const any = client({ endpoint: SLOW_ENDPOINT, accessKeyId: 'AKIDANYTHING', secretAccessKey: 'anything' });
  assert.ok(Array.isArray((await any.send(new ListS3BucketsCommand({}))).Buckets));
});

test('partitions: another region or account sees none of this state', async () => {
  const app = 'v3-partition';
  await makeBackend(app);
  await notFound('App', client({ region: 'eu-west-1' }).send(new GetBackendCommand({ AppId: app })));
  await notFound('App', client({ accessKeyId: '111122223333' }).send(new GetBackendCommand({ AppId: app })));
});

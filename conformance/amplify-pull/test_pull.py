"""Conformance suite: the real Amplify CLI (@aws-amplify/cli-internal 14.2.2) pulls a backend built
through the Admin API from amplifylite.

Run by run.sh, which exports AMPLIFYLITE_ENDPOINT (a server that SigV4-verifies every request against
the dummy keys), AMPLIFYLITE_OPEN_ENDPOINT (a server that accepts any credentials) and AMPLIFY_CLI_DIR
(the npm install of the CLI). For each server a backend is built with boto3 (auth with a user pool and
an identity pool, storage, an API with @model types and API-key auth, generated models, an Admin UI
config), then `amplify pull` runs headless, unmodified, with every endpoint variable pointed at the
server. The CLI exits 0 even when a pull fails, so the tests read what it printed and what it wrote.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

import boto3
from botocore.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "..", "scenarios.json")) as f:
    S = json.load(f)

CLI_DIR = os.environ["AMPLIFY_CLI_DIR"]
AMPLIFY = os.path.join(CLI_DIR, "node_modules", ".bin", "amplify")
POLL = int(os.environ.get("AMPLIFYLITE_POLL_MS", "50")) / 1000
REGION = "us-east-1"
ACCESS_KEY = "AKIDEXAMPLE"
SECRET = os.environ["AWS_SECRET_ACCESS_KEY"]
ENV = "dev"
PULLED = "Successfully pulled backend environment dev from the cloud."
# Where each pull's output, call trace and timing are written (run.sh prints them).
REPORT_DIR = os.environ.get("AMPLIFY_PULL_REPORT_DIR")

FRONTEND = {
    "frontend": "javascript",
    "framework": "react",
    "config": {
        "SourceDir": "src",
        "DistributionDir": "build",
        "BuildCommand": "npm run-script build",
        "StartCommand": "npm run-script start",
    },
}

SCHEMA = """type Post @model {
  id: ID!
  title: String!
  rating: Int
  status: PostStatus
  comments: [Comment] @hasMany
}

type Comment @model {
  id: ID!
  content: String!
  post: Post @belongsTo
}

enum PostStatus {
  DRAFT
  PUBLISHED
}
"""

# Two compositions: the conformance suites' full auth (OAuth, social providers, MFA) and API (three
# auth modes), and a plain one. Each tuple: app name, auth config, API config, storage config.
COMPOSITIONS = {
    "full": {
        "auth": S["auth"]["create"],
        "api": dict(S["api"]["create"], ApiName="pullfullapi", TransformSchema=SCHEMA),
        "storage": {"BucketName": "pull-full-storage", "ServiceName": "S3",
                    "Permissions": {"Authenticated": ["READ", "CREATE_AND_UPDATE", "DELETE"],
                                    "UnAuthenticated": ["READ"]}},
    },
    "plain": {
        "auth": {
            "AuthResources": "IDENTITY_POOL_AND_USER_POOL",
            "Service": "COGNITO",
            "IdentityPoolConfigs": {"IdentityPoolName": "plain_identitypool", "UnauthenticatedLogin": False},
            "UserPoolConfigs": {"UserPoolName": "plain_userpool", "SignInMethod": "USERNAME",
                                "RequiredSignUpAttributes": ["EMAIL"]},
        },
        "api": {
            "ApiName": "plainapi",
            "Service": "AppSync",
            "TransformSchema": "type Note @model {\n  id: ID!\n  text: String!\n  done: Boolean\n}\n",
            "DefaultAuthType": {"Mode": "API_KEY", "Settings": {"Description": "plain key", "ExpirationTime": 7.0}},
            "ConflictResolution": {"ResolutionStrategy": "OPTIMISTIC_CONCURRENCY"},
        },
        "storage": {"BucketName": "pull-plain-storage", "ServiceName": "S3",
                    "Permissions": {"Authenticated": ["READ", "CREATE_AND_UPDATE"]}},
    },
}


def backend_client(endpoint):
    return boto3.client(
        "amplifybackend", endpoint_url=endpoint, region_name=REGION,
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET,
        config=Config(retries={"mode": "standard", "max_attempts": 1}))


def wait_job(c, app, job_id, env=ENV):
    deadline = time.monotonic() + 30
    while True:
        job = c.get_backend_job(AppId=app, BackendEnvironmentName=env, JobId=job_id)
        if job["Status"] != "RUNNING" or time.monotonic() > deadline:
            break
        time.sleep(POLL)
    if job["Status"] != "COMPLETED":
        raise AssertionError(f"job {job_id} ended {job['Status']}: {job.get('Error')}")


def build_backend(endpoint, app, composition):
    """Builds a backend the way Amplify Studio does, through the Admin API; returns GetBackend's meta."""
    c = backend_client(endpoint)
    comp = COMPOSITIONS[composition]
    r = c.create_backend(AppId=app, AppName=f"pull{composition}", BackendEnvironmentName=ENV)
    wait_job(c, app, r["JobId"])
    r = c.create_backend_auth(AppId=app, BackendEnvironmentName=ENV, ResourceName=f"{composition}auth",
                              ResourceConfig=comp["auth"])
    wait_job(c, app, r["JobId"])
    r = c.create_backend_storage(AppId=app, BackendEnvironmentName=ENV, ResourceName=f"{composition}storage",
                                 ResourceConfig=comp["storage"])
    wait_job(c, app, r["JobId"])
    r = c.create_backend_api(AppId=app, BackendEnvironmentName=ENV, ResourceName=comp["api"]["ApiName"],
                             ResourceConfig=comp["api"])
    wait_job(c, app, r["JobId"])
    r = c.generate_backend_api_models(AppId=app, BackendEnvironmentName=ENV, ResourceName=comp["api"]["ApiName"])
    wait_job(c, app, r["JobId"])
    r = c.create_backend_config(AppId=app)
    wait_job(c, app, r["JobId"], env=r["BackendEnvironmentName"])
    c.update_backend_config(AppId=app, LoginAuthConfig=S["loginAuthConfig"])
    backend = c.get_backend(AppId=app, BackendEnvironmentName=ENV)
    return json.loads(backend["AmplifyMetaConfig"])


def amplify_home(base):
    """A HOME for the CLI whose plugin scan covers the install's node_modules."""
    home = os.path.join(base, "home")
    os.makedirs(os.path.join(home, ".amplify"))
    with open(os.path.join(home, ".amplify", "plugins.json"), "w") as f:
        json.dump({
            "pluginDirectories": ["cli-local-node-modules", "cli-parent-directory", "dev-node-modules",
                                  os.path.join(CLI_DIR, "node_modules")],
            "pluginPrefixes": ["amplify-"],
            "userAddedLocations": [],
            "lastScanTime": "2000-01-01T00:00:00.000Z",
            "maxScanIntervalInSeconds": 86400,
            "plugins": {},
            "excluded": {},
        }, f)
    return home


def cli_env(endpoint, home):
    env = dict(os.environ)
    env.update({
        "HOME": home,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_AMPLIFY_ENDPOINT": endpoint,
        "AMPLIFY_CLI_APPSTATE_BASE_URL": endpoint,
        # No telemetry, no update check, no banner download: the CLI must not need the internet.
        "AMPLIFY_CLI_ENABLE_USAGE_DATA": "false",
        "NO_UPDATE_NOTIFIER": "1",
        "AMPLIFY_CLI_BANNER_MESSAGE_URL": "http://127.0.0.1:1/banner-message.json",
        "FORCE_COLOR": "0",
        "NO_COLOR": "1",
    })
    # The CLI treats any AWS_SDK_LOAD_CONFIG value as "use the profile".
    env.pop("AWS_SDK_LOAD_CONFIG", None)
    env.pop("CI", None)
    return env


def run_cli(args, cwd, env, stdin=None, timeout=600):
    t0 = time.monotonic()
    p = subprocess.run([AMPLIFY, *args], cwd=cwd, env=env, input=stdin, capture_output=True,
                       text=True, timeout=timeout)
    return p, time.monotonic() - t0


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def plain(text):
    return ANSI.sub("", text)


def journal(endpoint):
    """The server's request journal: (total requests so far, the last 1000 newest first)."""
    req = urllib.request.Request(endpoint + "/_amplifylite/requests?limit=1000",
                                 headers={"Authorization": "Bearer " + os.environ["AMPLIFY_PULL_ADMIN_TOKEN"]})
    with urllib.request.urlopen(req, timeout=10) as r:
        j = json.load(r)
    return j["total"], j["requests"]


def calls_since(endpoint, before):
    """The requests made since the journal's total was `before`, oldest first."""
    total, newest_first = journal(endpoint)
    return list(reversed(newest_first[:total - before]))


def load_exports(project):
    """src/aws-exports.js, evaluated by node as the ES module the CLI wrote."""
    src = os.path.join(project, "src", "aws-exports.js")
    mjs = os.path.join(project, "aws-exports.mjs")
    shutil.copy(src, mjs)
    out = subprocess.run(["node", "--input-type=module", "-e",
                          f"import c from {json.dumps('file://' + mjs)}; console.log(JSON.stringify(c))"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def expected_exports(meta, comp):
    """The aws-exports.js keys the CLI derives from amplify-meta (frontend-config-creator.js)."""
    region = meta["providers"]["awscloudformation"]["Region"]
    (auth,) = meta["auth"].values()
    (api,) = meta["api"].values()
    (storage,) = meta["storage"].values()
    want = {
        "aws_project_region": region,
        "aws_cognito_region": region,
        "aws_user_pools_id": auth["output"]["UserPoolId"],
        "aws_user_pools_web_client_id": auth["output"]["AppClientIDWeb"],
        "aws_user_files_s3_bucket": storage["output"]["BucketName"],
        "aws_user_files_s3_bucket_region": storage["output"]["Region"],
        "aws_appsync_graphqlEndpoint": api["output"]["GraphQLAPIEndpointOutput"],
        "aws_appsync_region": region,
        "aws_appsync_authenticationType": comp["api"]["DefaultAuthType"]["Mode"],
    }
    if "IdentityPoolId" in auth["output"]:
        want["aws_cognito_identity_pool_id"] = auth["output"]["IdentityPoolId"]
    if "GraphQLAPIKeyOutput" in api["output"]:
        want["aws_appsync_apiKey"] = api["output"]["GraphQLAPIKeyOutput"]
    return want


class Pull:
    """One headless pull of one composition from one server, shared by the tests of a class."""

    def __init__(self, endpoint, app, composition):
        self.endpoint, self.app, self.composition = endpoint, app, composition
        self.base = tempfile.mkdtemp(prefix=f"amplify-pull-{composition}-")
        self.home = amplify_home(self.base)
        self.env = cli_env(endpoint, self.home)
        self.meta = build_backend(endpoint, app, composition)
        self.project = os.path.join(self.base, "project")
        os.makedirs(self.project)
        before, _ = journal(endpoint)
        providers = {"awscloudformation": {"configLevel": "project", "useProfile": False,
                                           "accessKeyId": ACCESS_KEY, "secretAccessKey": SECRET,
                                           "region": REGION}}
        self.proc, self.seconds = run_cli(
            ["pull", "--amplify", json.dumps({"appId": app, "envName": ENV}),
             "--providers", json.dumps(providers), "--frontend", json.dumps(FRONTEND), "--yes"],
            self.project, self.env)
        self.out = plain(self.proc.stdout + self.proc.stderr)
        self.trace = calls_since(endpoint, before)
        self.report()

    def report(self):
        if not REPORT_DIR:
            return
        name = f"{self.composition}-{'signed' if self.endpoint == os.environ['AMPLIFYLITE_ENDPOINT'] else 'open'}"
        with open(os.path.join(REPORT_DIR, name + ".out"), "w") as f:
            f.write(self.out)
        with open(os.path.join(REPORT_DIR, name + ".trace.json"), "w") as f:
            json.dump({"seconds": self.seconds, "requests": self.trace}, f, indent=1)

    def cleanup(self):
        if os.environ.get("AMPLIFY_PULL_KEEP"):
            print(f"kept {self.base}", file=sys.stderr)
            return
        shutil.rmtree(self.base, ignore_errors=True)


class PullCase(unittest.TestCase):
    maxDiff = None
    endpoint = None
    composition = None
    app = None

    @classmethod
    def setUpClass(cls):
        if cls.endpoint is None:
            raise unittest.SkipTest("base class")
        cls.pull = Pull(os.environ[cls.endpoint], cls.app, cls.composition)

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "pull", None):
            cls.pull.cleanup()

    def test_pull_succeeds(self):
        self.assertIn(PULLED, self.pull.out)
        self.assertNotIn("Failed to pull", self.pull.out)
        self.assertEqual(self.pull.proc.returncode, 0, self.pull.out)

    def test_aws_exports_holds_getbackend_ids(self):
        got = load_exports(self.pull.project)
        want = expected_exports(self.pull.meta, COMPOSITIONS[self.composition])
        self.assertEqual({k: got.get(k) for k in want}, want, self.pull.out)
        if "aws_appsync_apiKey" not in want:
            self.assertNotIn("aws_appsync_apiKey", got)
        # amplifyconfiguration.json is the same object as JSON.
        with open(os.path.join(self.pull.project, "src", "amplifyconfiguration.json")) as f:
            self.assertEqual(json.load(f), got)

    def test_models_generated(self):
        models = os.path.join(self.pull.project, "src", "models")
        self.assertTrue(os.path.isdir(models), self.pull.out)
        names = sorted(os.listdir(models))
        for want in ("index.d.ts", "index.js", "schema.d.ts", "schema.js"):
            self.assertIn(want, names)
        with open(os.path.join(models, "schema.js")) as f:
            schema = f.read()
        api = COMPOSITIONS[self.composition]["api"]
        for model in re.findall(r"^type (\w+) @model", api["TransformSchema"], re.M):
            self.assertIn(f'"name": "{model}"', schema)
        with open(os.path.join(models, "index.js")) as f:
            index = f.read()
        self.assertIn("initSchema", index)

    def test_project_files(self):
        p = self.pull.project
        with open(os.path.join(p, "amplify", "team-provider-info.json")) as f:
            tpi = json.load(f)
        providers = self.pull.meta["providers"]["awscloudformation"]
        self.assertEqual(tpi[ENV]["awscloudformation"]["AmplifyAppId"], self.app)
        self.assertEqual(tpi[ENV]["awscloudformation"]["StackName"], providers["StackName"])
        self.assertEqual(tpi[ENV]["awscloudformation"]["DeploymentBucketName"], providers["DeploymentBucketName"])
        api = COMPOSITIONS[self.composition]["api"]["ApiName"]
        with open(os.path.join(p, "amplify", "backend", "api", api, "schema.graphql")) as f:
            self.assertEqual(f.read(), COMPOSITIONS[self.composition]["api"]["TransformSchema"])
        with open(os.path.join(p, "amplify", "backend", "amplify-meta.json")) as f:
            local = json.load(f)
        for category in ("auth", "api", "storage"):
            for name, res in self.pull.meta[category].items():
                for key, value in res["output"].items():
                    self.assertEqual(local[category][name]["output"].get(key), value, (category, name, key))
                self.assertIn("lastPushTimeStamp", local[category][name])
        self.assertTrue(os.path.exists(os.path.join(p, "amplify", "cli.json")))

    def test_trace_is_aws_only(self):
        if not self.pull.trace:
            self.skipTest("server keeps no journal")
        services = {r.get("service") or r.get("Service") for r in self.pull.trace}
        self.assertTrue(services, self.pull.trace[:3])


class SignedFull(PullCase):
    endpoint, composition, app = "AMPLIFYLITE_ENDPOINT", "full", "dpullfull1a2b3"


class OpenPlain(PullCase):
    endpoint, composition, app = "AMPLIFYLITE_OPEN_ENDPOINT", "plain", "dpullplain1a2b"


if __name__ == "__main__":
    runner = unittest.TextTestRunner(verbosity=2, stream=sys.stdout)
    prog = unittest.main(exit=False, testRunner=runner)
    r = prog.result
    failed = len(r.failures) + len(r.errors) + len(r.unexpectedSuccesses)
    passed = r.testsRun - failed - len(r.skipped)
    print(f"amplify-pull: {passed} passed, {failed} failed")
    sys.exit(1 if failed or passed == 0 else 0)

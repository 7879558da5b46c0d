"""Conformance suite: the real Amplify CLI (@aws-amplify/cli-internal 14.2.2) pulls backends built
through the Admin API from amplifylite.

Run by run.sh, which exports AMPLIFYLITE_ENDPOINT (a server that SigV4-verifies every request against
the dummy keys; its request journal wants AMPLIFY_PULL_ADMIN_TOKEN), AMPLIFYLITE_OPEN_ENDPOINT (a
server that accepts any credentials) and AMPLIFY_CLI_DIR (the npm install of the CLI). Per server a
backend is built with boto3 (auth with a user pool and an identity pool, storage, an API with @model
types, generated models; the "full" one also gets an Admin UI config), then `amplify pull` runs
headless and unmodified with every endpoint variable pointed at the server. The CLI exits 0 even when
a pull fails, so the tests read what it printed and what it wrote.
"""

import json
import os
import pty
import re
import select
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
CLI_BIN = os.path.join(CLI_DIR, "node_modules", ".bin")
AMPLIFY = os.path.join(CLI_BIN, "amplify")
POLL = int(os.environ.get("AMPLIFYLITE_POLL_MS", "50")) / 1000
REGION = "us-east-1"
ACCESS_KEY = "AKIDEXAMPLE"
SECRET = os.environ["AWS_SECRET_ACCESS_KEY"]
ENV = "dev"
PULLED = "Successfully pulled backend environment {} from the cloud."
# Where each pull's output and call trace are written (run.sh prints the directory).
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

FULL_SCHEMA = """type Post @model @auth(rules: [{allow: public}]) {
  id: ID!
  title: String!
  rating: Int
  status: PostStatus
  comments: [Comment] @hasMany
}

type Comment @model @auth(rules: [{allow: public}]) {
  id: ID!
  content: String!
  post: Post @belongsTo
}

enum PostStatus {
  DRAFT
  PUBLISHED
}
"""

PLAIN_SCHEMA = """type Note @model @auth(rules: [{allow: owner}]) {
  id: ID!
  text: String!
  done: Boolean
}
"""

OIDC = {"Mode": "OPENID_CONNECT", "Settings": {"OpenIDProviderName": "example", "OpenIDIssueURL": "https://issuer.example.com",
                                             "OpenIDClientId": "oidc-client", "OpenIDAuthTTL": "3600", "OpenIDIatTTL": "1800"}}
ITEM_SCHEMA = "type Item @model @auth(rules: [{allow: public}]) {\n  id: ID!\n  label: String\n}\n"

def username_auth(prefix):
    """A user pool with username sign-in and an identity pool without guests."""
    return {
        "AuthResources": "IDENTITY_POOL_AND_USER_POOL",
        "Service": "COGNITO",
        "IdentityPoolConfigs": {"IdentityPoolName": f"{prefix}_identitypool", "UnauthenticatedLogin": False},
        "UserPoolConfigs": {"UserPoolName": f"{prefix}_userpool", "SignInMethod": "USERNAME",
                            "RequiredSignUpAttributes": ["EMAIL"]},
    }


# The compositions. "full": the client suites' auth (OAuth, four social providers, MFA, password
# policy), an API-key API with two more auth modes, an Admin UI config. "plain": username sign-in,
# an API whose default mode is the user pool (so no API key), no Admin UI config. `cognito` is what
# the CLI must derive for aws-exports' aws_cognito_* keys from the auth settings.
COMPOSITIONS = {
    "full": {
        "auth": S["auth"]["create"],
        "api": dict(S["api"]["create"], ApiName="pullfullapi", TransformSchema=FULL_SCHEMA),
        "storage": {"BucketName": "pull-full-storage", "ServiceName": "S3",
                    "Permissions": {"Authenticated": ["READ", "CREATE_AND_UPDATE", "DELETE"],
                                    "UnAuthenticated": ["READ"]}},
        "adminUI": True,
        "cognito": {
            "aws_cognito_username_attributes": ["EMAIL"],
            "aws_cognito_signup_attributes": ["EMAIL", "NAME"],
            "aws_cognito_social_providers": ["FACEBOOK", "GOOGLE", "AMAZON", "APPLE"],
            "aws_cognito_mfa_configuration": "ON",
            "aws_cognito_mfa_types": ["SMS", "TOTP"],
            "aws_cognito_password_protection_settings": {
                "passwordPolicyMinLength": 8,
                "passwordPolicyCharacters": ["REQUIRES_NUMBERS", "REQUIRES_SYMBOLS"]},
            "aws_cognito_verification_mechanisms": ["PHONE_NUMBER"],
            "federationTarget": "COGNITO_USER_POOLS",
        },
        "oauth": {"scope": ["email", "openid", "profile", "aws.cognito.signin.user.admin"],
                  "redirectSignIn": "https://app.example.com/signin",
                  "redirectSignOut": "https://app.example.com/signout",
                  "responseType": "code"},
    },
    "plain": {
        "auth": username_auth("plain"),
        "api": {
            "ApiName": "plainapi",
            "Service": "AppSync",
            "TransformSchema": PLAIN_SCHEMA,
            "DefaultAuthType": {"Mode": "AMAZON_COGNITO_USER_POOLS"},
            "ConflictResolution": {"ResolutionStrategy": "OPTIMISTIC_CONCURRENCY"},
        },
        "storage": {"BucketName": "pull-plain-storage", "ServiceName": "S3",
                    "Permissions": {"Authenticated": ["READ", "CREATE_AND_UPDATE"]}},
        "adminUI": False,
        "cognito": {
            "aws_cognito_username_attributes": [],
            "aws_cognito_signup_attributes": ["EMAIL"],
            "aws_cognito_social_providers": [],
            "aws_cognito_mfa_configuration": "OFF",
        },
        "oauth": {},
    },
    # "minimal": a user pool without an identity pool, no storage, an API-key API without conflict
    # resolution — so no DataStore, and `amplify pull` generates no models (as with real Amplify).
    "minimal": {
        "auth": {
            "AuthResources": "USER_POOL_ONLY",
            "Service": "COGNITO",
            "UserPoolConfigs": {"UserPoolName": "minimal_userpool", "SignInMethod": "PHONE_NUMBER",
                                "RequiredSignUpAttributes": ["PHONE_NUMBER"]},
        },
        "api": {
            "ApiName": "minimalapi",
            "Service": "AppSync",
            "TransformSchema": ITEM_SCHEMA,
            "DefaultAuthType": {"Mode": "API_KEY", "Settings": {"ExpirationTime": 90.0}},
            "ConflictResolution": {"ResolutionStrategy": "NONE"},
        },
        "adminUI": False,
        "cognito": {
            "aws_cognito_username_attributes": ["PHONE_NUMBER"],
            "aws_cognito_signup_attributes": ["PHONE_NUMBER"],
            "aws_cognito_social_providers": [],
        },
        "oauth": {},
    },
    # "guests": an identity pool without OAuth (email and phone sign-in, optional TOTP MFA, a password
    # policy), storage guests may write to, a user-pool API with every other auth mode.
    "guests": {
        "auth": {
            "AuthResources": "IDENTITY_POOL_AND_USER_POOL",
            "Service": "COGNITO",
            "IdentityPoolConfigs": {"IdentityPoolName": "guests_identitypool", "UnauthenticatedLogin": True},
            "UserPoolConfigs": {
                "UserPoolName": "guests_userpool", "SignInMethod": "EMAIL_AND_PHONE_NUMBER",
                "RequiredSignUpAttributes": ["EMAIL", "PHONE_NUMBER"],
                "Mfa": {"MFAMode": "OPTIONAL", "Settings": {"MfaTypes": ["TOTP"]}},
                "PasswordPolicy": {"MinimumLength": 12, "AdditionalConstraints": ["REQUIRE_UPPERCASE", "REQUIRE_LOWERCASE"]},
                "VerificationMessage": {"DeliveryMethod": "EMAIL",
                                        "EmailSettings": {"EmailMessage": "code {####}", "EmailSubject": "code"}}},
        },
        "api": {
            "ApiName": "guestsapi",
            "Service": "AppSync",
            "TransformSchema": ITEM_SCHEMA,
            "DefaultAuthType": {"Mode": "AMAZON_COGNITO_USER_POOLS"},
            "AdditionalAuthTypes": [{"Mode": "AWS_IAM"}, {"Mode": "API_KEY", "Settings": {"ExpirationTime": 7.0}}, OIDC],
            "ConflictResolution": {"ResolutionStrategy": "OPTIMISTIC_CONCURRENCY"},
        },
        "storage": {"BucketName": "pull-guests-storage", "ServiceName": "S3",
                    "Permissions": {"Authenticated": ["READ", "CREATE_AND_UPDATE", "DELETE"],
                                    "UnAuthenticated": ["READ", "CREATE_AND_UPDATE"]}},
        "adminUI": False,
        "cognito": {
            "aws_cognito_username_attributes": ["EMAIL", "PHONE_NUMBER"],
            "aws_cognito_signup_attributes": ["EMAIL", "PHONE_NUMBER"],
            "aws_cognito_social_providers": [],
            "aws_cognito_mfa_configuration": "OPTIONAL",
            "aws_cognito_mfa_types": ["TOTP"],
            "aws_cognito_password_protection_settings": {
                "passwordPolicyMinLength": 12,
                "passwordPolicyCharacters": ["REQUIRES_UPPERCASE", "REQUIRES_LOWERCASE"]},
            "aws_cognito_verification_mechanisms": ["EMAIL"],
        },
        "oauth": {},
    },
    # "apionly": an environment with nothing but an OpenID Connect API (plus API key and IAM modes), in
    # an app whose name has spaces and non-ASCII letters.
    "apionly": {
        "appName": "Café Ünïcode app",
        "api": {
            "ApiName": "apionlyapi",
            "Service": "AppSync",
            "TransformSchema": ITEM_SCHEMA,
            "DefaultAuthType": OIDC,
            "AdditionalAuthTypes": [{"Mode": "API_KEY", "Settings": {"ExpirationTime": 30.0}}, {"Mode": "AWS_IAM"}],
            "ConflictResolution": {"ResolutionStrategy": "OPTIMISTIC_CONCURRENCY"},
        },
        "adminUI": False,
    },
    # "cloned": the pulled environment is the app's second one, `staging`, made by CloneBackend of `dev`
    # (user pool only, an IAM API); its ids are its own.
    "cloned": {
        "env": "staging",
        "auth": {
            "AuthResources": "USER_POOL_ONLY",
            "Service": "COGNITO",
            "UserPoolConfigs": {"UserPoolName": "cloned_userpool", "SignInMethod": "USERNAME",
                                "RequiredSignUpAttributes": ["EMAIL"]},
        },
        "api": {
            "ApiName": "clonedapi",
            "Service": "AppSync",
            "TransformSchema": ITEM_SCHEMA,
            "DefaultAuthType": {"Mode": "AWS_IAM"},
            "AdditionalAuthTypes": [{"Mode": "AMAZON_COGNITO_USER_POOLS"}],
            "ConflictResolution": {"ResolutionStrategy": "NONE"},
        },
        "adminUI": False,
        "cognito": {
            "aws_cognito_username_attributes": [],
            "aws_cognito_signup_attributes": ["EMAIL"],
            "aws_cognito_social_providers": [],
        },
        "oauth": {},
    },
    # "imported": an imported bucket beside a user and identity pool: the CLI reads the bucket from the
    # environment's parameters (SSM GetParameters) and checks it (S3 HeadBucket, GetBucketLocation).
    "imported": {
        "auth": username_auth("imported"),
        "api": {
            "ApiName": "importedapi",
            "Service": "AppSync",
            "TransformSchema": ITEM_SCHEMA,
            "DefaultAuthType": {"Mode": "AWS_IAM"},
            "ConflictResolution": {"ResolutionStrategy": "NONE"},
        },
        "storage": {"Imported": True, "BucketName": "pull-imported-bucket"},
        "adminUI": False,
        "cognito": {
            "aws_cognito_username_attributes": [],
            "aws_cognito_signup_attributes": ["EMAIL"],
            "aws_cognito_social_providers": [],
        },
        "oauth": {},
    },
    # "importedauth": an imported user pool with its identity pool (ImportBackendAuth): the CLI reads the
    # ids from the environment's parameters (SSM GetParameters) and re-validates them through Cognito User
    # Pools and Cognito Identity.
    "importedauth": {
        "auth": {"Import": {"UserPoolId": f"{REGION}_ImPoRtEd1", "WebClientId": "1webclient0imported0pull0a",
                            "NativeClientId": "2nativeclient0imported0pul",
                            "IdentityPoolId": f"{REGION}:4c5f2a3e-8b7d-4e1f-9a6c-2d3b4e5f6a7b"}},
        "api": {
            "ApiName": "importedauthapi",
            "Service": "AppSync",
            "TransformSchema": ITEM_SCHEMA,
            "DefaultAuthType": {"Mode": "AMAZON_COGNITO_USER_POOLS"},
            "AdditionalAuthTypes": [{"Mode": "AWS_IAM"}],
            "ConflictResolution": {"ResolutionStrategy": "NONE"},
        },
        "adminUI": False,
        # What amplifylite derives for a pool it knows only by its ids (README: username sign-in, no MFA,
        # passwords of at least 8 characters, no required or verified attributes).
        "cognito": {
            "aws_cognito_username_attributes": [],
            "aws_cognito_signup_attributes": [],
            "aws_cognito_social_providers": [],
            "aws_cognito_mfa_configuration": "OFF",
            "aws_cognito_password_protection_settings": {"passwordPolicyMinLength": 8, "passwordPolicyCharacters": []},
            "aws_cognito_verification_mechanisms": [],
        },
        "oauth": {},
    },
}


def deployed_name(category, name, res):
    """A resource's name in the deployed project: an imported auth resource is named after its pool id,
    whose "_" the CLI's environment parameter keys cannot carry, so amplifylite keeps letters and digits."""
    if category == "auth" and res.get("serviceType") == "imported":
        return re.sub(r"[^A-Za-z0-9]", "", name)
    return name


def backend_client(endpoint):
    return boto3.client(
        "amplifybackend", endpoint_url=endpoint, region_name=REGION,
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET,
        config=Config(retries={"mode": "standard", "max_attempts": 1}))


def s3_client(endpoint):
    return boto3.client(
        "s3", endpoint_url=endpoint, region_name=REGION,
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET,
        config=Config(s3={"addressing_style": "path"}, retries={"mode": "standard", "max_attempts": 1}))


def wait_job(c, app, job_id, env=ENV):
    deadline = time.monotonic() + 30
    while True:
        job = c.get_backend_job(AppId=app, BackendEnvironmentName=env, JobId=job_id)
        if job["Status"] != "RUNNING" or time.monotonic() > deadline:
            break
        time.sleep(POLL)
    if job["Status"] != "COMPLETED":
        raise AssertionError(f"job {job_id} ended {job['Status']}: {job.get('Error')}")


def pulled_env(composition):
    """The environment a composition's pull asks for: `dev`, or a clone of it."""
    return COMPOSITIONS[composition].get("env", ENV)


def build_backend(endpoint, app, composition):
    """Builds a backend the way Amplify Studio does, through the Admin API, in `dev`; a composition
    pulling another environment gets it by CloneBackend of `dev`. Returns GetBackend's meta of the
    pulled environment."""
    c = backend_client(endpoint)
    comp = COMPOSITIONS[composition]
    name = comp["api"]["ApiName"]
    r = c.create_backend(AppId=app, AppName=comp.get("appName", f"pull{composition}"), BackendEnvironmentName=ENV)
    wait_job(c, app, r["JobId"])
    if "auth" in comp and "Import" in comp["auth"]:
        r = c.import_backend_auth(AppId=app, BackendEnvironmentName=ENV, **comp["auth"]["Import"])
        wait_job(c, app, r["JobId"])
    elif "auth" in comp:
        r = c.create_backend_auth(AppId=app, BackendEnvironmentName=ENV, ResourceName=f"{composition}auth",
                                  ResourceConfig=comp["auth"])
        wait_job(c, app, r["JobId"])
    if "storage" in comp and comp["storage"].get("Imported"):
        r = c.import_backend_storage(AppId=app, BackendEnvironmentName=ENV, BucketName=comp["storage"]["BucketName"],
                                     ServiceName="S3")
        wait_job(c, app, r["JobId"])
    elif "storage" in comp:
        r = c.create_backend_storage(AppId=app, BackendEnvironmentName=ENV, ResourceName=f"{composition}storage",
                                     ResourceConfig=comp["storage"])
        wait_job(c, app, r["JobId"])
    r = c.create_backend_api(AppId=app, BackendEnvironmentName=ENV, ResourceName=name, ResourceConfig=comp["api"])
    wait_job(c, app, r["JobId"])
    r = c.generate_backend_api_models(AppId=app, BackendEnvironmentName=ENV, ResourceName=name)
    wait_job(c, app, r["JobId"])
    if comp["adminUI"]:
        r = c.create_backend_config(AppId=app)
        wait_job(c, app, r["JobId"], env=r["BackendEnvironmentName"])
        c.update_backend_config(AppId=app, LoginAuthConfig=S["loginAuthConfig"])
    env = pulled_env(composition)
    if env != ENV:
        r = c.clone_backend(AppId=app, BackendEnvironmentName=ENV, TargetEnvironmentName=env)
        wait_job(c, app, r["JobId"], env=env)
    return json.loads(c.get_backend(AppId=app, BackendEnvironmentName=env)["AmplifyMetaConfig"])


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
        "PATH": CLI_BIN + os.pathsep + env.get("PATH", ""),  # `amplify pull --sandboxId` runs `amplify init`
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_AMPLIFY_ENDPOINT": endpoint,
        "AMPLIFY_CLI_APPSTATE_BASE_URL": endpoint,
        # No telemetry, update check or banner download: nothing but amplifylite is asked.
        "AMPLIFY_CLI_ENABLE_USAGE_DATA": "false",
        "NO_UPDATE_NOTIFIER": "1",
        "npm_config_update_notifier": "false",
        "AMPLIFY_CLI_BANNER_MESSAGE_URL": "http://127.0.0.1:1/banner-message.json",
        "NO_COLOR": "1",
        "FORCE_COLOR": "0",
        "TERM": "dumb",
    })
    # The CLI takes any AWS_SDK_LOAD_CONFIG value as "use the profile"; CI changes prompts and `open`.
    env.pop("AWS_SDK_LOAD_CONFIG", None)
    env.pop("CI", None)
    return env


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def plain(text):
    return ANSI.sub("", text)


def run_cli(args, cwd, env, timeout=600):
    t0 = time.monotonic()
    p = subprocess.run([AMPLIFY, *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, plain(p.stdout + p.stderr), time.monotonic() - t0


def run_cli_tty(args, cwd, env, answers, timeout=300):
    """Runs the CLI on a pseudo-terminal (its prompts refuse a pipe); whenever the output shows the
    next question of `answers` (a list of (question, keys)), it types the keys."""
    master, slave = pty.openpty()
    p = subprocess.Popen([AMPLIFY, *args], cwd=cwd, env=env, stdin=slave, stdout=slave, stderr=slave,
                         close_fds=True)
    os.close(slave)
    out, pending, deadline = b"", list(answers), time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                out += chunk
            if pending and pending[0][0].encode() in out:
                time.sleep(0.3)  # let the prompt finish drawing
                os.write(master, pending.pop(0)[1].encode())
            if not ready and p.poll() is not None:
                break
    finally:
        if p.poll() is None:
            p.kill()
        p.wait(timeout=10)
        os.close(master)
    return p.returncode, plain(out.decode(errors="replace"))


def journal(endpoint):
    """The server's request journal: (requests so far, the last 1000 newest first)."""
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
    mjs = os.path.join(project, "aws-exports.mjs")
    shutil.copy(os.path.join(project, "src", "aws-exports.js"), mjs)
    out = subprocess.run(["node", "--input-type=module", "-e",
                          f"import c from {json.dumps('file://' + mjs)}; console.log(JSON.stringify(c))"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


# The aws-exports.js keys that come from an auth resource: all absent without one. (With one, a
# composition's "cognito" lists the aws_cognito_* values the CLI derives from the auth settings.)
AUTH_KEYS = ("aws_cognito_region", "aws_user_pools_id", "aws_user_pools_web_client_id",
             "aws_cognito_identity_pool_id", "aws_cognito_username_attributes", "aws_cognito_signup_attributes",
             "aws_cognito_social_providers", "aws_cognito_mfa_configuration", "aws_cognito_mfa_types",
             "aws_cognito_password_protection_settings", "aws_cognito_verification_mechanisms",
             "federationTarget", "oauth")


def expected_exports(meta, deployed, comp):
    """The aws-exports.js values for GetBackend's meta (ids) and the deployed amplify-meta.json (the
    API key, the hosted UI domain), as frontend-config-creator.js derives them. None: the key must be
    absent."""
    region = meta["providers"]["awscloudformation"]["Region"]
    (api,) = meta["api"].values()
    want = {
        "aws_project_region": region,
        "aws_user_files_s3_bucket": None,
        "aws_user_files_s3_bucket_region": None,
        "aws_appsync_graphqlEndpoint": api["output"]["GraphQLAPIEndpointOutput"],
        "aws_appsync_region": region,
        "aws_appsync_authenticationType": comp["api"]["DefaultAuthType"]["Mode"],
    }
    assert ("auth" in meta) == ("auth" in comp), meta
    if "auth" not in meta:
        want.update({key: None for key in AUTH_KEYS})
    else:
        (auth,) = meta["auth"].values()
        want.update({
            "aws_cognito_region": region,
            "aws_user_pools_id": auth["output"]["UserPoolId"],
            "aws_user_pools_web_client_id": auth["output"]["AppClientIDWeb"],
            "aws_cognito_identity_pool_id": auth["output"].get("IdentityPoolId"),  # None without an identity pool
            **comp["cognito"],
        })
        oauth = dict(comp["oauth"])
        if oauth:
            (deployed_auth,) = deployed["auth"].values()
            oauth["domain"] = f"{deployed_auth['output']['HostedUIDomain']}.auth.{region}.amazoncognito.com"
        want["oauth"] = oauth
    if "storage" in meta:
        (storage,) = meta["storage"].values()
        want["aws_user_files_s3_bucket"] = storage["output"]["BucketName"]
        want["aws_user_files_s3_bucket_region"] = storage["output"]["Region"]
    (deployed_api,) = deployed["api"].values()
    if "API_KEY" in [comp["api"]["DefaultAuthType"]["Mode"]] + [m["Mode"] for m in comp["api"].get("AdditionalAuthTypes", [])]:
        # GetBackend's meta names the key, and the deployed amplify-meta.json agrees.
        want["aws_appsync_apiKey"] = api["output"]["GraphQLAPIKeyOutput"]
        assert deployed_api["output"]["GraphQLAPIKeyOutput"] == want["aws_appsync_apiKey"], deployed_api["output"]
    else:
        assert "GraphQLAPIKeyOutput" not in api["output"], api["output"]
    return want


class Pull:
    """One headless pull of one composition from one server, shared by the tests of a class."""

    def __init__(self, endpoint, app, composition, label):
        self.endpoint, self.app, self.composition, self.label = endpoint, app, composition, label
        self.envname = pulled_env(composition)
        self.base = tempfile.mkdtemp(prefix=f"amplify-pull-{label}-")
        try:
            self.run()
        except BaseException:
            self.cleanup()
            raise

    def run(self):
        endpoint, app, composition, label = self.endpoint, self.app, self.composition, self.label
        self.env = cli_env(endpoint, amplify_home(self.base))
        self.meta = build_backend(endpoint, app, composition)
        bucket = self.meta["providers"]["awscloudformation"]["DeploymentBucketName"]
        self.deployed = json.load(s3_client(endpoint).get_object(Bucket=bucket, Key="amplify-meta.json")["Body"])
        self.project = os.path.join(self.base, "project")
        os.makedirs(self.project)
        providers = {"awscloudformation": {"configLevel": "project", "useProfile": False,
                                           "accessKeyId": ACCESS_KEY, "secretAccessKey": SECRET,
                                           "region": REGION}}
        before, _ = journal(endpoint)
        self.code, self.out, self.seconds = run_cli(
            ["pull", "--amplify", json.dumps({"appId": app, "envName": self.envname}),
             "--providers", json.dumps(providers), "--frontend", json.dumps(FRONTEND), "--yes"],
            self.project, self.env)
        self.trace = calls_since(endpoint, before)
        self.write_report("pull", self.out, self.trace, self.seconds)
        print(f"\n{label}: amplify pull took {self.seconds:.1f} s, {len(self.trace)} requests:", file=sys.stderr)
        for r in self.trace:
            print(f"  {r['time'][11:23]} {r['operation']:<36} {r['method']:<4} {r['path']} {r['status']} "
                  f"{r['errorType']} {r['durationMs']:.1f} ms", file=sys.stderr)

    def write_report(self, what, out, trace, seconds):
        if not REPORT_DIR:
            return
        with open(os.path.join(REPORT_DIR, f"{self.label}-{what}.out"), "w") as f:
            f.write(out)
        with open(os.path.join(REPORT_DIR, f"{self.label}-{what}.trace.json"), "w") as f:
            json.dump({"seconds": round(seconds, 2), "requests": trace}, f, indent=1)

    def cleanup(self):
        if os.environ.get("AMPLIFY_PULL_KEEP"):
            print(f"kept {self.base}", file=sys.stderr)
            return
        shutil.rmtree(self.base, ignore_errors=True)


class PullTests:
    """The tests of one pull; each TestCase below picks a composition and a server."""

    maxDiff = None
    endpoint = composition = app = label = None
    signed = False

    @classmethod
    def setUpClass(cls):
        cls.pull = Pull(os.environ[cls.endpoint], cls.app, cls.composition, cls.label)

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "pull", None):
            cls.pull.cleanup()

    def comp(self):
        return COMPOSITIONS[self.composition]

    def test_pull_succeeds(self):
        self.assertIn(PULLED.format(self.pull.envname), self.pull.out)
        self.assertNotIn("Failed to pull", self.pull.out)
        self.assertEqual(self.pull.code, 0, self.pull.out)

    def test_aws_exports(self):
        got = load_exports(self.pull.project)
        want = expected_exports(self.pull.meta, self.pull.deployed, self.comp())
        self.assertEqual({k: got.get(k) for k in want}, want, self.pull.out)
        for key in [k for k, v in want.items() if v is None]:
            self.assertNotIn(key, got)
        if "aws_appsync_apiKey" not in want:
            self.assertNotIn("aws_appsync_apiKey", got)
        else:
            self.assertRegex(got["aws_appsync_apiKey"], r"^da2-[a-z0-9]{26}$")
        with open(os.path.join(self.pull.project, "src", "amplifyconfiguration.json")) as f:
            self.assertEqual(json.load(f), got)

    def test_deployed_meta_matches_getbackend(self):
        """The deployment bucket's amplify-meta.json carries GetBackend's ids, and what a pull needs."""
        for category in ("auth", "api", "storage"):
            for name, res in self.pull.meta.get(category, {}).items():
                deployed = self.pull.deployed[category][deployed_name(category, name, res)]
                for key, value in res["output"].items():
                    self.assertEqual(deployed["output"][key], value, (category, name, key))
                self.assertIn("lastPushTimeStamp", deployed)
        self.assertEqual(self.pull.deployed["providers"], self.pull.meta["providers"])

    def test_models_generated(self):
        models = os.path.join(self.pull.project, "src", "models")
        if self.comp()["api"].get("ConflictResolution", {}).get("ResolutionStrategy", "NONE") == "NONE":
            # Not a DataStore API: the CLI generates models only when transform.conf.json has a ResolverConfig.
            self.assertIn(PULLED.format(self.pull.envname), self.pull.out)
            self.assertFalse(os.path.exists(models), self.pull.out)
            return
        self.assertTrue(os.path.isdir(models), self.pull.out)
        self.assertEqual(sorted(os.listdir(models)), ["index.d.ts", "index.js", "schema.d.ts", "schema.js"])
        with open(os.path.join(models, "schema.js")) as f:
            schema = f.read()
        for model in re.findall(r"^type (\w+) @model", self.comp()["api"]["TransformSchema"], re.M):
            self.assertIn(f'"name": "{model}"', schema)
        with open(os.path.join(models, "index.js")) as f:
            self.assertIn("initSchema", f.read())
        # The models the Admin API generated (GetBackendAPIModels, what Studio shows) are the CLI's own.
        got = backend_client(self.pull.endpoint).get_backend_api_models(
            AppId=self.app, BackendEnvironmentName=self.pull.envname, ResourceName=self.comp()["api"]["ApiName"])
        self.assertEqual(got["Status"], "LATEST")
        self.assertEqual(got["Models"], schema)

    def test_project_files(self):
        p = self.pull.project
        with open(os.path.join(p, "amplify", "team-provider-info.json")) as f:
            tpi = json.load(f)[self.pull.envname]["awscloudformation"]
        providers = self.pull.meta["providers"]["awscloudformation"]
        for key in ("AmplifyAppId", "StackName", "StackId", "DeploymentBucketName", "Region", "AuthRoleArn"):
            self.assertEqual(tpi[key], providers[key], key)
        api = self.comp()["api"]
        with open(os.path.join(p, "amplify", "backend", "api", api["ApiName"], "schema.graphql")) as f:
            self.assertEqual(f.read(), api["TransformSchema"])
        with open(os.path.join(p, "amplify", "backend", "amplify-meta.json")) as f:
            local = json.load(f)
        for category in ("auth", "api", "storage"):
            for name, res in self.pull.meta.get(category, {}).items():
                mine = local[category][deployed_name(category, name, res)]
                for key, value in res["output"].items():
                    self.assertEqual(mine["output"].get(key), value, (category, name, key))
                self.assertIn("lastPushTimeStamp", mine)
        with open(os.path.join(p, "amplify", "cli.json")) as f:
            self.assertEqual(json.load(f)["features"]["graphqltransformer"]["transformerversion"], 2)

    def test_call_trace(self):
        """The pull asks only the AWS services amplifylite serves, in the CLI's order, all signed
        (and verified on the --credentials server), and nothing fails but the optional UI Builder."""
        ops = [r["operation"] for r in self.pull.trace]
        bucket = self.pull.meta["providers"]["awscloudformation"]["DeploymentBucketName"]
        self.assertEqual(ops[:5], ["sts:GetCallerIdentity", "amplify:ListApps", "amplify:GetApp",
                                   "amplify:GetBackendEnvironment", "s3:GetObject"], ops)
        self.assertEqual(self.pull.trace[4]["path"], f"/{bucket}/%23current-cloud-backend.zip")
        # The root stack lists one nested stack per resource it made (not per imported one); the CLI
        # describes the root and each of them.
        resources = sum(1 for c in ("auth", "api", "storage") for r in self.pull.meta.get(c, {}).values()
                        if r.get("serviceType") != "imported")
        self.assertEqual(ops.count("cloudformation:ListStackResources"), 1, ops)
        self.assertEqual(ops.count("cloudformation:DescribeStacks"), 1 + resources, ops)
        paths = [r["path"] for r in self.pull.trace if r["operation"] == "s3:GetObject"]
        self.assertEqual(paths.count(f"/{bucket}/%23current-cloud-backend.zip"), 2)
        self.assertIn(f"/{bucket}/amplify-meta.json", paths)
        # An imported bucket is an environment parameter: read from SSM, then checked in S3.
        imported = [r["output"]["BucketName"] for r in self.pull.meta.get("storage", {}).values()
                    if r.get("serviceType") == "imported"]
        imported_auth = [r for r in self.pull.meta.get("auth", {}).values() if r.get("serviceType") == "imported"]
        self.assertEqual(ops.count("ssm:GetParameters"), 1 if imported or imported_auth else 0, ops)
        for name in imported:
            self.assertIn(("s3:HeadBucket", f"/{name}/"), [(r["operation"], r["path"]) for r in self.pull.trace])
            self.assertIn("s3:GetBucketLocation", ops)
        # An imported pool is an environment parameter too, re-validated before the CLI takes it.
        validation = ["cognito-idp:DescribeUserPool", "cognito-idp:ListUserPoolClients",
                      "cognito-idp:DescribeUserPoolClient", "cognito-identity:ListIdentityPools",
                      "cognito-identity:DescribeIdentityPool", "cognito-identity:GetIdentityPoolRoles"]
        for op in validation:
            self.assertEqual(op in ops, bool(imported_auth), (op, ops))
        for r in self.pull.trace:
            service = r["operation"].split(":")[0]
            if service == "amplifyuibuilder":
                self.assertEqual(r["status"], 404, r)
                continue
            self.assertEqual(r["status"], 200, r)
            if service != "public":  # AppState is a public, unsigned endpoint
                self.assertEqual(r["signature"], "valid" if self.signed else "none", r)
        # AppState decides whether the UI Builder is asked at all.
        self.assertEqual(any(op.startswith("amplifyuibuilder:") for op in ops), self.comp()["adminUI"], ops)
        self.assertIn("public:GetAppState", ops)

    def test_environment_is_its_own(self):
        """A pulled clone carries its own ids, not those of the environment it was cloned from."""
        if self.pull.envname == ENV:
            self.skipTest("this composition pulls the environment it built")
        source = json.loads(backend_client(self.pull.endpoint).get_backend(
            AppId=self.app, BackendEnvironmentName=ENV)["AmplifyMetaConfig"])
        got = load_exports(self.pull.project)
        self.assertEqual(sorted(source["auth"]), sorted(self.pull.meta["auth"]))
        for key, category, output in (("aws_user_pools_id", "auth", "UserPoolId"),
                                      ("aws_appsync_graphqlEndpoint", "api", "GraphQLAPIEndpointOutput")):
            (src,) = source[category].values()
            self.assertNotEqual(got[key], src["output"][output], key)
        self.assertNotEqual(source["providers"]["awscloudformation"]["StackName"],
                            self.pull.meta["providers"]["awscloudformation"]["StackName"])

    def test_console(self):
        """`amplify console` asks AppState; with an Admin UI config it offers Amplify Studio."""
        env = dict(self.pull.env, CI="true")  # CI: print the URL instead of starting a browser
        before, _ = journal(self.pull.endpoint)
        if self.comp()["adminUI"]:
            code, out = run_cli_tty(["console"], self.pull.project, env,
                                    [("Which site do you want to open?", "\r")])
            self.assertIn(f"https://{REGION}.admin.amplifyapp.com/admin/{self.app}/{self.pull.envname}/home", out)
            code, out = run_cli_tty(["console"], self.pull.project, env,
                                    [("Which site do you want to open?", "\x1b[B\r")])  # down: AWS console
        else:
            code, out = run_cli_tty(["console"], self.pull.project, env, [])
            self.assertNotIn("Which site do you want to open?", out)
        self.assertEqual(code, 0, out)
        self.assertIn(f"https://{REGION}.console.aws.amazon.com/amplify/home?region={REGION}"
                      f"#/{self.app}/YmFja2VuZA/{self.pull.envname}", out)
        self.assertIn("public:GetAppState", [r["operation"] for r in calls_since(self.pull.endpoint, before)])


class SignedFull(PullTests, unittest.TestCase):
    endpoint, composition, app, label, signed = "AMPLIFYLITE_ENDPOINT", "full", "dpullfull1a2b3", "signed-full", True


class OpenPlain(PullTests, unittest.TestCase):
    endpoint, composition, app, label = "AMPLIFYLITE_OPEN_ENDPOINT", "plain", "dpullplain1a2b", "open-plain"


class SignedMinimal(PullTests, unittest.TestCase):
    endpoint, composition, app, label, signed = "AMPLIFYLITE_ENDPOINT", "minimal", "dpullminimal12", "signed-minimal", True


class OpenGuests(PullTests, unittest.TestCase):
    endpoint, composition, app, label = "AMPLIFYLITE_OPEN_ENDPOINT", "guests", "dpullguests1ab", "open-guests"


class SignedAPIOnly(PullTests, unittest.TestCase):
    endpoint, composition, app, label, signed = "AMPLIFYLITE_ENDPOINT", "apionly", "dpullapionly12", "signed-apionly", True


class SignedCloned(PullTests, unittest.TestCase):
    endpoint, composition, app, label, signed = "AMPLIFYLITE_ENDPOINT", "cloned", "dpullcloned123", "signed-cloned", True


class SignedImported(PullTests, unittest.TestCase):
    endpoint, composition, app, label, signed = "AMPLIFYLITE_ENDPOINT", "imported", "dpullimported1", "signed-imported", True


class SignedImportedAuth(PullTests, unittest.TestCase):
    endpoint, composition, app, label, signed = "AMPLIFYLITE_ENDPOINT", "importedauth", "dpullimpauth12", "signed-importedauth", True


class SandboxPull(unittest.TestCase):
    """`amplify pull --sandboxId ID` reads AppState/{ID}: a schema to scaffold a project and generate
    models from, or the app id of an app that is already deployed, or "not found". On the open server:
    one that keeps accounts apart (--credentials) serves no sandbox schema to unsigned callers."""

    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.endpoint = os.environ["AMPLIFYLITE_OPEN_ENDPOINT"]
        c = backend_client(cls.endpoint)
        api = COMPOSITIONS["plain"]["api"]
        for app, studio in (("dsandbox1a2b3c", False), ("dsandboxstudio1", True)):
            r = c.create_backend(AppId=app, AppName=app, BackendEnvironmentName=ENV)
            wait_job(c, app, r["JobId"])
            r = c.create_backend_api(AppId=app, BackendEnvironmentName=ENV, ResourceName=api["ApiName"],
                                     ResourceConfig=api)
            wait_job(c, app, r["JobId"])
            if studio:
                r = c.create_backend_config(AppId=app)
                wait_job(c, app, r["JobId"], env=r["BackendEnvironmentName"])
        cls.base = tempfile.mkdtemp(prefix="amplify-pull-sandbox-")
        cls.env = cli_env(cls.endpoint, amplify_home(cls.base))
        # amplify-app's scaffolding runs `npm install --only=dev` for the two packages its helper scripts
        # need. The project starts as sandbox-app/ (a React app whose package.json already lists them, and
        # its lock file), so a dry run offline resolves them from the lock file: no registry, no files.
        cls.env.update(npm_config_dry_run="true", npm_config_offline="true")

    @classmethod
    def tearDownClass(cls):
        if not os.environ.get("AMPLIFY_PULL_KEEP"):
            shutil.rmtree(cls.base, ignore_errors=True)

    def project(self, name):
        p = os.path.join(self.base, name)
        shutil.copytree(os.path.join(HERE, "sandbox-app"), p)
        return p

    def test_sandbox_schema_becomes_models(self):
        p = self.project("sandbox")
        code, out, seconds = run_cli(["pull", "--sandboxId", "dsandbox1a2b3c"], p, self.env)
        self.assertEqual(code, 0, out)
        self.assertIn("Amplify setup completed successfully.", out)  # amplify-app's scaffolding, offline
        with open(os.path.join(p, "amplify", "backend", "api", "amplifyDatasource", "schema.graphql")) as f:
            self.assertEqual(f.read(), COMPOSITIONS["plain"]["api"]["TransformSchema"])
        self.assertIn("Successfully generated models", out)
        with open(os.path.join(p, "src", "models", "schema.js")) as f:
            self.assertIn('"name": "Note"', f.read())

    def test_deployed_app_is_refused(self):
        p = self.project("deployed")
        code, out, _ = run_cli(["pull", "--sandboxId", "dsandboxstudio1"], p, self.env)
        self.assertIn("This app is already deployed.", out)
        self.assertIn('amplify pull --appId dsandboxstudio1', out)
        self.assertFalse(os.path.exists(os.path.join(p, "src", "models")))

    def test_unknown_sandbox(self):
        p = self.project("unknown")
        code, out, _ = run_cli(["pull", "--sandboxId", "0b1c2d3e-no-such-sandbox"], p, self.env)
        self.assertIn("Requested app: 0b1c2d3e-no-such-sandbox was not found", out)
        self.assertFalse(os.path.exists(os.path.join(p, "amplify")))



class PullErrors(unittest.TestCase):
    """What the CLI prints when amplifylite refuses a pull (on the SigV4-verifying server)."""

    @classmethod
    def setUpClass(cls):
        cls.endpoint = os.environ["AMPLIFYLITE_ENDPOINT"]
        c = backend_client(cls.endpoint)
        r = c.create_backend(AppId="dpullerrors1a2", AppName="pullerrors", BackendEnvironmentName=ENV)
        wait_job(c, "dpullerrors1a2", r["JobId"])
        cls.base = tempfile.mkdtemp(prefix="amplify-pull-errors-")
        cls.env = cli_env(cls.endpoint, amplify_home(cls.base))

    @classmethod
    def tearDownClass(cls):
        if not os.environ.get("AMPLIFY_PULL_KEEP"):
            shutil.rmtree(cls.base, ignore_errors=True)

    def pull(self, name, app, env=ENV, secret=SECRET):
        p = os.path.join(self.base, name)
        os.makedirs(p)
        providers = {"awscloudformation": {"configLevel": "project", "useProfile": False,
                                           "accessKeyId": ACCESS_KEY, "secretAccessKey": secret, "region": REGION}}
        before, _ = journal(self.endpoint)
        code, out, _ = run_cli(["pull", "--amplify", json.dumps({"appId": app, "envName": env}),
                                "--providers", json.dumps(providers), "--frontend", json.dumps(FRONTEND),
                                "--yes"], p, self.env)
        self.assertNotIn(PULLED.format(env), out)
        self.assertFalse(os.path.exists(os.path.join(p, "src", "aws-exports.js")), out)
        return out, calls_since(self.endpoint, before)

    def test_unknown_app(self):
        out, trace = self.pull("unknown-app", "dnosuchapp1234")
        self.assertIn("dnosuchapp1234", out)
        self.assertIn("Check that the region of the Amplify App is matching the configured region.", out)
        self.assertIn(("amplify:GetApp", 404, "NotFoundException"),
                      [(r["operation"], r["status"], r["errorType"]) for r in trace])

    def test_unknown_environment(self):
        out, trace = self.pull("unknown-env", "dpullerrors1a2", env="nosuchenv")
        self.assertIn("Cannot find backend environment nosuchenv in Amplify Console app: pullerrors", out)
        self.assertIn(("amplify:GetBackendEnvironment", 404, "NotFoundException"),
                      [(r["operation"], r["status"], r["errorType"]) for r in trace])

    def test_forged_secret(self):
        out, trace = self.pull("forged", "dpullerrors1a2", secret="x" * 40)
        self.assertIn("Invalid configuration settings", out, trace)
        # The CLI stops at its first call, STS's, which the server refuses.
        (sts,) = trace
        self.assertEqual((sts["operation"], sts["status"], sts["errorType"], sts["signature"]),
                         ("sts:GetCallerIdentity", 403, "SignatureDoesNotMatch", "invalid"), sts)

"""Conformance suite: Debian's AWS CLI (/usr/bin/aws) runs all 31 `aws amplifybackend` commands against
amplifylite, always with --endpoint-url, and the suite parses and checks their JSON output, exit codes
and error messages.

Run by run.sh, which starts the servers and exports AMPLIFYLITE_ENDPOINT (jobs finish after a few
hundred ms) and AMPLIFYLITE_SLOW_ENDPOINT (jobs never finish on their own). Each test uses its own app.
"""

import concurrent.futures
import io
import json
import os
import re
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "..", "scenarios.json")) as f:
    S = json.load(f)

AWS = "/usr/bin/aws"
ENDPOINT = os.environ["AMPLIFYLITE_ENDPOINT"]
SLOW_ENDPOINT = os.environ["AMPLIFYLITE_SLOW_ENDPOINT"]
POLL = int(os.environ.get("AMPLIFYLITE_POLL_MS", "50")) / 1000
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
ENV = "dev"
NO_JOB = "00000000-0000-4000-8000-000000000000"
SERVICE_ERROR_EXIT = 254  # AWS CLI v2: the service answered with an error


def operation_name(command):
    """get-backend-api-models → GetBackendAPIModels, the name the CLI prints in its error line."""
    return "".join("API" if w == "api" else w.capitalize() for w in command.split("-"))


class CliError(Exception):
    def __init__(self, rc, stderr):
        super().__init__(f"exit {rc}: {stderr.strip()}")
        self.rc, self.stderr = rc, stderr


def aws(command, *args, endpoint=ENDPOINT, region="us-east-1", access_key=None, secret=None, unsigned=False):
    """Runs `aws amplifybackend COMMAND ARGS…` against amplifylite and returns its parsed JSON output.

    Keyword-style arguments are given as ("--flag", value) pairs in args; dicts and lists are
    passed as JSON, the CLI's syntax for structure and list parameters.
    """
    argv = [AWS, "amplifybackend", command]
    for a in args:
        argv.append(json.dumps(a) if isinstance(a, (dict, list)) else str(a))
    argv += ["--endpoint-url", endpoint, "--region", region, "--output", "json", "--no-cli-pager"]
    if unsigned:
        argv.append("--no-sign-request")
    env = dict(os.environ)
    if access_key:
        env["AWS_ACCESS_KEY_ID"] = access_key
    if secret:
        env["AWS_SECRET_ACCESS_KEY"] = secret
    p = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
    if p.returncode != 0:
        raise CliError(p.returncode, p.stderr)
    return json.loads(p.stdout) if p.stdout.strip() else {}


class Case(unittest.TestCase):
    maxDiff = None

    def assertJobStarted(self, resp, op, app, env=ENV):
        self.assertRegex(resp["JobId"], UUID)
        self.assertEqual(resp["Status"], "RUNNING")
        self.assertEqual(resp["AppId"], app)
        if env is not None:
            self.assertEqual(resp["BackendEnvironmentName"], env)
        if op is not None:
            self.assertEqual(resp["Operation"], op)
        return resp["JobId"]

    def wait(self, app, job_id, env=ENV, want="COMPLETED"):
        """Polls get-backend-job until the job leaves RUNNING (the CLI's start-up already takes longer
        than a job here, so this is usually one call)."""
        deadline = time.monotonic() + 20
        while True:
            job = aws("get-backend-job", "--app-id", app, "--backend-environment-name", env, "--job-id", job_id)
            if job["Status"] != "RUNNING" or time.monotonic() > deadline:
                break
            time.sleep(POLL)
        self.assertEqual(job["Status"], want, job.get("Error"))
        self.assertRegex(job["CreateTime"], r"^\d{13}$")
        self.assertRegex(job["UpdateTime"], r"^\d{13}$")
        return job

    def make_backend(self, app, env=ENV):
        resp = aws("create-backend", "--app-id", app, "--app-name", app + "-name", "--backend-environment-name", env)
        self.wait(app, self.assertJobStarted(resp, "CreateBackend", app, env), env)

    def assertFails(self, code, message_part, command, *args, **kwargs):
        """The command exits 254 with the CLI's 'An error occurred (CODE) when calling the Op operation: …'."""
        with self.assertRaises(CliError) as cm:
            aws(command, *args, **kwargs)
        err = cm.exception
        self.assertEqual(err.rc, SERVICE_ERROR_EXIT, err.stderr)
        m = re.search(r"An error occurred \((\w+)\) when calling the (\w+) operation"
                      r"(?: \(reached max retries: \d+\))?: (.+)", err.stderr)
        self.assertTrue(m, err.stderr)
        self.assertEqual(m.group(1), code, err.stderr)
        self.assertEqual(m.group(2), operation_name(command))
        if message_part:
            self.assertIn(message_part, m.group(3))
        return m.group(3)

    def assertNotFound(self, command, *args, **kwargs):
        return self.assertFails("NotFoundException", None, command, *args, **kwargs)

    def assertBadRequest(self, command, *args, message_part=None, **kwargs):
        return self.assertFails("BadRequestException", message_part, command, *args, **kwargs)


def where(app, env=ENV):
    return ("--app-id", app, "--backend-environment-name", env)


class TestBackend(Case):
    """create-backend, get-backend, clone-backend, delete-backend, remove-all-backends."""

    def test_lifecycle(self):
        app = "cli-lifecycle"
        resp = aws("create-backend", "--app-id", app, "--app-name", "Lifecycle", "--backend-environment-name", ENV,
                   "--resource-config", {})
        self.wait(app, self.assertJobStarted(resp, "CreateBackend", app))
        got = aws("get-backend", *where(app))
        self.assertEqual((got["AppId"], got["AppName"], got["BackendEnvironmentList"]), (app, "Lifecycle", [ENV]))
        meta = json.loads(got["AmplifyMetaConfig"])["providers"]["awscloudformation"]
        for key in S["metaProviderKeys"]:
            self.assertIsInstance(meta[key], str, key)
        self.assertIn("features", json.loads(got["AmplifyFeatureFlags"]))
        self.assertBadRequest("create-backend", "--app-id", app, "--app-name", "x", "--backend-environment-name", ENV)

        resp = aws("clone-backend", *where(app), "--target-environment-name", "prod")
        job_id = self.assertJobStarted(resp, "CloneBackend", app)
        self.wait(app, job_id)
        self.wait(app, job_id, "prod")
        self.assertEqual(aws("get-backend", "--app-id", app)["BackendEnvironmentList"], [ENV, "prod"])
        self.assertNotFound("clone-backend", *where(app, "nosuchenv"), "--target-environment-name", "x")

        resp = aws("delete-backend", *where(app, "prod"))
        self.wait(app, self.assertJobStarted(resp, "DeleteBackend", app, "prod"), "prod")
        self.assertNotFound("get-backend", *where(app, "prod"))
        self.assertNotFound("get-backend", "--app-id", "cli-no-such-app")

    def test_remove_all_backends(self):
        app = "cli-remove-all"
        self.make_backend(app)
        resp = aws("remove-all-backends", "--app-id", app, "--clean-amplify-app")
        self.wait(app, self.assertJobStarted(resp, "RemoveAllBackends", app, env=None))
        self.assertNotIn("BackendEnvironmentName", resp)
        self.assertNotFound("get-backend", "--app-id", app)


class TestAuth(Case):
    """create-, get-, update-, delete- and import-backend-auth."""

    def test_auth(self):
        app, res = "cli-auth", ("--resource-name", S["auth"]["resourceName"])
        self.make_backend(app)
        resp = aws("create-backend-auth", *where(app), *res, "--resource-config", S["auth"]["create"])
        self.wait(app, self.assertJobStarted(resp, "CreateBackendAuth", app))
        got = aws("get-backend-auth", *where(app), *res)
        self.assertEqual(got["ResourceConfig"], S["auth"]["create"])  # MFAMode, social providers, snake_case

        resp = aws("update-backend-auth", *where(app), *res, "--resource-config", S["auth"]["update"])
        self.wait(app, self.assertJobStarted(resp, "UpdateBackendAuth", app))
        self.assertEqual(aws("get-backend-auth", *where(app), *res)["ResourceConfig"], S["auth"]["afterUpdate"])

        bad = json.loads(json.dumps(S["auth"]["create"]))
        bad["UserPoolConfigs"]["SignInMethod"] = S["auth"]["badSignInMethod"]
        self.assertBadRequest("create-backend-auth", *where(app), "--resource-name", "x", "--resource-config", bad,
                              message_part=S["auth"]["badSignInMethodMessage"])

        resp = aws("delete-backend-auth", *where(app), *res)
        self.wait(app, self.assertJobStarted(resp, "DeleteBackendAuth", app))
        self.assertNotFound("get-backend-auth", *where(app), *res)

        imp = S["importAuth"]
        resp = aws("import-backend-auth", *where(app), "--user-pool-id", imp["UserPoolId"],
                   "--web-client-id", imp["WebClientId"], "--native-client-id", imp["NativeClientId"],
                   "--identity-pool-id", imp["IdentityPoolId"])
        self.wait(app, self.assertJobStarted(resp, "ImportBackendAuth", app))
        got = aws("get-backend-auth", *where(app), "--resource-name", imp["UserPoolId"])
        self.assertEqual(got["ResourceConfig"]["UserPoolConfigs"]["UserPoolName"], imp["UserPoolId"])


class TestAPI(Case):
    """create-, get-, update-, delete-backend-api, generate-backend-api-models, get-backend-api-models."""

    def test_api(self):
        app, res = "cli-api", ("--resource-name", S["api"]["resourceName"])
        self.make_backend(app)
        resp = aws("create-backend-api", *where(app), *res, "--resource-config", S["api"]["create"])
        self.wait(app, self.assertJobStarted(resp, "CreateBackendAPI", app))
        self.assertEqual(aws("get-backend-api", *where(app), *res)["ResourceConfig"], S["api"]["create"])

        resp = aws("generate-backend-api-models", *where(app), *res)
        self.wait(app, self.assertJobStarted(resp, "GenerateBackendAPIModels", app))
        models = aws("get-backend-api-models", *where(app), *res)
        self.assertEqual(models["Status"], "LATEST")
        self.assertTrue(models["Models"].startswith("export const schema = "))
        self.assertIn(S["api"]["modelName"], json.loads(models["ModelIntrospectionSchema"])["models"])

        resp = aws("update-backend-api", *where(app), *res, "--resource-config", S["api"]["update"])
        self.wait(app, self.assertJobStarted(resp, "UpdateBackendAPI", app))
        self.assertEqual(aws("get-backend-api", *where(app), *res)["ResourceConfig"], S["api"]["afterUpdate"])
        self.assertEqual(aws("get-backend-api-models", *where(app), *res)["Status"], "STALE")

        self.assertNotFound("get-backend-api", *where(app), "--resource-name", "nosuchapi")
        resp = aws("delete-backend-api", *where(app), *res)
        self.wait(app, self.assertJobStarted(resp, "DeleteBackendAPI", app))
        self.assertNotFound("get-backend-api", *where(app), *res)


class TestStorage(Case):
    """create-, get-, update-, delete-, import-backend-storage and list-s3-buckets."""

    def test_storage(self):
        app, res = "cli-storage", ("--resource-name", S["storage"]["resourceName"])
        self.make_backend(app)
        resp = aws("create-backend-storage", *where(app), *res, "--resource-config", S["storage"]["create"])
        self.wait(app, self.assertJobStarted(resp, None, app))
        got = aws("get-backend-storage", *where(app), *res)
        self.assertEqual(got["ResourceConfig"], dict(S["storage"]["create"], Imported=False))

        resp = aws("update-backend-storage", *where(app), *res, "--resource-config", S["storage"]["update"])
        self.wait(app, self.assertJobStarted(resp, None, app))
        self.assertEqual(aws("get-backend-storage", *where(app), *res)["ResourceConfig"], S["storage"]["afterUpdate"])

        resp = aws("delete-backend-storage", *where(app), *res, "--service-name", "S3")
        self.wait(app, self.assertJobStarted(resp, None, app))
        self.assertNotFound("get-backend-storage", *where(app), *res)

        self.assertBadRequest("import-backend-storage", *where(app), "--bucket-name", S["storage"]["invalidBucketName"],
                              "--service-name", "S3")
        imp = S["importStorage"]
        resp = aws("import-backend-storage", *where(app), "--bucket-name", imp["BucketName"], "--service-name", "S3")
        self.wait(app, self.assertJobStarted(resp, None, app))
        got = aws("get-backend-storage", *where(app), "--resource-name", imp["BucketName"])
        self.assertIs(got["ResourceConfig"]["Imported"], True)

        buckets = aws("list-s3-buckets")
        self.assertNotIn("NextToken", buckets)
        names = [b["Name"] for b in buckets["Buckets"]]
        for name in S["seedBuckets"] + [imp["BucketName"]]:
            self.assertIn(name, names)
        self.assertNotIn(S["storage"]["create"]["BucketName"], names)


class TestJobs(Case):
    """list-backend-jobs (auto-pagination, --page-size, --max-items), get-backend-job, update-backend-job."""

    def test_list_and_paginate(self):
        app = "cli-jobs"
        self.make_backend(app)
        for name in ("a1", "a2", "a3"):
            resp = aws("create-backend-api", *where(app), "--resource-name", name, "--resource-config", S["api"]["create"])
            self.wait(app, resp["JobId"])

        # --page-size 1: the CLI follows nextToken through four pages and prints one merged list.
        jobs = aws("list-backend-jobs", *where(app), "--page-size", 1)
        self.assertNotIn("NextToken", jobs)
        jobs = jobs["Jobs"]
        self.assertEqual([j["Operation"] for j in jobs],
                         ["CreateBackend", "CreateBackendAPI", "CreateBackendAPI", "CreateBackendAPI"])
        self.assertEqual(aws("list-backend-jobs", *where(app))["Jobs"], jobs)

        first = aws("list-backend-jobs", *where(app), "--page-size", 2, "--max-items", 3)
        self.assertEqual(first["Jobs"], jobs[:3])
        rest = aws("list-backend-jobs", *where(app), "--page-size", 2, "--starting-token", first["NextToken"])
        self.assertEqual(rest["Jobs"], jobs[3:])
        self.assertNotIn("NextToken", rest)

        filtered = aws("list-backend-jobs", *where(app), "--operation", "CreateBackend", "--status", "COMPLETED")
        self.assertEqual([j["JobId"] for j in filtered["Jobs"]], [jobs[0]["JobId"]])
        self.assertEqual(aws("list-backend-jobs", *where(app), "--job-id", jobs[1]["JobId"])["Jobs"], [jobs[1]])

        self.assertBadRequest("list-backend-jobs", *where(app), "--page-size", 26)
        self.assertBadRequest("list-backend-jobs", *where(app), "--starting-token", "forged-token")
        self.assertNotFound("get-backend-job", *where(app), "--job-id", NO_JOB)

    def test_update_backend_job_and_pending_jobs(self):
        """Against the slow server, where only update-backend-job ends a job."""
        app, slow = "cli-update-job", {"endpoint": SLOW_ENDPOINT}
        resp = aws("create-backend", "--app-id", app, "--app-name", app, "--backend-environment-name", ENV, **slow)
        job_id = self.assertJobStarted(resp, "CreateBackend", app)
        self.assertBadRequest("create-backend-storage", *where(app), "--resource-name", "st",
                              "--resource-config", S["storage"]["create"], message_part=S["pendingJobMessage"], **slow)
        job = aws("update-backend-job", *where(app), "--job-id", job_id, "--status", "COMPLETED", **slow)
        self.assertEqual((job["Status"], job["Operation"]), ("COMPLETED", "CreateBackend"))
        self.assertEqual(aws("get-backend", "--app-id", app, **slow)["BackendEnvironmentList"], [ENV])

        resp = aws("create-backend-storage", *where(app), "--resource-name", "st",
                   "--resource-config", S["storage"]["create"], **slow)
        job = aws("update-backend-job", *where(app), "--job-id", resp["JobId"], "--status", "FAILED", **slow)
        self.assertEqual(job["Status"], "FAILED")
        self.assertNotFound("get-backend-storage", *where(app), "--resource-name", "st", **slow)
        self.assertBadRequest("update-backend-job", *where(app), "--job-id", resp["JobId"], "--status", "RUNNING", **slow)


class TestConfigAndTokens(Case):
    """create-, update-, remove-backend-config; create-, get-, delete-token."""

    def test_backend_config(self):
        app = "cli-config"
        self.make_backend(app)
        resp = aws("create-backend-config", "--app-id", app)
        self.wait(app, self.assertJobStarted(resp, None, app), resp["BackendEnvironmentName"])
        resp = aws("update-backend-config", "--app-id", app, "--login-auth-config", S["loginAuthConfig"])
        self.assertEqual(resp["LoginAuthConfig"], S["loginAuthConfig"])
        self.assertEqual(resp["BackendManagerAppId"], app)
        self.assertEqual(aws("remove-backend-config", "--app-id", app), {})
        self.assertNotFound("remove-backend-config", "--app-id", app)

    def test_tokens(self):
        app = "cli-token"
        self.make_backend(app)
        tok = aws("create-token", "--app-id", app)
        self.assertRegex(tok["ChallengeCode"], r"^\d{6}$")
        self.assertRegex(tok["SessionId"], UUID)
        session = ("--app-id", app, "--session-id", tok["SessionId"])
        self.assertEqual(aws("get-token", *session), tok)
        self.assertEqual(aws("delete-token", *session), {"IsSuccess": True})
        self.assertNotFound("get-token", *session)
        self.assertNotFound("delete-token", *session)

    def test_signatures(self):
        """The fast server verifies the CLI's SigV4; the slow one accepts anything, even no signature."""
        self.assertFails("InvalidSignatureException", None, "list-s3-buckets", secret="not-the-secret")
        self.assertFails("UnrecognizedClientException", None, "list-s3-buckets", access_key="AKIDUNKNOWN")
        self.assertFails("MissingAuthenticationTokenException", None, "list-s3-buckets", unsigned=True)
        self.assertIn("Buckets", aws("list-s3-buckets", endpoint=SLOW_ENDPOINT, unsigned=True))

    def test_partition_by_region(self):
        app = "cli-partition"
        self.make_backend(app)
        self.assertNotFound("get-backend", "--app-id", app, region="eu-central-1")
        self.assertNotFound("get-backend", "--app-id", app, access_key="111122223333")


def main():
    """Runs the tests four at a time (each is a string of CLI processes on its own app; the CLI's
    ~0.6 s start-up dominates), prints each result and the closing count line."""
    loader = unittest.defaultTestLoader
    names = sys.argv[1:]  # e.g. TestJobs or TestJobs.test_update: only those, as unittest.main takes them
    module = sys.modules[__name__]
    suite = loader.loadTestsFromNames(names, module) if names else loader.loadTestsFromModule(module)
    tests = list(iter_tests(suite))

    def run(test):
        out = io.StringIO()
        result = unittest.TextTestRunner(out, descriptions=False, verbosity=2).run(test)
        return out, result

    failed = passed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        for out, result in pool.map(run, tests):
            sys.stdout.write(out.getvalue())
            bad = len(result.failures) + len(result.errors)
            failed += bad
            passed += result.testsRun - bad - len(result.skipped)
    print(f"awscli: {passed} passed, {failed} failed")
    return 1 if failed or passed == 0 else 0


def iter_tests(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from iter_tests(t)
        else:
            yield t


if __name__ == "__main__":
    sys.exit(main())

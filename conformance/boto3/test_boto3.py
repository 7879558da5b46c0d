"""Conformance suite: Debian's boto3 drives all 31 AmplifyBackend operations against amplifylite.

Run by run.sh, which starts the servers and exports AMPLIFYLITE_ENDPOINT (jobs finish after a
few hundred ms) and AMPLIFYLITE_SLOW_ENDPOINT (jobs never finish on their own). Every test uses
its own app id, so the tests are independent of each other and of their order.
"""

import json
import os
import re
import sys
import time
import unittest

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "..", "scenarios.json")) as f:
    S = json.load(f)

ENDPOINT = os.environ["AMPLIFYLITE_ENDPOINT"]
SLOW_ENDPOINT = os.environ["AMPLIFYLITE_SLOW_ENDPOINT"]
POLL = int(os.environ.get("AMPLIFYLITE_POLL_MS", "50")) / 1000
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")  # v4
REQUEST_ID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
ENV = "dev"


def client(endpoint=ENDPOINT, region="us-east-1", access_key="AKIDEXAMPLE",
           secret=os.environ["AWS_SECRET_ACCESS_KEY"], **config):
    """A client that can only talk to amplifylite: explicit endpoint, dummy keys, no retries."""
    return boto3.client(
        "amplifybackend",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret,
        config=Config(retries={"mode": "standard", "max_attempts": 1}, **config),
    )


def without_metadata(resp):
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}


class Case(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.c = client()

    def assertJobStarted(self, resp, op, app, env=ENV):
        """A job-creating call answered RUNNING with a fresh UUID job id."""
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertRegex(resp["JobId"], UUID)
        self.assertEqual(resp["Status"], "RUNNING")
        self.assertEqual(resp["AppId"], app)
        if env is not None:
            self.assertEqual(resp["BackendEnvironmentName"], env)
        if op is not None:  # storage and config responses have no Operation member
            self.assertEqual(resp["Operation"], op)
        return resp["JobId"]

    def wait(self, app, job_id, env=ENV, want="COMPLETED", c=None):
        """Polls GetBackendJob until the job leaves RUNNING and checks its final state."""
        c = c or self.c
        deadline = time.monotonic() + 15
        while True:
            job = c.get_backend_job(AppId=app, BackendEnvironmentName=env, JobId=job_id)
            if job["Status"] != "RUNNING" or time.monotonic() > deadline:
                break
            time.sleep(POLL)
        self.assertEqual(job["Status"], want, job.get("Error"))
        self.assertEqual(job["JobId"], job_id)
        self.assertRegex(job["CreateTime"], r"^\d{13}$")
        self.assertRegex(job["UpdateTime"], r"^\d{13}$")
        self.assertGreaterEqual(int(job["UpdateTime"]), int(job["CreateTime"]))
        return job

    def make_backend(self, app, env=ENV, c=None):
        c = c or self.c
        resp = c.create_backend(AppId=app, AppName=app + "-name", BackendEnvironmentName=env)
        self.wait(app, self.assertJobStarted(resp, "CreateBackend", app, env), env, c=c)

    def assertError(self, exc_name, fn, **kwargs):
        """Calls fn(**kwargs), expects the modeled exception exc_name and returns its response."""
        exc = getattr(self.c.exceptions, exc_name)
        with self.assertRaises(exc) as cm:
            fn(**kwargs)
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], exc_name)
        self.assertTrue(err["Error"]["Message"])
        self.assertRegex(err["ResponseMetadata"]["RequestId"], REQUEST_ID)
        return err

    def assertNotFound(self, resource_type, fn, **kwargs):
        err = self.assertError("NotFoundException", fn, **kwargs)
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 404)
        self.assertEqual(err["ResourceType"], resource_type)
        return err

    def assertBadRequest(self, fn, message_part=None, **kwargs):
        err = self.assertError("BadRequestException", fn, **kwargs)
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400)
        if message_part:
            self.assertIn(message_part, err["Error"]["Message"])
        return err


class TestBackendLifecycle(Case):
    """CreateBackend, GetBackend, CloneBackend, DeleteBackend and their errors."""

    def test_create_get_clone_delete(self):
        app = "bt-lifecycle"
        resp = self.c.create_backend(AppId=app, AppName="Lifecycle", BackendEnvironmentName=ENV,
                                     ResourceConfig={})
        self.wait(app, self.assertJobStarted(resp, "CreateBackend", app))
        self.assertRegex(resp["ResponseMetadata"]["RequestId"], REQUEST_ID)

        got = self.c.get_backend(AppId=app, BackendEnvironmentName=ENV)
        self.assertEqual(got["AppId"], app)
        self.assertEqual(got["AppName"], "Lifecycle")
        self.assertEqual(got["BackendEnvironmentName"], ENV)
        self.assertEqual(got["BackendEnvironmentList"], [ENV])
        self.assertNotIn("Error", got)
        meta = json.loads(got["AmplifyMetaConfig"])["providers"]["awscloudformation"]
        for key in S["metaProviderKeys"]:
            self.assertIsInstance(meta[key], str, key)
        self.assertEqual(meta["Region"], "us-east-1")
        self.assertRegex(meta["AuthRoleArn"], r"^arn:aws:iam::\d{12}:role/")
        self.assertRegex(meta["StackId"], r"^arn:aws:cloudformation:us-east-1:\d{12}:stack/")
        self.assertIn("features", json.loads(got["AmplifyFeatureFlags"]))

        self.assertBadRequest(self.c.create_backend, AppId=app, AppName="Lifecycle",
                              BackendEnvironmentName=ENV)

        resp = self.c.clone_backend(AppId=app, BackendEnvironmentName=ENV, TargetEnvironmentName="prod")
        job_id = self.assertJobStarted(resp, "CloneBackend", app)
        self.wait(app, job_id)
        self.wait(app, job_id, env="prod")  # listed under the source and the target
        self.assertEqual(self.c.get_backend(AppId=app)["BackendEnvironmentList"], [ENV, "prod"])
        self.assertEqual(self.c.get_backend(AppId=app)["BackendEnvironmentName"], ENV)  # the oldest

        self.assertBadRequest(self.c.clone_backend, AppId=app, BackendEnvironmentName=ENV,
                              TargetEnvironmentName="prod")
        self.assertNotFound("BackendEnvironment", self.c.clone_backend, AppId=app,
                            BackendEnvironmentName="nosuchenv", TargetEnvironmentName="other")

        resp = self.c.delete_backend(AppId=app, BackendEnvironmentName="prod")
        self.wait(app, self.assertJobStarted(resp, "DeleteBackend", app, "prod"), "prod")
        self.assertEqual(self.c.get_backend(AppId=app)["BackendEnvironmentList"], [ENV])
        self.assertNotFound("BackendEnvironment", self.c.get_backend, AppId=app,
                            BackendEnvironmentName="prod")
        self.assertNotFound("BackendEnvironment", self.c.delete_backend, AppId=app,
                            BackendEnvironmentName="prod")

    def test_get_backend_errors(self):
        self.assertNotFound("App", self.c.get_backend, AppId="bt-no-such-app")
        self.make_backend("bt-get-errors")
        self.assertNotFound("BackendEnvironment", self.c.get_backend, AppId="bt-get-errors",
                            BackendEnvironmentName="nosuchenv")
        # boto3 sends an empty path parameter as-is: POST /backend//details
        self.assertBadRequest(self.c.get_backend, AppId="")

    def test_remove_all_backends(self):
        app = "bt-remove-all"
        self.make_backend(app)
        self.make_backend(app, "test")
        resp = self.c.remove_all_backends(AppId=app, CleanAmplifyApp=True)
        job_id = self.assertJobStarted(resp, "RemoveAllBackends", app, env=None)
        self.assertNotIn("BackendEnvironmentName", resp)
        self.wait(app, job_id, ENV)  # listed under every environment it removes
        self.wait(app, job_id, "test")
        self.assertNotFound("App", self.c.get_backend, AppId=app)

    def test_remove_all_backends_keeps_app(self):
        app = "bt-remove-keep"
        self.make_backend(app)
        resp = self.c.remove_all_backends(AppId=app)
        self.wait(app, self.assertJobStarted(resp, "RemoveAllBackends", app, env=None))
        got = self.c.get_backend(AppId=app)
        self.assertEqual(got.get("BackendEnvironmentList", []), [])
        self.assertEqual(got["AppName"], app + "-name")
        self.assertNotFound("App", self.c.remove_all_backends, AppId="bt-no-such-app")


class TestWire(Case):
    """What boto3 puts on the wire beyond the plain calls: escaped path segments, a /prod stage prefix."""

    def test_percent_encoded_path_parameters(self):
        app = "bt-a b:c/d"  # boto3 sends /backend/bt-a%20b%3Ac%2Fd/details
        self.make_backend(app)
        self.assertEqual(self.c.get_backend(AppId=app)["AppId"], app)
        job = self.c.list_backend_jobs(AppId=app, BackendEnvironmentName=ENV)["Jobs"][0]
        self.assertEqual(self.c.get_backend_job(AppId=app, BackendEnvironmentName=ENV, JobId=job["JobId"])["AppId"], app)

    def test_prod_stage_prefix(self):
        """The API reference prints every path under /prod; an endpoint URL ending in /prod must work."""
        app = "bt-prod-prefix"
        self.make_backend(app)
        self.assertEqual(client(ENDPOINT + "/prod").get_backend(AppId=app)["AppId"], app)

    def test_existing_app_keeps_its_name(self):
        app = "bt-keeps-name"
        self.make_backend(app)
        resp = self.c.create_backend(AppId=app, AppName="another-name", BackendEnvironmentName="test")
        self.wait(app, resp["JobId"], "test")
        got = self.c.get_backend(AppId=app)
        self.assertEqual((got["AppName"], got["BackendEnvironmentList"]), (app + "-name", [ENV, "test"]))

    def test_clone_copies_resources(self):
        app = "bt-clone-copies"
        self.make_backend(app)
        resp = self.c.create_backend_auth(AppId=app, BackendEnvironmentName=ENV, ResourceName="auth",
                                          ResourceConfig=S["auth"]["create"])
        self.wait(app, resp["JobId"])
        resp = self.c.import_backend_storage(AppId=app, BackendEnvironmentName=ENV, **S["importStorage"])
        self.wait(app, resp["JobId"])
        self.wait(app, self.c.clone_backend(AppId=app, BackendEnvironmentName=ENV, TargetEnvironmentName="copy")["JobId"])
        got = self.c.get_backend_auth(AppId=app, BackendEnvironmentName="copy", ResourceName="auth")
        self.assertEqual(got["ResourceConfig"], S["auth"]["create"])
        got = self.c.get_backend_storage(AppId=app, BackendEnvironmentName="copy",
                                         ResourceName=S["importStorage"]["BucketName"])
        self.assertIs(got["ResourceConfig"]["Imported"], True)  # imported resources stay imported


class TestAuth(Case):
    """CreateBackendAuth, GetBackendAuth, UpdateBackendAuth, DeleteBackendAuth, ImportBackendAuth."""

    def test_create_update_get_delete(self):
        app, res = "bt-auth", S["auth"]["resourceName"]
        self.make_backend(app)
        resp = self.c.create_backend_auth(AppId=app, BackendEnvironmentName=ENV, ResourceName=res,
                                          ResourceConfig=S["auth"]["create"])
        self.wait(app, self.assertJobStarted(resp, "CreateBackendAuth", app))

        got = self.c.get_backend_auth(AppId=app, BackendEnvironmentName=ENV, ResourceName=res)
        self.assertEqual(got["AppId"], app)
        self.assertEqual(got["BackendEnvironmentName"], ENV)
        self.assertEqual(got["ResourceName"], res)
        # Every irregular wire name (MFAMode, Facebook…SignInWithApple, client_id…team_id) and the
        # double minimumLength survive the round trip only if the server spells them as the model does.
        self.assertEqual(got["ResourceConfig"], S["auth"]["create"])

        self.assertBadRequest(self.c.create_backend_auth, AppId=app, BackendEnvironmentName=ENV,
                              ResourceName=res, ResourceConfig=S["auth"]["create"])

        resp = self.c.update_backend_auth(AppId=app, BackendEnvironmentName=ENV, ResourceName=res,
                                          ResourceConfig=S["auth"]["update"])
        self.wait(app, self.assertJobStarted(resp, "UpdateBackendAuth", app))
        got = self.c.get_backend_auth(AppId=app, BackendEnvironmentName=ENV, ResourceName=res)
        self.assertEqual(got["ResourceConfig"], S["auth"]["afterUpdate"])

        self.assertNotFound("Auth", self.c.get_backend_auth, AppId=app, BackendEnvironmentName=ENV,
                            ResourceName="nosuchauth")
        self.assertNotFound("Auth", self.c.update_backend_auth, AppId=app, BackendEnvironmentName=ENV,
                            ResourceName="nosuchauth", ResourceConfig=S["auth"]["update"])

        resp = self.c.delete_backend_auth(AppId=app, BackendEnvironmentName=ENV, ResourceName=res)
        self.wait(app, self.assertJobStarted(resp, "DeleteBackendAuth", app))
        self.assertNotFound("Auth", self.c.get_backend_auth, AppId=app, BackendEnvironmentName=ENV,
                            ResourceName=res)
        self.assertNotFound("Auth", self.c.delete_backend_auth, AppId=app, BackendEnvironmentName=ENV,
                            ResourceName=res)

    def test_invalid_enum_names_the_member(self):
        app = "bt-auth-enum"
        self.make_backend(app)
        config = json.loads(json.dumps(S["auth"]["create"]))
        config["UserPoolConfigs"]["SignInMethod"] = S["auth"]["badSignInMethod"]
        self.assertBadRequest(self.c.create_backend_auth, S["auth"]["badSignInMethodMessage"],
                              AppId=app, BackendEnvironmentName=ENV, ResourceName="a",
                              ResourceConfig=config)
        self.assertNotFound("BackendEnvironment", self.c.create_backend_auth, AppId=app,
                            BackendEnvironmentName="nosuchenv", ResourceName="a",
                            ResourceConfig=S["auth"]["create"])

    def test_import(self):
        app, imp = "bt-auth-import", S["importAuth"]
        self.make_backend(app)
        resp = self.c.import_backend_auth(AppId=app, BackendEnvironmentName=ENV, **imp)
        self.wait(app, self.assertJobStarted(resp, "ImportBackendAuth", app))
        got = self.c.get_backend_auth(AppId=app, BackendEnvironmentName=ENV, ResourceName=imp["UserPoolId"])
        self.assertEqual(got["ResourceConfig"]["AuthResources"], "IDENTITY_POOL_AND_USER_POOL")
        self.assertEqual(got["ResourceConfig"]["Service"], "COGNITO")
        self.assertEqual(got["ResourceConfig"]["UserPoolConfigs"]["UserPoolName"], imp["UserPoolId"])
        self.assertBadRequest(self.c.import_backend_auth, AppId=app, BackendEnvironmentName=ENV, **imp)


class TestAPI(Case):
    """CreateBackendAPI, GetBackendAPI, UpdateBackendAPI, DeleteBackendAPI, model generation."""

    def test_create_update_get_delete(self):
        app, res = "bt-api", S["api"]["resourceName"]
        self.make_backend(app)
        resp = self.c.create_backend_api(AppId=app, BackendEnvironmentName=ENV, ResourceName=res,
                                         ResourceConfig=S["api"]["create"])
        self.wait(app, self.assertJobStarted(resp, "CreateBackendAPI", app))
        got = self.c.get_backend_api(AppId=app, BackendEnvironmentName=ENV, ResourceName=res)
        self.assertEqual(got["ResourceName"], res)
        self.assertEqual(got["ResourceConfig"], S["api"]["create"])  # expirationTime is a double
        # GetBackendAPI accepts and ignores a ResourceConfig in its input.
        got = self.c.get_backend_api(AppId=app, BackendEnvironmentName=ENV, ResourceName=res,
                                     ResourceConfig={"ApiName": "ignored"})
        self.assertEqual(got["ResourceConfig"], S["api"]["create"])

        self.assertBadRequest(self.c.create_backend_api, AppId=app, BackendEnvironmentName=ENV,
                              ResourceName=res, ResourceConfig=S["api"]["create"])

        resp = self.c.update_backend_api(AppId=app, BackendEnvironmentName=ENV, ResourceName=res,
                                         ResourceConfig=S["api"]["update"])
        self.wait(app, self.assertJobStarted(resp, "UpdateBackendAPI", app))
        got = self.c.get_backend_api(AppId=app, BackendEnvironmentName=ENV, ResourceName=res)
        self.assertEqual(got["ResourceConfig"], S["api"]["afterUpdate"])

        # An invalid schema is accepted, the job fails and the stored API keeps its config.
        resp = self.c.update_backend_api(AppId=app, BackendEnvironmentName=ENV, ResourceName=res,
                                         ResourceConfig={"TransformSchema": S["api"]["invalidSchema"]})
        job = self.wait(app, self.assertJobStarted(resp, "UpdateBackendAPI", app), want="FAILED")
        self.assertTrue(job.get("Error"))
        got = self.c.get_backend_api(AppId=app, BackendEnvironmentName=ENV, ResourceName=res)
        self.assertEqual(got["ResourceConfig"], S["api"]["afterUpdate"])

        self.assertNotFound("API", self.c.get_backend_api, AppId=app, BackendEnvironmentName=ENV,
                            ResourceName="nosuchapi")
        resp = self.c.delete_backend_api(AppId=app, BackendEnvironmentName=ENV, ResourceName=res)
        self.wait(app, self.assertJobStarted(resp, "DeleteBackendAPI", app))
        self.assertNotFound("API", self.c.get_backend_api, AppId=app, BackendEnvironmentName=ENV,
                            ResourceName=res)
        self.assertNotFound("API", self.c.delete_backend_api, AppId=app, BackendEnvironmentName=ENV,
                            ResourceName=res)

    def test_generate_and_get_models(self):
        app, res = "bt-api-models", S["api"]["resourceName"]
        self.make_backend(app)
        resp = self.c.create_backend_api(AppId=app, BackendEnvironmentName=ENV, ResourceName=res,
                                         ResourceConfig=S["api"]["create"])
        self.wait(app, self.assertJobStarted(resp, "CreateBackendAPI", app))

        got = self.c.get_backend_api_models(AppId=app, BackendEnvironmentName=ENV, ResourceName=res)
        self.assertEqual(got["Status"], "STALE")
        self.assertNotIn("Models", got)

        resp = self.c.generate_backend_api_models(AppId=app, BackendEnvironmentName=ENV, ResourceName=res)
        self.wait(app, self.assertJobStarted(resp, "GenerateBackendAPIModels", app))
        got = self.c.get_backend_api_models(AppId=app, BackendEnvironmentName=ENV, ResourceName=res)
        self.assertEqual(got["Status"], "LATEST")
        self.assertTrue(got["Models"].startswith("export const schema = "), got["Models"][:80])
        models = json.loads(got["Models"][len("export const schema = "):].rstrip().rstrip(";"))
        self.assertIn(S["api"]["modelName"], models["models"])
        # Debian's botocore predates modelIntrospectionSchema, so boto3 drops it: not checked here.

        resp = self.c.update_backend_api(AppId=app, BackendEnvironmentName=ENV, ResourceName=res,
                                         ResourceConfig=S["api"]["update"])
        self.wait(app, self.assertJobStarted(resp, "UpdateBackendAPI", app))
        got = self.c.get_backend_api_models(AppId=app, BackendEnvironmentName=ENV, ResourceName=res)
        self.assertEqual(got["Status"], "STALE")

        self.assertNotFound("API", self.c.get_backend_api_models, AppId=app, BackendEnvironmentName=ENV,
                            ResourceName="nosuchapi")
        self.assertNotFound("API", self.c.generate_backend_api_models, AppId=app,
                            BackendEnvironmentName=ENV, ResourceName="nosuchapi")


class TestStorage(Case):
    """CreateBackendStorage, GetBackendStorage, UpdateBackendStorage, DeleteBackendStorage,
    ImportBackendStorage, ListS3Buckets."""

    def bucket_names(self):
        resp = self.c.list_s3_buckets()
        self.assertNotIn("NextToken", resp)
        for b in resp["Buckets"]:
            self.assertRegex(b["CreationDate"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
        return [b["Name"] for b in resp["Buckets"]]

    def test_create_update_get_delete(self):
        app, res, bucket = "bt-storage", S["storage"]["resourceName"], S["storage"]["create"]["BucketName"]
        self.make_backend(app)
        for seed in S["seedBuckets"]:
            self.assertIn(seed, self.bucket_names())
        resp = self.c.create_backend_storage(AppId=app, BackendEnvironmentName=ENV, ResourceName=res,
                                             ResourceConfig=S["storage"]["create"])
        self.wait(app, self.assertJobStarted(resp, None, app))
        got = self.c.get_backend_storage(AppId=app, BackendEnvironmentName=ENV, ResourceName=res)
        self.assertEqual(got["ResourceName"], res)
        want = dict(S["storage"]["create"], Imported=False)
        self.assertEqual(got["ResourceConfig"], want)
        self.assertIn(bucket, self.bucket_names())

        self.assertBadRequest(self.c.create_backend_storage, AppId=app, BackendEnvironmentName=ENV,
                              ResourceName="second", ResourceConfig=S["storage"]["create"])

        resp = self.c.update_backend_storage(AppId=app, BackendEnvironmentName=ENV, ResourceName=res,
                                             ResourceConfig=S["storage"]["update"])
        self.wait(app, self.assertJobStarted(resp, None, app))
        got = self.c.get_backend_storage(AppId=app, BackendEnvironmentName=ENV, ResourceName=res)
        self.assertEqual(got["ResourceConfig"], S["storage"]["afterUpdate"])

        self.assertNotFound("Storage", self.c.get_backend_storage, AppId=app, BackendEnvironmentName=ENV,
                            ResourceName="nosuchstorage")
        resp = self.c.delete_backend_storage(AppId=app, BackendEnvironmentName=ENV, ResourceName=res,
                                             ServiceName="S3")
        self.wait(app, self.assertJobStarted(resp, None, app))
        self.assertNotFound("Storage", self.c.get_backend_storage, AppId=app, BackendEnvironmentName=ENV,
                            ResourceName=res)
        self.assertNotIn(bucket, self.bucket_names())

    def test_generated_bucket_name(self):
        app = "bt-storage-gen"
        self.make_backend(app)
        config = {k: v for k, v in S["storage"]["create"].items() if k != "BucketName"}
        resp = self.c.create_backend_storage(AppId=app, BackendEnvironmentName=ENV, ResourceName="gen",
                                             ResourceConfig=config)
        self.wait(app, self.assertJobStarted(resp, None, app))
        got = self.c.get_backend_storage(AppId=app, BackendEnvironmentName=ENV, ResourceName="gen")
        name = got["ResourceConfig"]["BucketName"]
        self.assertRegex(name, r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
        self.assertIn(name, self.bucket_names())

    def test_delete_backend_releases_created_buckets_only(self):
        app = "bt-storage-delete-env"
        self.make_backend(app)
        self.make_backend(app, "other")
        resp = self.c.create_backend_storage(AppId=app, BackendEnvironmentName=ENV, ResourceName="owned",
                                             ResourceConfig=dict(S["storage"]["create"], BucketName="bt-owned-bucket"))
        self.wait(app, resp["JobId"])
        resp = self.c.import_backend_storage(AppId=app, BackendEnvironmentName="other", BucketName="bt-imported-bucket",
                                             ServiceName="S3")
        self.wait(app, resp["JobId"], "other")
        for env in (ENV, "other"):
            self.wait(app, self.c.delete_backend(AppId=app, BackendEnvironmentName=env)["JobId"], env)
        names = self.bucket_names()
        self.assertNotIn("bt-owned-bucket", names)
        self.assertIn("bt-imported-bucket", names)

    def test_import(self):
        app, imp = "bt-storage-import", S["importStorage"]
        self.make_backend(app)
        self.assertBadRequest(self.c.import_backend_storage, AppId=app, BackendEnvironmentName=ENV,
                              BucketName=S["storage"]["invalidBucketName"], ServiceName="S3")
        resp = self.c.import_backend_storage(AppId=app, BackendEnvironmentName=ENV, **imp)
        self.wait(app, self.assertJobStarted(resp, None, app))
        got = self.c.get_backend_storage(AppId=app, BackendEnvironmentName=ENV, ResourceName=imp["BucketName"])
        self.assertIs(got["ResourceConfig"]["Imported"], True)
        self.assertEqual(got["ResourceConfig"]["BucketName"], imp["BucketName"])
        self.assertEqual(got["ResourceConfig"]["ServiceName"], "S3")
        self.assertIn(imp["BucketName"], self.bucket_names())


class TestJobs(Case):
    """GetBackendJob, ListBackendJobs (filters, paginator) and UpdateBackendJob."""

    def test_list_filters_and_paginator(self):
        app = "bt-jobs"
        self.make_backend(app)
        for name in ("a1", "a2", "a3"):
            resp = self.c.create_backend_api(AppId=app, BackendEnvironmentName=ENV, ResourceName=name,
                                             ResourceConfig=S["api"]["create"])
            self.wait(app, resp["JobId"])

        everything = self.c.list_backend_jobs(AppId=app, BackendEnvironmentName=ENV)
        jobs = everything["Jobs"]
        self.assertNotIn("NextToken", everything)
        self.assertEqual([j["Operation"] for j in jobs],
                         ["CreateBackend", "CreateBackendAPI", "CreateBackendAPI", "CreateBackendAPI"])
        self.assertEqual(jobs, sorted(jobs, key=lambda j: (int(j["CreateTime"]), j["JobId"])))
        for j in jobs:
            self.assertEqual((j["AppId"], j["BackendEnvironmentName"], j["Status"]), (app, ENV, "COMPLETED"))

        pages = list(self.c.get_paginator("list_backend_jobs").paginate(
            AppId=app, BackendEnvironmentName=ENV, PaginationConfig={"PageSize": 3}))
        self.assertEqual([len(p["Jobs"]) for p in pages], [3, 1])
        self.assertIn("NextToken", pages[0])
        self.assertNotIn("NextToken", pages[1])
        self.assertEqual([j for p in pages for j in p["Jobs"]], jobs)

        limited = self.c.get_paginator("list_backend_jobs").paginate(
            AppId=app, BackendEnvironmentName=ENV,
            PaginationConfig={"PageSize": 1, "MaxItems": 3}).build_full_result()
        self.assertEqual(limited["Jobs"], jobs[:3])
        self.assertIn("NextToken", limited)

        def ids(**filters):
            resp = self.c.list_backend_jobs(AppId=app, BackendEnvironmentName=ENV, **filters)
            return [j["JobId"] for j in resp["Jobs"]]
        self.assertEqual(ids(Operation="CreateBackendAPI"), [j["JobId"] for j in jobs[1:]])
        self.assertEqual(ids(Status="COMPLETED"), [j["JobId"] for j in jobs])
        self.assertEqual(ids(Status="FAILED"), [])
        self.assertEqual(ids(JobId=jobs[2]["JobId"]), [jobs[2]["JobId"]])

        # boto3 checks min 1 itself but sends 26 as-is: the server enforces max 25.
        self.assertBadRequest(self.c.list_backend_jobs, AppId=app, BackendEnvironmentName=ENV, MaxResults=26)
        self.assertBadRequest(self.c.list_backend_jobs, AppId=app, BackendEnvironmentName=ENV,
                              NextToken="forged-token")
        self.assertNotFound("Job", self.c.get_backend_job, AppId=app, BackendEnvironmentName=ENV,
                            JobId="00000000-0000-4000-8000-000000000000")

    def test_pending_job_and_forced_outcomes(self):
        """Against the slow server, where only UpdateBackendJob ends a job."""
        c = client(SLOW_ENDPOINT)
        self.c = c
        app = "bt-update-job"
        resp = c.create_backend(AppId=app, AppName=app, BackendEnvironmentName=ENV)
        backend_job = self.assertJobStarted(resp, "CreateBackend", app)
        self.assertBadRequest(c.create_backend_auth, S["pendingJobMessage"], AppId=app,
                              BackendEnvironmentName=ENV, ResourceName="a", ResourceConfig=S["auth"]["create"])
        job = c.update_backend_job(AppId=app, BackendEnvironmentName=ENV, JobId=backend_job, Status="COMPLETED")
        self.assertEqual((job["Status"], job["Operation"], job["JobId"]), ("COMPLETED", "CreateBackend", backend_job))
        self.assertGreaterEqual(int(job["UpdateTime"]), int(job["CreateTime"]))
        self.assertEqual(c.get_backend(AppId=app)["BackendEnvironmentList"], [ENV])

        # Effects wait for completion: reads show the old state while the job runs.
        res = S["auth"]["resourceName"]
        resp = c.create_backend_auth(AppId=app, BackendEnvironmentName=ENV, ResourceName=res,
                                     ResourceConfig=S["auth"]["create"])
        auth_job = self.assertJobStarted(resp, "CreateBackendAuth", app)
        self.assertNotFound("Auth", c.get_backend_auth, AppId=app, BackendEnvironmentName=ENV, ResourceName=res)
        c.update_backend_job(AppId=app, BackendEnvironmentName=ENV, JobId=auth_job, Status="COMPLETED")
        got = c.get_backend_auth(AppId=app, BackendEnvironmentName=ENV, ResourceName=res)
        self.assertEqual(got["ResourceConfig"], S["auth"]["create"])

        # FAILED discards the effects.
        resp = c.create_backend_storage(AppId=app, BackendEnvironmentName=ENV, ResourceName="st",
                                        ResourceConfig=S["storage"]["create"])
        storage_job = self.assertJobStarted(resp, None, app)
        job = c.update_backend_job(AppId=app, BackendEnvironmentName=ENV, JobId=storage_job, Status="FAILED")
        self.assertEqual(job["Status"], "FAILED")
        self.assertEqual(job["Operation"], "CreateBackendStorage")
        self.assertNotFound("Storage", c.get_backend_storage, AppId=app, BackendEnvironmentName=ENV, ResourceName="st")
        self.assertEqual(c.get_backend_job(AppId=app, BackendEnvironmentName=ENV, JobId=storage_job)["Status"], "FAILED")

        self.assertBadRequest(c.update_backend_job, AppId=app, BackendEnvironmentName=ENV, JobId=storage_job,
                              Status="RUNNING")
        self.assertNotFound("Job", c.update_backend_job, AppId=app, BackendEnvironmentName=ENV,
                            JobId="00000000-0000-4000-8000-000000000000", Status="COMPLETED")


class TestBackendConfig(Case):
    """CreateBackendConfig, UpdateBackendConfig, RemoveBackendConfig."""

    def test_config(self):
        app = "bt-config"
        self.make_backend(app)
        resp = self.c.create_backend_config(AppId=app)
        self.assertEqual(resp["BackendEnvironmentName"], ENV)  # the app's oldest environment
        self.wait(app, self.assertJobStarted(resp, None, app), resp["BackendEnvironmentName"])

        resp = self.c.update_backend_config(AppId=app, LoginAuthConfig=S["loginAuthConfig"])
        self.assertEqual(resp["AppId"], app)
        self.assertEqual(resp["BackendManagerAppId"], app)
        self.assertEqual(resp["LoginAuthConfig"], S["loginAuthConfig"])  # snake_case wire names

        self.assertEqual(without_metadata(self.c.remove_backend_config(AppId=app)), {})
        self.assertNotFound("BackendConfig", self.c.remove_backend_config, AppId=app)

    def test_config_on_app_without_environment_uses_default(self):
        app = "bt-config-default"
        self.make_backend(app)
        self.wait(app, self.c.remove_all_backends(AppId=app)["JobId"])
        resp = self.c.create_backend_config(AppId=app, BackendManagerAppId="manager-app")
        self.assertEqual(resp["BackendEnvironmentName"], "default")
        self.wait(app, resp["JobId"], "default")
        resp = self.c.update_backend_config(AppId=app, LoginAuthConfig=S["loginAuthConfig"])
        self.assertEqual(resp["BackendManagerAppId"], "manager-app")


class TestTokens(Case):
    """CreateToken, GetToken, DeleteToken."""

    def test_token_lifecycle(self):
        app = "bt-token"
        self.make_backend(app)
        tok = self.c.create_token(AppId=app)
        self.assertEqual(tok["AppId"], app)
        self.assertRegex(tok["SessionId"], UUID)
        self.assertRegex(tok["ChallengeCode"], r"^\d{6}$")
        self.assertRegex(tok["Ttl"], r"^\d{10}$")
        self.assertGreater(int(tok["Ttl"]), time.time())

        got = self.c.get_token(AppId=app, SessionId=tok["SessionId"])
        self.assertEqual(without_metadata(got), without_metadata(tok))

        self.assertEqual(self.c.delete_token(AppId=app, SessionId=tok["SessionId"])["IsSuccess"], True)
        self.assertNotFound("Token", self.c.get_token, AppId=app, SessionId=tok["SessionId"])
        self.assertNotFound("Token", self.c.delete_token, AppId=app, SessionId=tok["SessionId"])
        self.assertNotFound("App", self.c.create_token, AppId="bt-no-such-app")


    def test_token_expiry(self):
        """The slow server's tokens live 2 s (--token-ttl 2s)."""
        c = self.c = client(SLOW_ENDPOINT)
        app = "bt-token-expiry"
        job = c.create_backend(AppId=app, AppName=app, BackendEnvironmentName=ENV)["JobId"]
        c.update_backend_job(AppId=app, BackendEnvironmentName=ENV, JobId=job, Status="COMPLETED")
        tok = c.create_token(AppId=app)
        self.assertLessEqual(int(tok["Ttl"]) - time.time(), 3)
        self.assertEqual(c.get_token(AppId=app, SessionId=tok["SessionId"])["ChallengeCode"], tok["ChallengeCode"])
        time.sleep(2.5)
        self.assertNotFound("Token", c.get_token, AppId=app, SessionId=tok["SessionId"])
        self.assertNotFound("Token", c.delete_token, AppId=app, SessionId=tok["SessionId"])


class TestSignatures(Case):
    """The fast server checks boto3's SigV4 signatures; the slow one accepts any credentials."""

    def assertAuthError(self, code, c):
        with self.assertRaises(ClientError) as cm:
            c.list_s3_buckets()
        err = cm.exception.response
        self.assertEqual((err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"]), (code, 403))
        self.assertTrue(err["Error"]["Message"])

    def test_rejected_signatures(self):
        self.assertAuthError("InvalidSignatureException", client(secret="not-the-secret"))
        self.assertAuthError("UnrecognizedClientException", client(access_key="AKIDUNKNOWN"))
        self.assertAuthError("MissingAuthenticationTokenException", client(signature_version=UNSIGNED))

    def send_signed(self, path, body, send_path=None, send_body=None, service="amplifybackend", content_hash=None):
        """Signs POST path with body by botocore's SigV4 signer, then sends send_path and send_body
        instead (a forgery), verbatim. Returns (status, error type)."""
        import http.client
        from urllib.parse import urlsplit

        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        req = AWSRequest(method="POST", url=ENDPOINT + path, data=body.encode(), headers={"Content-Type": "application/json"})
        if content_hash is not None:
            req.headers["X-Amz-Content-SHA256"] = content_hash
        SigV4Auth(Credentials("AKIDEXAMPLE", os.environ["AWS_SECRET_ACCESS_KEY"]), service, "us-east-1").add_auth(req)
        sent = (send_body if send_body is not None else body).encode()
        headers = dict(req.headers.items())
        headers["Content-Length"] = str(len(sent))
        conn = http.client.HTTPConnection(urlsplit(ENDPOINT).netloc, timeout=10)
        conn.request("POST", send_path or path, body=sent, headers=headers)
        resp = conn.getresponse()
        resp.read()
        conn.close()
        return resp.status, resp.getheader("x-amzn-ErrorType")

    def test_forged_requests_are_refused(self):
        """botocore's signature of one request does not authorise another."""
        app = "bt-forgery"
        self.make_backend(app)
        create = json.dumps({"appId": app, "appName": app, "backendEnvironmentName": "aaa"})
        other = json.dumps({"appId": app, "appName": app, "backendEnvironmentName": "bbb"})
        self.assertEqual(len(create), len(other))  # content-length is signed: only the hash tells them apart
        import hashlib
        signed_hash = hashlib.sha256(create.encode()).hexdigest()
        refused = (403, "InvalidSignatureException")
        # Another body sent with the signed body's hash, or with UNSIGNED-PAYLOAD.
        self.assertEqual(self.send_signed("/backend", create, send_body=other, content_hash=signed_hash), refused)
        self.assertEqual(self.send_signed("/backend", other, content_hash="UNSIGNED-PAYLOAD"), refused)
        # A signature scoped to another service: one amplifylite does not serve reaches AmplifyBackend, which refuses
        # its scope; one scoped to S3 is S3's (one port, several services), which refuses it in its own format (an
        # XML error, no x-amzn-ErrorType): deployment buckets take no writes.
        self.assertEqual(self.send_signed("/backend", other, service="execute-api"), refused, "execute-api")
        self.assertEqual(self.send_signed("/backend", other, service="s3"), (403, None), "s3")
        # Signed for /backend/APP/remove (resolved), sent with dot segments that would route elsewhere.
        self.assertEqual(self.send_signed(f"/backend/{app}/remove", "{}", send_path=f"/backend/{app}/api/../remove",
                                          send_body='{"resourceName":"x"}'), refused)
        # None of them had an effect.
        got = self.c.get_backend(AppId=app)
        self.assertEqual(got["BackendEnvironmentList"], [ENV])
        self.assertEqual([j["Operation"] for j in self.c.list_backend_jobs(AppId=app, BackendEnvironmentName=ENV)["Jobs"]],
                         ["CreateBackend"])
        # The honest request is accepted.
        self.assertEqual(self.send_signed("/backend", other, content_hash=hashlib.sha256(other.encode()).hexdigest()), (200, None))

    def test_any_credentials_without_configured_keys(self):
        c = client(SLOW_ENDPOINT, access_key="AKIDANYTHING", secret="anything")
        self.assertIn("Buckets", c.list_s3_buckets())
        self.assertIn("Buckets", client(SLOW_ENDPOINT, signature_version=UNSIGNED).list_s3_buckets())
        # Without configured keys, a 12-digit access key id is the account.
        app = "bt-default-accounts"
        job = c.create_backend(AppId=app, AppName=app, BackendEnvironmentName=ENV)["JobId"]
        c.update_backend_job(AppId=app, BackendEnvironmentName=ENV, JobId=job, Status="COMPLETED")
        other = client(SLOW_ENDPOINT, access_key="444455556666", secret="anything")
        with self.assertRaises(other.exceptions.NotFoundException):
            other.get_backend(AppId=app)


class TestFreshReads(Case):
    """A read made while a job runs is not served again once the job has completed."""

    def test_get_backend_after_job_completes(self):
        app = "bt-fresh-reads"
        self.make_backend(app)
        job = self.c.create_backend_storage(AppId=app, BackendEnvironmentName=ENV, ResourceName="files",
                                            ResourceConfig={"ServiceName": "S3", "Permissions": {"Authenticated": ["READ"]}})
        during = json.loads(self.c.get_backend(AppId=app, BackendEnvironmentName=ENV)["AmplifyMetaConfig"])
        self.assertNotIn("storage", during)
        self.wait(app, job["JobId"])
        after = json.loads(self.c.get_backend(AppId=app, BackendEnvironmentName=ENV)["AmplifyMetaConfig"])
        self.assertIn("files", after.get("storage", {}))


class TestPartitions(Case):
    """The region of the signature and a 12-digit access key select separate state."""

    def test_isolation(self):
        app = "bt-partition"
        self.make_backend(app)
        self.assertEqual(self.c.get_backend(AppId=app)["AppId"], app)
        other_region = client(region="eu-west-1")
        with self.assertRaises(other_region.exceptions.NotFoundException):
            other_region.get_backend(AppId=app)
        other_account = client(access_key="111122223333")
        with self.assertRaises(other_account.exceptions.NotFoundException):
            other_account.get_backend(AppId=app)

        # A configured key acts as the account it is mapped to, whatever its id.
        mapped = client(access_key="AKIDACCOUNTKEY")
        self.make_backend("bt-mapped-account", c=mapped)
        meta = json.loads(mapped.get_backend(AppId="bt-mapped-account")["AmplifyMetaConfig"])
        self.assertIn("arn:aws:iam::444455556666:role/", meta["providers"]["awscloudformation"]["AuthRoleArn"])
        with self.assertRaises(self.c.exceptions.NotFoundException):
            self.c.get_backend(AppId="bt-mapped-account")

        # The same app id can exist independently in another region, with that region in its ARNs.
        self.c = other_region
        self.make_backend(app, c=other_region)
        meta = json.loads(other_region.get_backend(AppId=app)["AmplifyMetaConfig"])
        self.assertEqual(meta["providers"]["awscloudformation"]["Region"], "eu-west-1")


if __name__ == "__main__":
    runner = unittest.TextTestRunner(verbosity=2, stream=sys.stdout)
    prog = unittest.main(exit=False, testRunner=runner)
    r = prog.result
    failed = len(r.failures) + len(r.errors) + len(r.unexpectedSuccesses)
    passed = r.testsRun - failed - len(r.skipped)
    print(f"boto3: {passed} passed, {failed} failed")
    sys.exit(1 if failed or passed == 0 else 0)

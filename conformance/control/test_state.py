"""Reset and snapshots as a real client sees them: boto3 reads an account's state, the control plane (curl)
exports it, resets it and imports it back, and every read must answer as before. The tests work in their own
account (a 12-digit access key selects it on a server without --credentials), so that other tests' state stays.
"""

import json
import os
import time
import unittest
import uuid

import boto3
from botocore.config import Config

from test_observe import ENDPOINT, curl

ACCOUNT = "444455556666"


def account_client():
    return boto3.client("amplifybackend", endpoint_url=ENDPOINT, region_name="eu-central-1",
                        aws_access_key_id=ACCOUNT, aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
                        config=Config(retries={"mode": "standard", "total_max_attempts": 1}))


def wait(c, app, env, job):
    deadline = time.monotonic() + 15
    while c.get_backend_job(AppId=app, BackendEnvironmentName=env, JobId=job)["Status"] == "RUNNING":
        if time.monotonic() > deadline:
            raise AssertionError("job did not finish")
        time.sleep(0.05)


def strip(resp):
    resp = dict(resp)
    resp.pop("ResponseMetadata", None)
    resp.pop("NextToken", None)
    return resp


class State(unittest.TestCase):
    def reads(self, c, app, jobs, session):
        return [
            strip(c.get_backend(AppId=app, BackendEnvironmentName="dev")),
            strip(c.get_backend_auth(AppId=app, BackendEnvironmentName="dev", ResourceName="auth1")),
            strip(c.list_backend_jobs(AppId=app, BackendEnvironmentName="dev")),
            [strip(c.get_backend_job(AppId=app, BackendEnvironmentName="dev", JobId=j)) for j in jobs],
            strip(c.get_token(AppId=app, SessionId=session)),
            strip(c.list_s3_buckets()),
        ]

    def test_export_reset_import_reads_identically(self):
        c = account_client()
        app = "st" + uuid.uuid4().hex[:10]
        jobs = [c.create_backend(AppId=app, AppName="state", BackendEnvironmentName="dev")["JobId"]]
        wait(c, app, "dev", jobs[0])
        jobs.append(c.create_backend_auth(AppId=app, BackendEnvironmentName="dev", ResourceName="auth1", ResourceConfig={
            "AuthResources": "USER_POOL_ONLY", "Service": "COGNITO", "UserPoolConfigs": {
                "SignInMethod": "EMAIL", "UserPoolName": "pool", "RequiredSignUpAttributes": ["EMAIL"]}})["JobId"])
        wait(c, app, "dev", jobs[1])
        session = c.create_token(AppId=app)["SessionId"]
        before = self.reads(c, app, jobs, session)

        status, _, snap = curl("GET", f"{ENDPOINT}/_amplifylite/state?account={ACCOUNT}")
        self.assertEqual(status, 200)
        self.assertEqual((snap["format"], snap["version"]), ("amplifylite-state", 1))
        self.assertEqual([p["account"] for p in snap["partitions"]], [ACCOUNT])

        status, _, out = curl("POST", f"{ENDPOINT}/_amplifylite/reset", {"account": ACCOUNT})
        self.assertEqual(status, 200)
        self.assertGreaterEqual(out["removed"]["jobs"], 2)
        self.assertGreaterEqual(out["removed"]["apps"], 1)
        with self.assertRaises(c.exceptions.NotFoundException):
            c.get_backend(AppId=app, BackendEnvironmentName="dev")

        status, _, out = curl("POST", f"{ENDPOINT}/_amplifylite/state", snap)
        self.assertEqual(status, 200, out)
        self.assertEqual(out["mode"], "merge")
        self.assertEqual(self.reads(c, app, jobs, session), before)

    def test_refuses_newer_and_foreign_documents(self):
        for doc, want in [({"format": "amplifylite-state", "version": 99, "partitions": []}, "newer release"),
                          ({"format": "moto-state", "version": 1, "partitions": []}, "not a snapshot of amplifylite")]:
            status, headers, out = curl("POST", f"{ENDPOINT}/_amplifylite/state", doc)
            self.assertEqual(status, 400, out)
            self.assertEqual(headers.get("x-amzn-errortype"), "BadRequestException")
            self.assertIn(want, out["message"])


if __name__ == "__main__":
    unittest.main()

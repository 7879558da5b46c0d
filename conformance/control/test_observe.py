"""Fault injection, the request journal, the event stream, /metrics and access to the control plane,
as real clients see them: the control plane is driven with curl, the API with boto3 and the AWS CLI.

run.sh starts three servers: CONTROL_ENDPOINT (no --credentials: the control plane is open),
CONTROL_LOCKED_ENDPOINT (--credentials and --admin-token CONTROL_ADMIN_TOKEN) and
CONTROL_CLOSED_ENDPOINT (--credentials, no admin token). Every test uses its own app ids and removes
the fault rules it adds.
"""

import json
import math
import os
import queue
import re
import subprocess
import threading
import time
import unittest
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["CONTROL_ENDPOINT"]
LOCKED = os.environ["CONTROL_LOCKED_ENDPOINT"]
CLOSED = os.environ["CONTROL_CLOSED_ENDPOINT"]
TOKEN = os.environ["CONTROL_ADMIN_TOKEN"]
SECRET = os.environ["AWS_SECRET_ACCESS_KEY"]
AWS = "/usr/bin/aws"


def curl(method, url, body=None, token=None):
    """Sends one request with curl; returns (status, headers as a lower-case dict, body parsed as JSON or text)."""
    argv = ["curl", "-sS", "-X", method, "-D", "-", url, "--max-time", "30"]
    if body is not None:
        argv += ["-H", "Content-Type: application/json", "--data-binary", json.dumps(body)]
    if token is not None:
        argv += ["-H", "Authorization: Bearer " + token]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError(f"curl {method} {url}: exit {p.returncode}: {p.stderr}")
    head, _, text = p.stdout.partition("\n\n")  # text mode: CRLF read as LF
    lines = head.split("\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    if headers.get("content-type", "").startswith("application/json"):
        return status, headers, json.loads(text)
    return status, headers, text


def client(endpoint=ENDPOINT, attempts=1, secret=SECRET):
    """boto3 in the standard retry mode with the given number of attempts in all (1: no retries; 3 is the
    mode's default, which run.sh's AWS_MAX_ATTEMPTS=1 would otherwise override). botocore's
    retries["max_attempts"] counts retries only; total_max_attempts counts the first attempt too."""
    return boto3.client("amplifybackend", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key=secret,
                        config=Config(retries={"mode": "standard", "total_max_attempts": attempts}))


def new_app():
    return "ctl" + uuid.uuid4().hex[:10]


def create_app(c, app):
    """Creates the app and waits for its CreateBackend job to complete."""
    job = c.create_backend(AppId=app, AppName="n", BackendEnvironmentName="dev")["JobId"]
    deadline = time.monotonic() + 15
    while c.get_backend_job(AppId=app, BackendEnvironmentName="dev", JobId=job)["Status"] == "RUNNING":
        if time.monotonic() > deadline:
            raise AssertionError("CreateBackend did not complete")
        time.sleep(0.05)


def journal(endpoint=ENDPOINT, limit=50, token=None):
    status, _, body = curl("GET", f"{endpoint}/_amplifylite/requests?limit={limit}", token=token)
    assert status == 200, body
    return body["requests"]


class Rules(unittest.TestCase):
    """Adds fault rules with curl and removes them when the test ends."""

    endpoint = ENDPOINT
    token = None

    def add_rule(self, rule):
        status, _, body = curl("POST", f"{self.endpoint}/_amplifylite/faults", rule, token=self.token)
        self.assertEqual(status, 200, body)
        self.assertTrue(body["id"])
        self.addCleanup(curl, "DELETE", f"{self.endpoint}/_amplifylite/faults/{body['id']}", token=self.token)
        return body


class FaultInjection(Rules):
    def test_boto3_standard_retries_an_injected_throttle_and_succeeds_on_the_third_attempt(self):
        for code in ("TooManyRequestsException", "ThrottlingException"):
            with self.subTest(code=code):
                app = new_app()
                create_app(client(), app)
                rule = self.add_rule({"operation": "GetBackend", "appId": app, "count": 2,
                                      "error": {"statusCode": 429, "code": code, "message": "Rate exceeded"}})
                self.assertEqual((rule["probability"], rule["count"], rule["remaining"]), (1, 2, 2))
                resp = client(attempts=3).get_backend(AppId=app)
                self.assertEqual(resp["AppId"], app)
                self.assertEqual(resp["ResponseMetadata"]["RetryAttempts"], 2)
                seen = [e for e in journal() if e["path"] == f"/backend/{app}/details"][:3]
                self.assertEqual([e["status"] for e in seen], [200, 429, 429])  # newest first
                self.assertEqual([e["errorType"] for e in seen], ["", code, code])
                self.assertEqual([e.get("fault") for e in seen], [None, rule["id"], rule["id"]])
                # count ran out: the rule is gone.
                _, _, body = curl("GET", f"{ENDPOINT}/_amplifylite/faults")
                self.assertNotIn(rule["id"], [r["id"] for r in body["faults"]])

    def test_boto3_gives_up_when_the_throttle_outlasts_its_attempts(self):
        app = new_app()
        create_app(client(), app)
        self.add_rule({"operation": "GetBackend", "appId": app, "count": 2,
                       "error": {"statusCode": 429, "code": "TooManyRequestsException", "message": "Rate exceeded"}})
        with self.assertRaises(ClientError) as cm:
            client(attempts=2).get_backend(AppId=app)
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], "TooManyRequestsException")
        self.assertEqual(err["Error"]["Message"], "Rate exceeded")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 429)
        self.assertEqual(err["ResponseMetadata"]["RetryAttempts"], 1)

    def test_the_aws_cli_prints_the_injected_message(self):
        app = new_app()
        for status, code in ((500, "InternalServiceException"), (504, "GatewayTimeoutException"), (429, "TooManyRequestsException")):
            with self.subTest(code=code):
                message = f"amplifylite injected {code} for {app}"
                self.add_rule({"operation": "CreateBackend", "appId": app, "count": 1,
                               "error": {"statusCode": status, "code": code, "message": message}})
                p = subprocess.run([AWS, "amplifybackend", "create-backend", "--app-id", app, "--app-name", "n",
                                    "--backend-environment-name", "dev", "--endpoint-url", ENDPOINT, "--region", "us-east-1",
                                    "--output", "json", "--no-cli-pager"], capture_output=True, text=True, timeout=60)
                self.assertEqual(p.returncode, 254, p.stderr)
                self.assertIn(f"An error occurred ({code}) when calling the CreateBackend operation", p.stderr)
                self.assertIn(message, p.stderr)
        # Nothing was created by the failed calls.
        with self.assertRaises(ClientError) as cm:
            client().get_backend(AppId=app)
        self.assertEqual(cm.exception.response["Error"]["Code"], "NotFoundException")

    def test_injected_latency_is_measured_by_the_client_and_the_journal(self):
        app = new_app()
        c = client()
        create_app(c, app)
        self.add_rule({"operation": "GetBackend", "appId": app, "latencyMs": 400})
        start = time.monotonic()
        c.get_backend(AppId=app)
        took = time.monotonic() - start
        self.assertGreaterEqual(took, 0.4)
        entry = next(e for e in journal() if e["path"] == f"/backend/{app}/details")
        self.assertGreaterEqual(entry["duration"], 400)
        self.assertEqual(entry["status"], 200)
        # Another app is not delayed.
        other = new_app()
        start = time.monotonic()
        with self.assertRaises(ClientError):
            c.get_backend(AppId=other)
        self.assertLess(time.monotonic() - start, 0.4)

    def test_rules_are_listed_and_deleted(self):
        a = self.add_rule({"operation": "GetToken", "region": "eu-west-3", "probability": 0.25, "latencyMs": 5})
        status, _, body = curl("GET", f"{ENDPOINT}/_amplifylite/faults")
        self.assertEqual(status, 200)
        listed = {r["id"]: r for r in body["faults"]}[a["id"]]
        self.assertEqual((listed["operation"], listed["region"], listed["probability"], listed["latencyMs"]),
                         ("GetToken", "eu-west-3", 0.25, 5))
        status, _, body = curl("DELETE", f"{ENDPOINT}/_amplifylite/faults/{a['id']}")
        self.assertEqual((status, body["id"]), (200, a["id"]))
        status, headers, body = curl("DELETE", f"{ENDPOINT}/_amplifylite/faults/{a['id']}")
        self.assertEqual((status, headers["x-amzn-errortype"], body["__type"]), (404, "NotFoundException", "NotFoundException"))
        status, _, body = curl("POST", f"{ENDPOINT}/_amplifylite/faults", {"operation": "NoSuchOperation", "latencyMs": 1})
        self.assertEqual((status, body["__type"]), (400, "BadRequestException"))


class JournalAndEvents(unittest.TestCase):
    def test_the_journal_records_what_boto3_sent(self):
        app = new_app()
        c = client()
        resp = c.create_backend(AppId=app, AppName="n", BackendEnvironmentName="dev")
        request_id = resp["ResponseMetadata"]["RequestId"]
        entry = next(e for e in journal() if e["requestId"] == request_id)
        self.assertEqual({k: entry[k] for k in ("operation", "method", "path", "status", "errorType", "account", "region", "signature")},
                         {"operation": "CreateBackend", "method": "POST", "path": "/backend", "status": 200, "errorType": "",
                          "account": "000000000000", "region": "us-east-1", "signature": "none"})
        self.assertRegex(entry["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
        self.assertGreater(entry["duration"], 0)  # milliseconds
        self.assertEqual(entry["duration"], entry["durationMs"])
        times = [e["time"] for e in journal()]
        self.assertEqual(times, sorted(times, reverse=True))
        self.assertEqual(len(journal(limit=1)), 1)

    def test_the_event_stream_shows_requests_and_job_transitions(self):
        events = queue.Queue()
        stream = subprocess.Popen(["curl", "-sN", f"{ENDPOINT}/_amplifylite/events"], stdout=subprocess.PIPE, text=True)
        self.addCleanup(stream.wait)
        self.addCleanup(stream.kill)

        def read():
            kind = None
            for line in stream.stdout:
                line = line.rstrip("\n")
                if line == ":" or line.startswith(": subscribed"):
                    events.put(("subscribed", None))
                elif line.startswith("event: "):
                    kind = line[len("event: "):]
                elif line.startswith("data: ") and kind:
                    events.put((kind, json.loads(line[len("data: "):])))
                    kind = None

        threading.Thread(target=read, daemon=True).start()
        self.assertEqual(events.get(timeout=10)[0], "subscribed")
        app = new_app()
        job = client().create_backend(AppId=app, AppName="n", BackendEnvironmentName="dev")["JobId"]
        seen, deadline = [], time.monotonic() + 15
        while not any(k == "job" and e["newStatus"] == "COMPLETED" for k, e in seen):
            seen.append(events.get(timeout=max(0.1, deadline - time.monotonic())))
        jobs = [e for k, e in seen if k == "job" and e["jobId"] == job]
        self.assertEqual([(e["oldStatus"], e["newStatus"]) for e in jobs], [("", "RUNNING"), ("RUNNING", "COMPLETED")])
        for e in jobs:
            self.assertEqual((e["appId"], e["environment"], e["operation"]), (app, "dev", "CreateBackend"))
        requests = [e for k, e in seen if k == "request" and e["path"] == "/backend"]
        self.assertEqual(len(requests), 1)
        self.assertEqual((requests[0]["operation"], requests[0]["status"]), ("CreateBackend", 200))


def parse_metrics(text):
    """Prometheus' text format: {(name, frozenset(labels)): value}, checking the syntax as it goes."""
    samples, types = {}, {}
    sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
    label = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?')
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, typ = line.split(" ", 3)
            types[name] = typ
            continue
        if not line or line.startswith("#"):
            continue
        m = sample.match(line)
        assert m, f"not a sample line: {line!r}"
        labels = frozenset(label.findall(m.group(3) or ""))
        samples[(m.group(1), labels)] = float(m.group(4))
    return samples, types


class Metrics(unittest.TestCase):
    def test_metrics_count_what_clients_did(self):
        app = new_app()
        c = client()
        create_app(c, app)
        with self.assertRaises(ClientError):
            c.get_backend(AppId=new_app())
        status, headers, text = curl("GET", f"{ENDPOINT}/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/plain"), headers)
        samples, types = parse_metrics(text)

        def value(name, **labels):
            want = set(labels.items())
            found = [v for (n, ls), v in samples.items() if n == name and want <= set(ls)]
            self.assertTrue(found, f"{name}{labels} missing")
            return sum(found)

        self.assertGreaterEqual(value("amplifylite_requests_total", operation="CreateBackend", code="200"), 1)
        self.assertGreaterEqual(value("amplifylite_requests_total", operation="GetBackend", code="404"), 1)
        self.assertGreaterEqual(value("amplifylite_jobs_finished_total", operation="CreateBackend", outcome="completed"), 1)
        self.assertGreaterEqual(value("amplifylite_store_commit_seconds_count"), 2)
        self.assertGreaterEqual(value("amplifylite_store_commit_batch_size_count"), 2)
        self.assertEqual(value("amplifylite_build_info"), 1)
        self.assertIn("amplifylite_jobs_running", [n for n, _ in samples])
        for name in ("amplifylite_request_duration_seconds", "amplifylite_job_run_seconds", "amplifylite_store_commit_seconds"):
            self.assertEqual(types[name], "histogram")
        # Each latency histogram: cumulative buckets ending in +Inf = count.
        op = frozenset({("operation", "GetBackend")})
        buckets = sorted((float(dict(ls)["le"]), v) for (n, ls), v in samples.items()
                         if n == "amplifylite_request_duration_seconds_bucket" and op <= ls)
        self.assertEqual(buckets[-1][0], math.inf)
        self.assertEqual([v for _, v in buckets], sorted(v for _, v in buckets))
        self.assertEqual(buckets[-1][1], samples[("amplifylite_request_duration_seconds_count", op)])


class Access(unittest.TestCase):
    def test_without_an_admin_token_only_health_info_and_metrics_answer(self):
        for path in ("/_amplifylite/health", "/_amplifylite/info", "/metrics"):
            self.assertEqual(curl("GET", CLOSED + path)[0], 200, path)
        for method, path in (("GET", "/_amplifylite/faults"), ("POST", "/_amplifylite/faults"), ("GET", "/_amplifylite/requests"),
                             ("GET", "/_amplifylite/events"), ("DELETE", "/_amplifylite/faults")):
            status, headers, body = curl(method, CLOSED + path, {"latencyMs": 1} if method == "POST" else None, token="guess")
            self.assertEqual((status, body["__type"]), (403, "AccessDeniedException"), path)

    def test_with_an_admin_token_its_bearer_only(self):
        self.assertEqual(curl("GET", LOCKED + "/_amplifylite/info")[0], 200)
        for token in (None, "wrong"):
            status, _, body = curl("GET", LOCKED + "/_amplifylite/requests", token=token)
            self.assertEqual((status, body["__type"]), (403, "AccessDeniedException"))
        status, _, rule = curl("POST", LOCKED + "/_amplifylite/faults",
                               {"operation": "ListS3Buckets", "count": 1, "error": {"statusCode": 503, "code": "ServiceUnavailableException", "message": "down"}},
                               token=TOKEN)
        self.assertEqual(status, 200, rule)
        # The API still wants SigV4: boto3 signs, the fault is injected after the signature is verified.
        with self.assertRaises(ClientError) as cm:
            client(LOCKED).list_s3_buckets()
        self.assertEqual(cm.exception.response["Error"]["Code"], "ServiceUnavailableException")
        self.assertIn("Buckets", client(LOCKED).list_s3_buckets())
        with self.assertRaises(ClientError) as cm:
            client(LOCKED, secret="wrong").list_s3_buckets()
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidSignatureException")
        verdicts = [(e["status"], e["signature"]) for e in journal(LOCKED, limit=3, token=TOKEN)]
        self.assertEqual(verdicts, [(403, "invalid"), (200, "valid"), (503, "valid")])


if __name__ == "__main__":
    unittest.main()

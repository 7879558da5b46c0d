"""boto3's sts, amplify, s3, cloudformation, cognito-idp and cognito-identity clients, unmodified, against
amplifylite: what `amplify pull` asks of them, on a backend built through the Admin API (amplifybackend
client), with every request signed and verified. Each test uses its own app id.
"""

import hashlib
import io
import json
import os
import time
import unittest
import urllib.error
import urllib.request
import uuid
import zipfile

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["AMPLIFYLITE_ENDPOINT"]
SECRET = os.environ["AWS_SECRET_ACCESS_KEY"]


def client(service, key="AKIDEXAMPLE", secret=SECRET):
    cfg = Config(retries={"mode": "standard", "total_max_attempts": 1}, s3={"addressing_style": "path"})
    return boto3.client(service, endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret, config=cfg)


def code_of(fn, *args, **kw):
    try:
        fn(*args, **kw)
    except ClientError as e:
        return e.response["Error"]["Code"]
    raise AssertionError("no error")


def wait(ab, app, env, job):
    deadline = time.monotonic() + 15
    while True:
        j = ab.get_backend_job(AppId=app, BackendEnvironmentName=env, JobId=job["JobId"])
        if j["Status"] != "RUNNING":
            assert j["Status"] == "COMPLETED", j
            return
        if time.monotonic() > deadline:
            raise AssertionError("job did not finish")
        time.sleep(0.05)


def build(app, env="dev", key="AKIDEXAMPLE"):
    """A backend as Studio makes it: auth with both pools, an API with API-key auth and DataStore, storage."""
    ab = client("amplifybackend", key)
    wait(ab, app, env, ab.create_backend(AppId=app, AppName="Pull " + app, BackendEnvironmentName=env))
    wait(ab, app, env, ab.create_backend_auth(AppId=app, BackendEnvironmentName=env, ResourceName="pullauth", ResourceConfig={
        "AuthResources": "IDENTITY_POOL_AND_USER_POOL", "Service": "COGNITO",
        "IdentityPoolConfigs": {"IdentityPoolName": "pullidp", "UnauthenticatedLogin": True},
        "UserPoolConfigs": {"SignInMethod": "EMAIL", "RequiredSignUpAttributes": ["EMAIL"], "UserPoolName": "pullpool"}}))
    wait(ab, app, env, ab.create_backend_api(AppId=app, BackendEnvironmentName=env, ResourceName="pullapi", ResourceConfig={
        "ApiName": "pullapi", "Service": "AppSync", "DefaultAuthType": {"Mode": "API_KEY"},
        "ConflictResolution": {"ResolutionStrategy": "AUTOMERGE"},
        "TransformSchema": "type Todo @model @auth(rules: [{allow: public}]) { id: ID! name: String! }"}))
    wait(ab, app, env, ab.create_backend_storage(AppId=app, BackendEnvironmentName=env, ResourceName="pullstore", ResourceConfig={
        "BucketName": "pull-" + app + "-files", "ServiceName": "S3",
        "Permissions": {"Authenticated": ["READ", "CREATE_AND_UPDATE"], "UnAuthenticated": ["READ"]}}))
    return json.loads(ab.get_backend(AppId=app, BackendEnvironmentName=env)["AmplifyMetaConfig"])


def new_app():
    return "svc" + uuid.uuid4().hex[:10]


class STS(unittest.TestCase):
    def test_caller_identity_is_the_keys_account(self):
        for key, account in [("AKIDEXAMPLE", "000000000000"), ("111122223333", "111122223333"), ("AKIDACCOUNTKEY", "444455556666")]:
            got = client("sts", key).get_caller_identity()
            self.assertEqual(got["Account"], account)
            self.assertEqual(got["Arn"], f"arn:aws:iam::{account}:root")

    def test_refusals(self):
        self.assertEqual(code_of(client("sts", secret="forged").get_caller_identity), "SignatureDoesNotMatch")
        self.assertEqual(code_of(client("sts", key="AKIDNOBODY").get_caller_identity), "InvalidClientTokenId")


class Hosting(unittest.TestCase):
    def test_admin_api_apps_are_hosting_apps(self):
        app = new_app()
        meta = build(app)
        amp = client("amplify")
        got = amp.get_app(appId=app)["app"]
        self.assertEqual(got["name"], "Pull " + app)
        self.assertEqual(got["appArn"], f"arn:aws:amplify:us-east-1:000000000000:apps/{app}")
        env = amp.get_backend_environment(appId=app, environmentName="dev")["backendEnvironment"]
        cf = meta["providers"]["awscloudformation"]
        self.assertEqual(env["stackName"], cf["StackName"])
        self.assertEqual(env["deploymentArtifacts"], cf["DeploymentBucketName"])
        listed = amp.list_backend_environments(appId=app)["backendEnvironments"]
        self.assertEqual([e["environmentName"] for e in listed], ["dev"])
        ids = [a["appId"] for p in amp.get_paginator("list_apps").paginate(PaginationConfig={"PageSize": 2}) for a in p["apps"]]
        self.assertIn(app, ids)
        self.assertEqual(len(ids), len(set(ids)))
        # Another account sees none of it.
        other = client("amplify", "111122223333")
        self.assertEqual(code_of(other.get_app, appId=app), "NotFoundException")
        self.assertNotIn(app, [a["appId"] for a in other.list_apps()["apps"]])
        # RemoveAllBackends with cleanAmplifyApp removes the app.
        ab = client("amplifybackend")
        wait(ab, app, "dev", ab.remove_all_backends(AppId=app, CleanAmplifyApp=True))
        self.assertEqual(code_of(amp.get_app, appId=app), "NotFoundException")

    def test_hosting_apps_are_admin_api_apps(self):
        amp = client("amplify")
        app = amp.create_app(name="hosted", description="by Hosting", environmentVariables={"STAGE": "beta"})["app"]
        self.assertEqual(app["environmentVariables"], {"STAGE": "beta"})
        env = amp.create_backend_environment(appId=app["appId"], environmentName="beta", stackName="amplify-hosted-beta-1",
                                             deploymentArtifacts="amplify-hosted-beta-1-deployment")["backendEnvironment"]
        self.assertEqual(env["deploymentArtifacts"], "amplify-hosted-beta-1-deployment")
        ab = client("amplifybackend")
        meta = json.loads(ab.get_backend(AppId=app["appId"], BackendEnvironmentName="beta")["AmplifyMetaConfig"])
        self.assertEqual(meta["providers"]["awscloudformation"]["StackName"], "amplify-hosted-beta-1")
        # The bucket Hosting was given serves the environment's artifacts.
        s3 = client("s3")
        self.assertEqual(json.loads(s3.get_object(Bucket="amplify-hosted-beta-1-deployment", Key="amplify-meta.json")["Body"].read())
                         ["providers"]["awscloudformation"]["AmplifyAppId"], app["appId"])
        self.assertEqual(amp.delete_backend_environment(appId=app["appId"], environmentName="beta")["backendEnvironment"]["environmentName"], "beta")
        self.assertEqual(code_of(amp.get_backend_environment, appId=app["appId"], environmentName="beta"), "NotFoundException")
        amp.delete_app(appId=app["appId"])
        self.assertEqual(code_of(ab.get_backend, AppId=app["appId"]), "NotFoundException")

    def test_errors(self):
        amp = client("amplify")
        self.assertEqual(code_of(amp.get_app, appId="dnosuchapp0000"), "NotFoundException")
        self.assertEqual(code_of(client("amplify", secret="forged").list_apps), "InvalidSignatureException")
        self.assertEqual(code_of(amp.list_apps, nextToken="forged"), "BadRequestException")


class S3(unittest.TestCase):
    def test_deployment_bucket(self):
        app = new_app()
        meta = build(app)
        bucket = meta["providers"]["awscloudformation"]["DeploymentBucketName"]
        s3 = client("s3")
        first = s3.get_object(Bucket=bucket, Key="#current-cloud-backend.zip")
        body = first["Body"].read()
        self.assertEqual(s3.get_object(Bucket=bucket, Key="#current-cloud-backend.zip")["Body"].read(), body)
        self.assertEqual(first["ETag"], '"%s"' % hashlib.md5(body).hexdigest())
        z = zipfile.ZipFile(io.BytesIO(body))
        names = z.namelist()
        self.assertEqual(names, sorted(names))
        for want in ["amplify-meta.json", "backend-config.json", "cli.json", "api/pullapi/schema.graphql",
                     "api/pullapi/cli-inputs.json", "auth/pullauth/cli-inputs.json", "storage/pullstore/cli-inputs.json"]:
            self.assertIn(want, names)
        pushed = json.loads(s3.get_object(Bucket=bucket, Key="amplify-meta.json")["Body"].read())
        self.assertEqual(pushed, json.loads(z.read("amplify-meta.json")))
        for cat, res, key in [("auth", "pullauth", "UserPoolId"), ("auth", "pullauth", "IdentityPoolId"),
                              ("auth", "pullauth", "AppClientIDWeb"), ("api", "pullapi", "GraphQLAPIEndpointOutput"),
                              ("api", "pullapi", "GraphQLAPIIdOutput"), ("storage", "pullstore", "BucketName")]:
            self.assertEqual(pushed[cat][res]["output"][key], meta[cat][res]["output"][key])
            self.assertTrue(pushed[cat][res]["lastPushTimeStamp"].endswith("Z"))
        self.assertTrue(pushed["api"]["pullapi"]["output"]["GraphQLAPIKeyOutput"].startswith("da2-"))
        head = s3.head_object(Bucket=bucket, Key="amplify-meta.json")
        self.assertEqual(head["ContentType"], "application/json")
        keys = [o["Key"] for p in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, PaginationConfig={"PageSize": 1}) for o in p.get("Contents", [])]
        self.assertEqual(keys, ["#current-cloud-backend.zip", "amplify-meta.json"])
        self.assertIn(bucket, [b["Name"] for b in s3.list_buckets()["Buckets"]])

    def test_errors(self):
        app = new_app()
        bucket = build(app)["providers"]["awscloudformation"]["DeploymentBucketName"]
        s3 = client("s3")
        self.assertEqual(code_of(s3.get_object, Bucket=bucket, Key="nope.json"), "NoSuchKey")
        self.assertEqual(code_of(s3.get_object, Bucket="no-such-deployment-bucket", Key="amplify-meta.json"), "NoSuchBucket")
        self.assertEqual(code_of(client("s3", "111122223333").get_object, Bucket=bucket, Key="amplify-meta.json"), "NoSuchBucket")
        self.assertEqual(code_of(s3.put_object, Bucket=bucket, Key="amplify-meta.json", Body=b"{}"), "AccessDenied")
        self.assertEqual(code_of(client("s3", secret="forged").get_object, Bucket=bucket, Key="amplify-meta.json"), "SignatureDoesNotMatch")


class CloudFormation(unittest.TestCase):
    def test_root_and_nested_stacks(self):
        app = new_app()
        meta = build(app)
        cf = meta["providers"]["awscloudformation"]
        cfn = client("cloudformation")
        summaries = cfn.list_stack_resources(StackName=cf["StackName"])["StackResourceSummaries"]
        nested = {s["LogicalResourceId"]: s["PhysicalResourceId"] for s in summaries if s["ResourceType"] == "AWS::CloudFormation::Stack"}
        self.assertEqual(sorted(nested), ["apipullapi", "authpullauth", "storagepullstore"])
        root = cfn.describe_stacks(StackName=cf["StackName"])["Stacks"][0]
        self.assertEqual(root["StackId"], cf["StackId"])
        outputs = {o["OutputKey"]: o["OutputValue"] for o in root["Outputs"]}
        for k in ["AuthRoleArn", "AuthRoleName", "UnauthRoleArn", "UnauthRoleName", "Region", "DeploymentBucketName", "StackName", "StackId"]:
            self.assertEqual(outputs[k], cf[k])
        for logical, (cat, res) in {"apipullapi": ("api", "pullapi"), "authpullauth": ("auth", "pullauth"), "storagepullstore": ("storage", "pullstore")}.items():
            st = cfn.describe_stacks(StackName=nested[logical])["Stacks"][0]
            self.assertEqual(st["StackId"], nested[logical])
            outs = {o["OutputKey"]: o["OutputValue"] for o in st["Outputs"]}
            for k, v in meta[cat][res]["output"].items():
                self.assertEqual(outs[k], v, k)
        self.assertEqual(code_of(cfn.describe_stacks, StackName="amplify-no-such-stack"), "ValidationError")
        self.assertEqual(code_of(client("cloudformation", "111122223333").list_stack_resources, StackName=cf["StackName"]), "ValidationError")


class AppState(unittest.TestCase):
    def get(self, path):
        try:
            with urllib.request.urlopen(ENDPOINT + path) as r:
                return r.status, json.load(r)
        except urllib.error.HTTPError as e:
            return e.code, json.load(e)

    def test_admin_ui_apps(self):
        app = new_app()
        build(app)
        self.assertEqual(self.get(f"/AppState/?appId={app}"), (200, {}))
        ab = client("amplifybackend")
        job = ab.create_backend_config(AppId=app, BackendManagerAppId=app + "-studio")
        wait(ab, app, job["BackendEnvironmentName"], job)
        code, body = self.get(f"/AppState/?appId={app}")
        self.assertEqual((code, body["appId"], body["region"]), (200, app, "us-east-1"))
        login = json.loads(body["loginAuthConfig"])
        self.assertTrue(login["aws_user_pools_id"].startswith("us-east-1_"))
        self.assertEqual(self.get(f"/AppState/{app}-studio"), (200, {"appId": app}))
        self.assertEqual(self.get("/AppState/nobody-" + app), (404, {"message": "Requested app was not found"}))

    def test_sandbox_schema_not_served_across_accounts(self):
        """This server keeps accounts apart (--credentials) and AppState is unsigned: an app's schema is
        not handed to whoever names the app. (Without --credentials it is: conformance/amplify-pull's
        SandboxPull pulls it with the real CLI.)"""
        app = new_app()
        build(app)
        self.assertEqual(self.get(f"/AppState/{app}"), (404, {"message": "Requested app was not found"}))


class Cognito(unittest.TestCase):
    def test_social_providers_of_the_user_pool(self):
        app = new_app()
        ab = client("amplifybackend")
        wait(ab, app, "dev", ab.create_backend(AppId=app, AppName="social", BackendEnvironmentName="dev"))
        wait(ab, app, "dev", ab.create_backend_auth(AppId=app, BackendEnvironmentName="dev", ResourceName="socialauth", ResourceConfig={
            "AuthResources": "USER_POOL_ONLY", "Service": "COGNITO",
            "UserPoolConfigs": {"SignInMethod": "EMAIL", "RequiredSignUpAttributes": ["EMAIL"], "UserPoolName": "socialpool",
                                "OAuth": {"DomainPrefix": app, "OAuthGrantType": "CODE", "OAuthScopes": ["EMAIL", "OPENID"],
                                          "RedirectSignInURIs": ["https://example.com/in/"], "RedirectSignOutURIs": ["https://example.com/out/"],
                                          "SocialProviderSettings": {"Google": {"ClientId": "gid", "ClientSecret": "gsecret"},
                                                                     "SignInWithApple": {"ClientId": "aid", "TeamId": "team", "KeyId": "key", "PrivateKey": "pk"}}}}}))
        meta = json.loads(ab.get_backend(AppId=app, BackendEnvironmentName="dev")["AmplifyMetaConfig"])
        pool_id = meta["auth"]["socialauth"]["output"]["UserPoolId"]
        idp = client("cognito-idp")
        pools = [p for page in idp.get_paginator("list_user_pools").paginate(MaxResults=1) for p in page["UserPools"]]
        mine = [p for p in pools if p["Id"] == pool_id]
        self.assertEqual([p["Name"] for p in mine], ["socialpool-dev"])
        providers = idp.list_identity_providers(UserPoolId=pool_id, MaxResults=60)["Providers"]
        self.assertEqual(sorted(p["ProviderName"] for p in providers), ["Google", "SignInWithApple"])
        google = idp.describe_identity_provider(UserPoolId=pool_id, ProviderName="Google")["IdentityProvider"]
        self.assertEqual((google["ProviderDetails"]["client_id"], google["ProviderDetails"]["client_secret"]), ("gid", "gsecret"))
        apple = idp.describe_identity_provider(UserPoolId=pool_id, ProviderName="SignInWithApple")["IdentityProvider"]
        self.assertEqual(apple["ProviderDetails"]["team_id"], "team")
        self.assertEqual(code_of(idp.describe_identity_provider, UserPoolId=pool_id, ProviderName="Facebook"), "ResourceNotFoundException")
        self.assertEqual(code_of(client("cognito-idp", "111122223333").list_identity_providers, UserPoolId=pool_id, MaxResults=60), "ResourceNotFoundException")
        self.assertEqual(code_of(idp.create_user_pool, PoolName="x"), "UnknownOperationException")

    def test_imported_pool_and_identity_pool(self):
        """What the Amplify CLI re-validates when it pulls an imported user pool (ImportBackendAuth)."""
        app = new_app()
        pool, web, native = f"us-east-1_{app[3:]}", f"web{app}", f"native{app}"
        ident_id = f"us-east-1:{uuid.uuid4()}"
        ab = client("amplifybackend")
        wait(ab, app, "dev", ab.create_backend(AppId=app, AppName="imported", BackendEnvironmentName="dev"))
        wait(ab, app, "dev", ab.import_backend_auth(AppId=app, BackendEnvironmentName="dev", UserPoolId=pool,
                                                    WebClientId=web, NativeClientId=native, IdentityPoolId=ident_id))
        meta = json.loads(ab.get_backend(AppId=app, BackendEnvironmentName="dev")["AmplifyMetaConfig"])
        roles = meta["providers"]["awscloudformation"]
        idp = client("cognito-idp")
        described = idp.describe_user_pool(UserPoolId=pool)["UserPool"]
        self.assertEqual((described["Id"], described["MfaConfiguration"]), (pool, "OFF"))
        self.assertEqual(described["Policies"]["PasswordPolicy"]["MinimumLength"], 8)
        clients = [c for page in idp.get_paginator("list_user_pool_clients").paginate(UserPoolId=pool, MaxResults=1)
                   for c in page["UserPoolClients"]]
        self.assertEqual(sorted(c["ClientId"] for c in clients), sorted([web, native]))
        web_client = idp.describe_user_pool_client(UserPoolId=pool, ClientId=web)["UserPoolClient"]
        self.assertNotIn("ClientSecret", web_client)
        self.assertEqual(idp.get_user_pool_mfa_config(UserPoolId=pool)["MfaConfiguration"], "OFF")
        self.assertEqual(code_of(idp.describe_user_pool_client, UserPoolId=pool, ClientId="nope"), "ResourceNotFoundException")

        ci = client("cognito-identity")
        pools = [p for page in ci.get_paginator("list_identity_pools").paginate(MaxResults=1) for p in page["IdentityPools"]]
        self.assertIn(ident_id, [p["IdentityPoolId"] for p in pools])
        d = ci.describe_identity_pool(IdentityPoolId=ident_id)
        self.assertEqual(sorted((p["ProviderName"], p["ClientId"]) for p in d["CognitoIdentityProviders"]),
                         sorted((f"cognito-idp.us-east-1.amazonaws.com/{pool}", c) for c in (web, native)))
        r = ci.get_identity_pool_roles(IdentityPoolId=ident_id)["Roles"]
        self.assertEqual((r["authenticated"], r["unauthenticated"]), (roles["AuthRoleArn"], roles["UnauthRoleArn"]))
        self.assertEqual(code_of(client("cognito-identity", "111122223333").describe_identity_pool, IdentityPoolId=ident_id),
                         "ResourceNotFoundException")
        self.assertEqual(code_of(ci.delete_identity_pool, IdentityPoolId=ident_id), "UnknownOperationException")

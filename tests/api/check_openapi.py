#!/usr/bin/python3
"""Conformance of schemas/openapi.yaml with the real server.

Usage: check_openapi.py <fieldrepair-server binary> [<project source dir>]

Starts the server on a free port with demo data in a temporary folder, then:
  * compares the spec's operations with the route table in server/http/src/routes.cpp (both ways), including
    which operations are public and which roles x-roles names;
  * probes every spec operation, so one the server lacks (404 "no such endpoint" or 405) fails;
  * exercises every operation with successes and with each error status the spec declares for it, and
    validates every response: the status must be declared for the operation and the body must match the
    declared media type and schema (Draft 2020-12, $refs resolved over the whole spec); request bodies that
    succeed must match the spec's request schema, and bodies sent to provoke a field error must not;
  * sends an unlisted method to every path (405) and an unknown path (404);
  * finally checks that every status declared for every operation was seen at least once.
Prints one line per check and a last line "N passed, M failed"; exits non-zero on any failure.
Needs only Debian packages: python3, python3-yaml, python3-jsonschema.
"""

import base64
import hashlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse
import uuid
import warnings

import jsonschema
import yaml

SPEC_URI = "https://fieldrepair.invalid/schemas/openapi.yaml"
METHODS = ("get", "post", "put", "patch", "delete")
ADMIN_PASSWORD = "admin-password-1"
DEMO_PASSWORD = "demo-password-1"
MAX_BODY = 65536
PNG_1x1 = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


class Failed(Exception):
    """A check failed; the message says how."""


# ------------------------------------------------------------------------------------------------ spec access


def pointer(*parts):
    """A JSON pointer (RFC 6901) to parts, percent-encoded for use as a URI fragment."""
    escaped = [str(p).replace("~", "~0").replace("/", "~1") for p in parts]
    return urllib.parse.quote("/" + "/".join(escaped), safe="/~-._")


class Spec:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.doc = yaml.safe_load(f)
        self._validators = {}
        try:  # jsonschema >= 4.18 resolves through the referencing library
            from referencing import Registry, Resource
            from referencing.jsonschema import DRAFT202012

            registry = Registry().with_resource(
                SPEC_URI, Resource.from_contents(self.doc, default_specification=DRAFT202012))
            self._make = lambda ref: jsonschema.Draft202012Validator({"$ref": ref}, registry=registry)
        except ImportError:  # Debian bookworm's jsonschema 4.10: RefResolver over the whole document
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                resolver = jsonschema.RefResolver(base_uri=SPEC_URI, referrer=self.doc)
            self._make = lambda ref: jsonschema.Draft202012Validator({"$ref": ref}, resolver=resolver)

    def operations(self):
        for path, item in self.doc["paths"].items():
            for method in METHODS:
                if method in item:
                    yield method.upper(), path, item[method]

    def operation(self, method, template):
        return self.doc["paths"][template][method.lower()]

    def deref(self, obj, where):
        """Follows a local $ref of a response or parameter; returns (object, pointer parts of it)."""
        while "$ref" in obj:
            ref = obj["$ref"]
            if not ref.startswith("#/"):
                raise Failed(f"unsupported $ref {ref}")
            where = [urllib.parse.unquote(p).replace("~1", "/").replace("~0", "~") for p in ref[2:].split("/")]
            obj = self.doc
            for p in where:
                obj = obj[p]
        return obj, where

    def errors(self, parts, instance):
        """Validation messages of instance against the schema at pointer parts (empty when valid)."""
        ref = SPEC_URI + "#" + pointer(*parts)
        if ref not in self._validators:
            self._validators[ref] = self._make(ref)
        found = sorted(self._validators[ref].iter_errors(instance), key=lambda e: list(e.absolute_path))
        out = []
        for e in found:
            at = "/".join(str(p) for p in e.absolute_path) or "(root)"
            # anyOf/oneOf failures: name the best sub-error too.
            detail = ""
            if e.context:
                best = jsonschema.exceptions.best_match(e.context)
                detail = f" [{'/'.join(str(p) for p in best.absolute_path)}: {best.message}]"
            out.append(f"{at}: {e.message[:300]}{detail}")
        return out


# ------------------------------------------------------------------------------------------------ the server


class Server:
    def __init__(self, binary):
        self.binary = os.path.abspath(binary)
        self.dir = tempfile.mkdtemp(prefix="fieldrepair-openapi-")
        self.proc = None
        self.log_path = os.path.join(self.dir, "server.log")

    def start(self):
        env = dict(os.environ)
        env.update({
            "FIELDREPAIR_LISTEN": "127.0.0.1:0",
            "FIELDREPAIR_DATA_DIR": self.dir,
            "FIELDREPAIR_READY_FILE": os.path.join(self.dir, "ready"),
            "FIELDREPAIR_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "FIELDREPAIR_PBKDF2_ITERATIONS": "2000",
            "FIELDREPAIR_DEMO": "true",
            "FIELDREPAIR_DEMO_PASSWORD": DEMO_PASSWORD,
            "FIELDREPAIR_MAX_BODY_BYTES": str(MAX_BODY),
            "FIELDREPAIR_LOGIN_MAX_FAILURES": "3",
            "FIELDREPAIR_LOG_LEVEL": "warning",
        })
        for key in ("FIELDREPAIR_DATABASE", "FIELDREPAIR_TLS_CERT", "FIELDREPAIR_TLS_KEY", "FIELDREPAIR_TOKEN_TTL",
                    "FIELDREPAIR_LOGIN_WINDOW", "FIELDREPAIR_AUTO_APPROVE", "FIELDREPAIR_WARRANTY_DAYS"):
            env.pop(key, None)
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([self.binary], cwd=self.dir, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        ready = os.path.join(self.dir, "ready")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Failed(f"the server exited with status {self.proc.returncode} before it was ready\n"
                             + self.log_tail())
            if os.path.exists(ready):
                lines = open(ready, encoding="utf-8").read().splitlines()
                if len(lines) >= 2 and lines[1].strip():
                    url, cert = lines[0].strip(), lines[1].strip()
                    if not os.path.isabs(cert):
                        cert = os.path.join(self.dir, cert)
                    parsed = urllib.parse.urlsplit(url)
                    return parsed.port, cert
            time.sleep(0.05)
        raise Failed("the server did not write its ready file within 120 s\n" + self.log_tail())

    def log_tail(self, lines=30):
        try:
            self.log.flush()
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


# ------------------------------------------------------------------------------------------------ the checker


class Response:
    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers
        self.raw = raw
        self.json = None
        if raw and headers.get("content-type", "").startswith("application/json"):
            try:
                self.json = json.loads(raw.decode("utf-8"))
            except ValueError:
                self.json = None

    def brief(self):
        return self.raw.decode("utf-8", errors="replace")[:400]


def fill(template, **params):
    """template with its {name} segments filled from params; a name not given becomes "probe"."""
    return re.sub(r"\{(\w+)\}", lambda m: urllib.parse.quote(str(params.get(m.group(1), "probe")), safe=""), template)


class Checker:
    def __init__(self, spec, port, cafile):
        self.spec = spec
        self.port = port
        self.ctx = ssl.create_default_context(cafile=cafile)
        self.passed = 0
        self.failed = 0
        self.seen = {}  # (METHOD, template) -> set of statuses seen

    # -- reporting

    def ok(self, label):
        self.passed += 1
        print(f"PASS {label}", flush=True)

    def fail(self, label, why):
        self.failed += 1
        print(f"FAIL {label}: {why}", flush=True)

    def run(self, label, fn, *args, **kwargs):
        """Runs one check that is not a request; counts it."""
        try:
            fn(*args, **kwargs)
        except Failed as e:
            self.fail(label, str(e))
        else:
            self.ok(label)

    # -- HTTP

    def send(self, method, path, token=None, body=None, raw=None, content_type=None, headers=None,
             declared_length=None, chunked=None, head_only=False):
        """One request on a fresh connection. declared_length: send only the headers, announcing a body of that
        many bytes (the server must answer from Content-Length alone). chunked: send these bytes as one chunk
        of a chunked body without the closing chunk (the server must answer once it has read past its limit).
        Either way the server has read everything sent when it answers, so its close cannot reset the
        connection before the answer is read. head_only: read the status and headers only (an event stream never
        ends)."""
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx, timeout=60)
        hdrs = dict(headers or {})
        data = None
        if token:
            hdrs["Authorization"] = "Bearer " + token
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            hdrs.setdefault("Content-Type", "application/json")
        if raw is not None:
            data = raw
        if content_type is not None:
            hdrs["Content-Type"] = content_type
        try:
            if declared_length is not None or chunked is not None:
                conn.putrequest(method, path, skip_accept_encoding=True)
                for k, v in hdrs.items():
                    conn.putheader(k, v)
                if chunked is None:
                    conn.putheader("Content-Length", str(declared_length))
                    conn.endheaders()
                else:
                    conn.putheader("Transfer-Encoding", "chunked")
                    conn.endheaders()
                    conn.send(b"%x\r\n" % len(chunked) + chunked + b"\r\n")
            else:
                conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            payload = b"" if head_only and resp.status == 200 else resp.read()
            return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, payload)
        finally:
            conn.close()

    # -- one request, checked against the spec

    def call(self, method, template, path=None, expect=None, token=None, body=None, raw=None, content_type=None,
             label=None, request_valid=None, action=None, params=None, declared_length=None, chunked=None,
             headers=None, head_only=False):
        """Sends a request and checks the response against the operation (method, template) of the spec.

        expect: the status wanted (an int, or a tuple of acceptable ones). request_valid: True to require that
        body matches the spec's request schema, False to require that it does not (a field error the spec
        should catch too), None to skip. Returns the Response (its .json parsed), or None if the check failed.
        """
        path = path or template
        if params:
            path += "?" + urllib.parse.urlencode(params)
        wanted = "any declared status" if expect is None else expect
        label = f"{method} {path} -> {wanted}" + (f" ({label})" if label else "")
        try:
            res = self.send(method, path, token=token, body=body, raw=raw, content_type=content_type,
                            declared_length=declared_length, chunked=chunked, headers=headers, head_only=head_only)
        except (OSError, http.client.HTTPException) as e:
            self.fail(label, f"request failed: {e!r}")
            return None
        try:
            self.seen.setdefault((method, template), set()).add(res.status)
            self.check_response(method, template, res)
            wanted = expect if isinstance(expect, tuple) else (expect,)
            if expect is not None and res.status not in wanted:
                raise Failed(f"status {res.status}, wanted {expect}: {res.brief()}")
            if request_valid is not None and body is not None:
                self.check_request(method, template, body, action, request_valid)
        except Failed as e:
            self.fail(label, str(e))
            return None
        self.ok(label + f" = {res.status}")
        return res

    def check_response(self, method, template, res):
        try:
            op = self.spec.operation(method, template)
        except KeyError:
            raise Failed(f"the spec has no operation {method} {template}")
        if res.status == 404 and res.json and str(res.json.get("error", {}).get("message", "")).startswith(
                "no such endpoint"):
            raise Failed(f"the server has no route for {method} {template} (spec operation missing on the server)")
        if res.status == 405:
            raise Failed(f"the server does not allow {method} on {template} (spec operation missing on the server)")
        declared = op.get("responses", {}).get(str(res.status))
        if declared is None:
            raise Failed(f"status {res.status} is not declared for {method} {template}: {res.brief()}")
        self.check_against(declared, ["paths", template, method.lower(), "responses", str(res.status)], res)

    def check_against(self, declared, where, res):
        """Checks res against a response object of the spec (headers, media type, schema)."""
        response, where = self.spec.deref(declared, where)
        for name, header in (response.get("headers") or {}).items():
            header, _ = self.spec.deref(header, [])
            value = res.headers.get(name.lower())
            if value is None:
                if header.get("required"):
                    raise Failed(f"header {name} is missing")
                continue
            schema = header.get("schema", {})
            if schema.get("type") == "integer" and not re.fullmatch(r"\d+", value):
                raise Failed(f"header {name}: {value!r} is not an integer")
        content = response.get("content")
        if not content:
            if res.raw:
                raise Failed(f"status {res.status} declares no body, got {res.brief()}")
            return
        ctype = res.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype not in content:
            raise Failed(f"content type {ctype!r} is not declared (declared: {', '.join(content)})")
        if ctype == "application/json":
            if res.json is None:
                raise Failed(f"the body is not JSON: {res.brief()}")
            errors = self.spec.errors(where + ["content", "application/json", "schema"], res.json)
            if errors:
                raise Failed("the body does not match the schema: " + "; ".join(errors[:5]))
        elif ctype.startswith("text/"):
            try:
                res.raw.decode("utf-8")
            except UnicodeDecodeError:
                raise Failed("the text body is not UTF-8")

    def check_request(self, method, template, body, action, should_be_valid):
        op = self.spec.operation(method, template)
        parts = ["paths", template, method.lower(), "requestBody", "content", "application/json", "schema"]
        if action is not None:
            ref = op.get("x-action-schemas", {}).get(action)
            if not ref:
                raise Failed(f"x-action-schemas names no schema for action {action}")
            parts = [urllib.parse.unquote(p) for p in ref[2:].split("/")]
        errors = self.spec.errors(parts, body)
        if should_be_valid and errors:
            raise Failed("the server accepted a body the spec rejects: " + "; ".join(errors[:5]))
        if not should_be_valid and not errors:
            raise Failed("the server rejected a body the spec accepts: " + json.dumps(body, ensure_ascii=False)[:300])

    # -- shorthand

    def act(self, token, job_id, action, body, expect=200, label=None, request_valid=None):
        if request_valid is None and expect == 200:
            request_valid = True
        return self.call("POST", "/api/v1/jobs/{id}/actions/{action}",
                         fill("/api/v1/jobs/{id}/actions/{action}", id=job_id, action=action), expect=expect,
                         token=token, body=body, label=label or action, request_valid=request_valid, action=action)


# ------------------------------------------------------------------------------------------------ static checks


ROUTE_RE = re.compile(r'r\.add\(\{\s*"([A-Z]+)"\s*,\s*"([^"]+)"\s*,\s*(kPublic|kAnyUser|kAdmin|kStaff|kAfterSalesParties|kPolicyReaders|Access\{[^}]*\}\})')
ACCESS = {"kPublic": None, "kAnyUser": set(), "kAdmin": {"admin"}, "kStaff": {"admin", "dispatcher"},
          "kAfterSalesParties": {"admin", "dispatcher", "agent", "supervisor", "customer"},
          "kPolicyReaders": {"admin", "dispatcher", "agent", "supervisor"}}


def parse_routes(source_dir):
    """The routes of routes.cpp and of the routes_*.cpp files it pulls in."""
    http_dir = os.path.join(source_dir, "server", "http", "src")
    text = ""
    for name in sorted(os.listdir(http_dir)):
        if name == "routes.cpp" or (name.startswith("routes_") and name.endswith(".cpp")):
            with open(os.path.join(http_dir, name), encoding="utf-8") as f:
                text += f.read()
    routes = {}
    for method, path, access in ROUTE_RE.findall(text):
        if access in ACCESS:
            roles = ACCESS[access]
        else:
            public = re.match(r"Access\{\s*(true|false)", access).group(1) == "true"
            roles = None if public else set(re.findall(r'Role::(\w+)', access))
        routes[(method, path)] = roles
    if len(routes) != len(re.findall(r"\br\.add\(", text)):
        raise Failed("could not parse every r.add( line of routes.cpp; update ROUTE_RE in check_openapi.py")
    return routes


def static_checks(c, spec, source_dir):
    routes = parse_routes(source_dir)
    ops = {(m, p): op for m, p, op in spec.operations()}

    for key, roles in sorted(routes.items()):
        def route_in_spec(key=key, roles=roles):
            if key not in ops:
                raise Failed("routes.cpp has this route; the spec lacks it")
            op = ops[key]
            public = op.get("security", None) == []
            if public != (roles is None):
                raise Failed(f"public in routes.cpp: {roles is None}, in the spec: {public}")
            if roles:
                spec_roles = set(op.get("x-roles", []))
                if spec_roles != roles:
                    raise Failed(f"roles in routes.cpp {sorted(roles)}, x-roles in the spec {sorted(spec_roles)}")
            elif "x-roles" in op:
                raise Failed("x-roles is set but routes.cpp lets any logged-in user in")
        c.run(f"route {key[0]} {key[1]} is in the spec", route_in_spec)
    for key in sorted(ops):
        def spec_in_routes(key=key):
            if key not in routes:
                raise Failed("the spec declares this operation; routes.cpp lacks it")
        c.run(f"spec operation {key[0]} {key[1]} is in routes.cpp", spec_in_routes)

    def error_codes_match():
        with open(os.path.join(source_dir, "sync", "include", "fieldsync", "error.hpp"), encoding="utf-8") as f:
            codes = re.findall(r"^\s*X\((\w+)\)", f.read(), re.M)
        enum = spec.doc["components"]["schemas"]["ErrorCode"]["enum"]
        if codes != enum:
            raise Failed(f"error.hpp codes {codes} != ErrorCode enum {enum}")
    c.run("ErrorCode enum matches sync/include/fieldsync/error.hpp", error_codes_match)

    def workflow_matches():
        with open(os.path.join(source_dir, "schemas", "workflow.json"), encoding="utf-8") as f:
            wf = json.load(f)
        schemas = spec.doc["components"]["schemas"]
        actions = []
        for t in wf["transitions"]:
            if t["action"] not in actions:
                actions.append(t["action"])
        if actions != schemas["ActionName"]["enum"]:
            raise Failed(f"workflow actions {actions} != ActionName enum {schemas['ActionName']['enum']}")
        if wf["states"] != schemas["State"]["enum"]:
            raise Failed(f"workflow states {wf['states']} != State enum")
        op = spec.operation("POST", "/api/v1/jobs/{id}/actions/{action}")
        if sorted(op["x-action-schemas"]) != sorted(actions):
            raise Failed("x-action-schemas does not name exactly the workflow's actions")
        roles = {}
        for t in wf["transitions"]:
            roles.setdefault(t["action"], set()).update(set(t["roles"]) - {"system"})
        spec_roles = {a: set(r) for a, r in op["x-roles-by-action"].items()}
        if roles != spec_roles:
            raise Failed(f"x-roles-by-action {spec_roles} != workflow roles {roles}")
    c.run("workflow actions, states and roles match schemas/workflow.json", workflow_matches)

    def every_status_key_is_a_string():
        for m, p, op in spec.operations():
            for status in op.get("responses", {}):
                if not isinstance(status, str) or not (status == "default" or re.fullmatch(r"[1-5]\d\d", status)):
                    raise Failed(f"{m} {p}: response key {status!r} must be a quoted status code")
            if not op.get("operationId"):
                raise Failed(f"{m} {p} has no operationId")
    c.run("every operation has an operationId and quoted status keys", every_status_key_is_a_string)

    def every_schema_is_valid():
        for name, schema in spec.doc["components"]["schemas"].items():
            try:
                jsonschema.Draft202012Validator.check_schema(schema)
            except jsonschema.exceptions.SchemaError as e:
                raise Failed(f"components/schemas/{name}: {e.message}")
    c.run("every component schema is valid JSON Schema 2020-12", every_schema_is_valid)


# ------------------------------------------------------------------------------------------------ the scenario


def exercise(c):
    spec = c.spec
    P = fill
    A = "/api/v1/jobs/{id}/actions/{action}"

    # -- every spec operation exists on the server: no token, dummy ids; anything but 404-unmatched/405 will do
    for method, template, op in spec.operations():
        c.call(method, template, P(template, id="probe", action="assign"), label="probe: the route exists")

    # -- logins (all of them now: failed logins below block this address)
    tok = {}
    users = {}
    for name, password in [("admin", ADMIN_PASSWORD), ("dispatcher", DEMO_PASSWORD), ("tech.li", DEMO_PASSWORD),
                           ("tech.zhang", DEMO_PASSWORD), ("tech.chen", DEMO_PASSWORD),
                           ("customer.liu", DEMO_PASSWORD)]:
        body = {"username": name, "password": password}
        res = c.call("POST", "/api/v1/auth/login", expect=200, body=body, label=name, request_valid=True)
        if res is None:
            raise Failed(f"cannot log in as {name}; nothing else can be checked")
        tok[name] = res.json["token"]
        users[name] = res.json["user"]
    res = c.call("POST", "/api/v1/auth/login", expect=200, body={"username": "dispatcher", "password": DEMO_PASSWORD},
                 label="a token to log out")
    spare = res.json["token"] if res else "x"
    admin, disp, li, zhang, chen, liu = (tok[k] for k in
                                         ("admin", "dispatcher", "tech.li", "tech.zhang", "tech.chen", "customer.liu"))
    uid = {k: v["id"] for k, v in users.items()}
    liu_customer = users["customer.liu"]["customer_id"]

    # -- system
    c.call("GET", "/healthz", expect=200)
    c.call("GET", "/metrics", expect=200)
    c.call("GET", "/api/v1/workflow", expect=200, token=li)

    # -- auth
    for name in tok:
        c.call("GET", "/api/v1/auth/me", expect=200, token=tok[name], label=name)
    c.call("POST", "/api/v1/auth/logout", expect=204, token=spare)
    c.call("GET", "/api/v1/auth/me", expect=401, token=spare, label="revoked token")
    c.call("POST", "/api/v1/auth/logout", expect=401, token=spare, label="revoked token")
    c.call("POST", "/api/v1/auth/login", expect=422, body={"username": "dispatcher"}, label="no password",
           request_valid=False)
    c.call("POST", "/api/v1/auth/login", expect=422, body={"username": " ", "password": "x"}, label="blank username",
           request_valid=False)
    c.call("POST", "/api/v1/auth/login", expect=422, body={"username": "a", "password": "b", "otp": "1"},
           label="unknown field", request_valid=False)
    c.call("POST", "/api/v1/auth/login", expect=422, body={"username": 7, "password": "b"}, label="number username",
           request_valid=False)

    # -- generic errors: every protected operation without a token and with a bad one
    for method, template, op in spec.operations():
        if op.get("security") == []:
            continue
        path = P(template, id="no-such-id", action="assign")
        c.call(method, template, path, expect=401, label="no token")
        c.call(method, template, path, expect=401, token="not-a-token", label="unknown token")
    # -- generic body errors on every operation with a body (admin passes every route's role check)
    for method, template, op in spec.operations():
        # Raw uploads (application/octet-stream) are checked by their own exercise.
        if "application/json" not in op.get("requestBody", {}).get("content", {}):
            continue
        path = P(template, id="no-such-id", action="assign")
        token = None if op.get("security") == [] else admin
        c.call(method, template, path, expect=400, token=token, raw=b'{"name": ', content_type="application/json",
               label="malformed JSON")
        c.call(method, template, path, expect=400, token=token, raw=b'["an", "array"]',
               content_type="application/json", label="JSON array")
        c.call(method, template, path, expect=400, token=token, raw=b"", content_type="application/json",
               label="empty body")
        c.call(method, template, path, expect=415, token=token, raw=b"name=x", content_type="text/plain",
               label="text/plain")
        c.call(method, template, path, expect=415, token=token, body={"a": 1},
               content_type="application/x-www-form-urlencoded", label="form type")
        c.call(method, template, path, expect=413, token=token, content_type="application/json",
               declared_length=MAX_BODY + 1, label="Content-Length over the limit")
        # The server reads bodies in 8 KiB blocks: send exactly the block past the limit, so it has read all of it.
        big = b'{"notes": "' + b"x" * (MAX_BODY + 8192 - 13) + b'"}'
        c.call(method, template, path, expect=413, token=token, content_type="application/json", chunked=big,
               label="chunked body over the limit")

    # -- unlisted methods and an unknown path
    for template, item in spec.doc["paths"].items():
        listed = {m.upper() for m in METHODS if m in item}
        other = next(m for m in ("DELETE", "PUT", "PATCH", "POST", "GET") if m not in listed)
        path = P(template, id="x", action="assign")
        label = f"{other} {path} -> 405 (unlisted method)"
        try:
            res = c.send(other, path, body={} if other in ("PUT", "PATCH", "POST") else None)
            if res.status != 405:
                raise Failed(f"status {res.status}, wanted 405: {res.brief()}")
            c.check_against({"$ref": spec.doc["x-unlisted-method-response"]}, [], res)
        except (Failed, OSError, http.client.HTTPException) as e:
            c.fail(label, str(e))
        else:
            c.ok(label)
    for method, path in [("GET", "/api/v1/nothing-here"), ("POST", "/api/v1/jobs/x/actions"), ("GET", "/api/v1/jobs/")]:
        label = f"{method} {path} -> 404 (unknown path)"
        try:
            res = c.send(method, path, token=admin)
            if res.status != 404:
                raise Failed(f"status {res.status}, wanted 404: {res.brief()}")
            c.check_against({"$ref": spec.doc["x-unknown-path-response"]}, [], res)
        except (Failed, OSError, http.client.HTTPException) as e:
            c.fail(label, str(e))
        else:
            c.ok(label)

    # -- users
    U, UID = "/api/v1/users", "/api/v1/users/{id}"
    suffix = secrets.token_hex(3)
    new_tech = {"username": f"tech.wu-{suffix}", "password": "copper-kettle-harbour", "name": "吴磊", "role": "technician",
                "phone": "13611110009", "email": None, "region": "浦东新区", "skills": {"洗衣机": 3, "空调": 2},
                "home_location": {"lat": 31.2, "lng": 121.5}}
    res = c.call("POST", U, expect=201, token=admin, body=new_tech, label="technician", request_valid=True)
    wu = res.json["id"] if res else "missing"
    c.call("POST", U, expect=409, token=admin, body=new_tech, label="username taken", request_valid=True)
    c.call("POST", U, expect=403, token=disp, body=new_tech, label="dispatcher")
    c.call("POST", U, expect=422, token=admin, body={k: v for k, v in new_tech.items() if k != "role"},
           label="no role", request_valid=False)
    c.call("POST", U, expect=422, token=admin, body=dict(new_tech, username="bad name!"), label="bad username",
           request_valid=False)
    c.call("POST", U, expect=422, token=admin, body=dict(new_tech, username=f"c-{suffix}", role="customer"),
           label="customer without customer_id", request_valid=False)
    c.call("POST", U, expect=422, token=admin, body=dict(new_tech, username=f"d-{suffix}", customer_id=liu_customer),
           label="customer_id for a technician", request_valid=False)
    c.call("POST", U, expect=422, token=admin, body=dict(new_tech, username=f"e-{suffix}", skills={"空调": 6}),
           label="skill level 6", request_valid=False)
    c.call("POST", U, expect=422, token=admin, body=dict(new_tech, username=f"f-{suffix}", password="short"),
           label="short password")
    c.call("POST", U, expect=422, token=admin,
           body=dict(new_tech, username=f"g-{suffix}", home_location={"lat": 91, "lng": 0}), label="latitude 91",
           request_valid=False)

    c.call("GET", U, expect=200, token=disp, label="all")
    c.call("GET", U, expect=200, token=admin, params={"role": "technician", "limit": 2, "offset": 1}, label="page")
    c.call("GET", U, expect=200, token=admin, params={"q": "tech", "region": "浦东新区"}, label="filters")
    c.call("GET", U, expect=403, token=li, label="technician")
    c.call("GET", U, expect=422, token=admin, params={"limit": 0}, label="limit 0")
    c.call("GET", U, expect=422, token=admin, params={"limit": 201}, label="limit 201")
    c.call("GET", U, expect=422, token=admin, params={"offset": "x"}, label="offset x")
    c.call("GET", U, expect=422, token=admin, params={"sort": "name"}, label="unknown parameter")

    c.call("GET", UID, P(UID, id=uid["tech.li"]), expect=200, token=li, label="self")
    c.call("GET", UID, P(UID, id=uid["customer.liu"]), expect=200, token=liu, label="customer self")
    c.call("GET", UID, P(UID, id=uid["tech.li"]), expect=200, token=disp, label="dispatcher")
    c.call("GET", UID, P(UID, id=uid["tech.zhang"]), expect=403, token=li, label="another user")
    c.call("GET", UID, P(UID, id="no-such-user"), expect=404, token=admin)

    c.call("PATCH", UID, P(UID, id=wu), expect=200, token=admin,
           body={"region": "徐汇区", "skills": {"空调": 5}, "home_location": {"lat": 31.19, "lng": 121.44},
                 "phone": None}, label="region, skills, location", request_valid=True)
    c.call("PATCH", UID, P(UID, id=wu), expect=200, token=admin, body={"skills": None, "name": "吴磊磊"},
           label="clear skills", request_valid=True)
    c.call("PATCH", UID, P(UID, id=wu), expect=200, token=admin, body={"is_active": False}, label="deactivate",
           request_valid=True)
    c.call("PATCH", UID, P(UID, id=wu), expect=200, token=admin,
           body={"is_active": True, "password": "another-long-password"}, label="reactivate, new password",
           request_valid=True)
    c.call("PATCH", UID, P(UID, id=wu), expect=200, token=admin, body={"time_zone": "Asia/Shanghai"}, label="time zone",
           request_valid=True)
    c.call("PATCH", UID, P(UID, id=wu), expect=200, token=admin, body={"time_zone": None}, label="clear time zone",
           request_valid=True)
    c.call("PATCH", UID, P(UID, id=wu), expect=422, token=admin, body={"time_zone": "Mars/Olympus_Mons"},
           label="unknown time zone", request_valid=True)
    c.call("PATCH", UID, P(UID, id=wu), expect=422, token=admin, body={"time_zone": "../../etc/passwd"},
           label="time zone as a path", request_valid=False)
    c.call("POST", U, expect=201, token=admin,
           body=dict(new_tech, username=f"h-{suffix}", time_zone="America/New_York"), label="with a time zone",
           request_valid=True)
    c.call("PATCH", UID, P(UID, id=wu), expect=403, token=disp, body={"region": "x"}, label="dispatcher")
    c.call("PATCH", UID, P(UID, id="no-such-user"), expect=404, token=admin, body={"region": "x"},
           request_valid=True)
    c.call("PATCH", UID, P(UID, id=wu), expect=422, token=admin, body={"role": "admin"}, label="role is not editable",
           request_valid=False)
    c.call("PATCH", UID, P(UID, id=wu), expect=422, token=admin, body={"email": "x" * 201}, label="email too long",
           request_valid=False)
    c.call("PATCH", UID, P(UID, id=uid["admin"]), expect=422, token=admin, body={"is_active": False},
           label="deactivate yourself", request_valid=True)

    R, RC = "/api/v1/users/{id}/role", "/api/v1/users/{id}/role-changes"
    c.call("PUT", R, P(R, id=wu), expect=200, token=admin, body={"role": "supervisor", "reason": "升任主管"},
           label="technician to supervisor", request_valid=True)
    c.call("PUT", R, P(R, id=wu), expect=409, token=admin, body={"role": "supervisor"}, label="same role",
           request_valid=True)
    c.call("PUT", R, P(R, id=uid["admin"]), expect=409, token=admin, body={"role": "dispatcher"}, label="last admin",
           request_valid=True)
    c.call("PUT", R, P(R, id=wu), expect=422, token=admin, body={"role": "customer"}, label="customer role",
           request_valid=False)
    c.call("PUT", R, P(R, id=uid["customer.liu"]), expect=422, token=admin, body={"role": "dispatcher"},
           label="a customer's account", request_valid=True)
    c.call("PUT", R, P(R, id=wu), expect=403, token=disp, body={"role": "admin"}, label="dispatcher")
    c.call("PUT", R, P(R, id="no-such-user"), expect=404, token=admin, body={"role": "dispatcher"}, request_valid=True)
    c.call("GET", RC, P(RC, id=wu), expect=200, token=admin, label="one change")
    c.call("GET", RC, P(RC, id=wu), expect=403, token=disp, label="dispatcher")
    c.call("GET", RC, P(RC, id="no-such-user"), expect=404, token=admin)

    # -- customers
    C, CID = "/api/v1/customers", "/api/v1/customers/{id}"
    new_customer = {"name": "钱进", "phone": "13300133005", "email": "qian@example.cn", "address": "上海市长宁区延安西路1号",
                    "location": {"lat": 31.22, "lng": 121.42}, "notes": "下午方便"}
    res = c.call("POST", C, expect=201, token=disp, body=new_customer, request_valid=True)
    qian = res.json["id"] if res else "missing"
    res = c.call("POST", C, expect=201, token=admin, body={"name": "郑好", "phone": "13300133006", "location": None},
                 label="minimal", request_valid=True)
    zheng = res.json["id"] if res else "missing"
    c.call("POST", C, expect=403, token=li, body=new_customer, label="technician")
    c.call("POST", C, expect=422, token=disp, body={"name": "x"}, label="no phone", request_valid=False)
    c.call("POST", C, expect=422, token=disp, body=dict(new_customer, name="名" * 201), label="name too long",
           request_valid=False)
    c.call("POST", C, expect=422, token=disp, body=dict(new_customer, location={"lat": 0, "lng": 181}),
           label="longitude 181", request_valid=False)
    c.call("POST", C, expect=422, token=disp, body=dict(new_customer, phone="  "), label="blank phone",
           request_valid=False)

    res = c.call("GET", C, expect=200, token=disp, params={"q": "刘"}, label="q")
    c.call("GET", C, expect=200, token=disp, params={"phone": "13800138001", "limit": 1}, label="phone")
    res = c.call("GET", C, expect=200, token=liu, label="customer sees only themselves")
    if res and res.json["total"] != 1:
        c.fail("GET /api/v1/customers as customer.liu", f"total {res.json['total']}, wanted 1")
    c.call("GET", C, expect=200, token=li, label="technician")
    c.call("GET", C, expect=422, token=disp, params={"email": "x"}, label="unknown parameter")
    c.call("GET", C, expect=422, token=disp, params={"offset": -1}, label="offset -1")

    c.call("GET", CID, P(CID, id=liu_customer), expect=200, token=liu, label="own record")
    c.call("GET", CID, P(CID, id=qian), expect=200, token=disp)
    c.call("GET", CID, P(CID, id=qian), expect=404, token=li, label="not a customer of the technician")
    c.call("GET", CID, P(CID, id=qian), expect=404, token=liu, label="another customer")
    c.call("GET", CID, P(CID, id="no-such-customer"), expect=404, token=disp)

    SC = "/api/v1/customers/{id}/sms-consent"
    c.call("PUT", SC, P(SC, id=qian), expect=200, token=disp, body={"sms_consent": True, "source": "phone",
                                                                     "note": "来电时同意"}, request_valid=True)
    c.call("PUT", SC, P(SC, id=qian), expect=422, token=disp, body={"sms_consent": True, "source": "portal"},
           label="portal is the customer's own", request_valid=False)
    c.call("PUT", SC, P(SC, id=qian), expect=422, token=disp, body={"sms_consent": True}, label="no source",
           request_valid=False)
    c.call("PUT", SC, P(SC, id=qian), expect=403, token=li, body={"sms_consent": True, "source": "phone"},
           label="technician")
    c.call("PUT", SC, P(SC, id="no-such-customer"), expect=404, token=disp,
           body={"sms_consent": False, "source": "written"}, request_valid=True)
    c.call("GET", SC, P(SC, id=qian), expect=200, token=disp, label="one change")
    c.call("GET", SC, P(SC, id=qian), expect=403, token=liu, label="customer")
    c.call("GET", SC, P(SC, id="no-such-customer"), expect=404, token=disp)

    c.call("PATCH", CID, P(CID, id=qian), expect=200, token=disp,
           body={"address": "上海市长宁区延安西路2号", "notes": None, "location": None}, request_valid=True)
    c.call("PATCH", CID, P(CID, id=liu_customer), expect=200, token=liu, body={"email": "liu.yang@example.cn"},
           label="customer edits own record", request_valid=True)
    c.call("PATCH", CID, P(CID, id=qian), expect=404, token=liu, body={"email": "a@b.cn"},
           label="customer edits another", request_valid=True)
    c.call("PATCH", CID, P(CID, id=qian), expect=403, token=li, body={"email": "a@b.cn"}, label="technician")
    c.call("PATCH", CID, P(CID, id="no-such-customer"), expect=404, token=disp, body={"notes": "x"})
    c.call("PATCH", CID, P(CID, id=qian), expect=422, token=disp, body={"name": None}, label="clear name",
           request_valid=False)
    c.call("PATCH", CID, P(CID, id=qian), expect=422, token=disp, body={"vip": True}, label="unknown field",
           request_valid=False)

    # -- assets
    S, SID = "/api/v1/assets", "/api/v1/assets/{id}"
    new_asset = {"customer_id": qian, "model": "小天鹅 TG100 洗衣机", "serial_no": f"XTE-TG100-{suffix}",
                 "purchase_date": "2025-01-10", "warranty_until": "2099-01-10"}
    res = c.call("POST", S, expect=201, token=disp, body=new_asset, request_valid=True)
    qian_asset = res.json["id"] if res else "missing"
    res = c.call("POST", S, expect=201, token=liu,
                 body={"customer_id": liu_customer, "model": "西门子 KG50 冰箱", "serial_no": f"SM-KG50-{suffix}"},
                 label="customer registers own product", request_valid=True)
    liu_fridge = res.json["id"] if res else "missing"
    c.call("POST", S, expect=409, token=disp, body=new_asset, label="serial taken", request_valid=True)
    c.call("POST", S, expect=422, token=li, body=dict(new_asset, serial_no=f"X-{suffix}"),
           label="customer the technician does not serve", request_valid=True)
    c.call("POST", S, expect=422, token=disp, body=dict(new_asset, serial_no=f"Y-{suffix}", customer_id="nobody"),
           label="no such customer", request_valid=True)
    c.call("POST", S, expect=422, token=disp, body=dict(new_asset, serial_no=f"Z-{suffix}", purchase_date="2025/01/10"),
           label="bad date", request_valid=False)
    c.call("POST", S, expect=422, token=disp,
           body=dict(new_asset, serial_no=f"W-{suffix}", warranty_until="2024-01-01"),
           label="warranty ends before purchase", request_valid=True)
    c.call("POST", S, expect=422, token=disp, body={"customer_id": qian, "model": "x"}, label="no serial_no",
           request_valid=False)

    c.call("GET", S, expect=200, token=disp, params={"customer_id": qian}, label="by customer")
    c.call("GET", S, expect=200, token=disp, params={"q": "洗衣机", "serial_no": new_asset["serial_no"]}, label="q")
    c.call("GET", S, expect=200, token=liu, label="customer")
    c.call("GET", S, expect=200, token=chen, label="technician")
    c.call("GET", S, expect=422, token=disp, params={"model": "x"}, label="unknown parameter")

    c.call("GET", SID, P(SID, id=qian_asset), expect=200, token=disp)
    c.call("GET", SID, P(SID, id=qian_asset), expect=404, token=liu, label="another customer's")
    c.call("GET", SID, P(SID, id="no-such-asset"), expect=404, token=disp)

    c.call("PATCH", SID, P(SID, id=qian_asset), expect=200, token=disp,
           body={"model": "小天鹅 TG100V 洗衣机", "purchase_date": None}, request_valid=True)
    c.call("PATCH", SID, P(SID, id=qian_asset), expect=409, token=admin, body={"serial_no": "HR-EG100-240001"},
           label="serial of another asset", request_valid=True)
    c.call("PATCH", SID, P(SID, id=qian_asset), expect=403, token=li, body={"model": "x"}, label="technician")
    c.call("PATCH", SID, P(SID, id="no-such-asset"), expect=404, token=disp, body={"model": "x"})
    c.call("PATCH", SID, P(SID, id=qian_asset), expect=422, token=disp, body={"model": None}, label="clear model",
           request_valid=False)
    c.call("PATCH", SID, P(SID, id=qian_asset), expect=422, token=disp, body={"warranty_until": "2020-02-30"},
           label="no such day")

    # -- find the demo data this scenario builds on
    res = c.call("GET", S, expect=200, token=liu, params={"limit": 200}, label="customer.liu's assets")
    liu_assets = {a["serial_no"]: a["id"] for a in res.json["items"]} if res else {}
    washer, tv = liu_assets.get("HR-EG100-240001", "missing"), liu_assets.get("HX-65E3F-230417", "missing")
    res = c.call("GET", "/api/v1/jobs", expect=200, token=disp, params={"state": "closed"}, label="closed")
    demo_closed = res.json["items"][0]["id"] if res and res.json["items"] else "missing"

    # -- jobs
    J, JID = "/api/v1/jobs", "/api/v1/jobs/{id}"
    report = {"customer_id": liu_customer, "asset_id": washer, "description": "洗衣机进水很慢,显示E1。",
              "priority": "high", "category": None}
    res = c.call("POST", J, expect=201, token=liu, body=report, label="customer reports", request_valid=True)
    job_a = res.json["id"] if res else "missing"
    res = c.call("POST", J, expect=201, token=disp,
                 body={"customer_id": liu_customer, "asset_id": tv, "description": "电视又出现无图像。",
                       "channel": "wechat", "priority": "urgent", "category": "电视"},
                 label="warranty repair", request_valid=True)
    job_b = res.json["id"] if res else "missing"
    if res and not (res.json["is_warranty_repair"] and res.json["linked_job_id"] == demo_closed):
        c.fail("POST /api/v1/jobs warranty repair", "is_warranty_repair/linked_job_id not set from the open warranty")
    res = c.call("POST", J, expect=201, token=disp,
                 body={"customer_id": liu_customer, "asset_id": liu_fridge, "description": "冰箱异响。"},
                 label="to be declined", request_valid=True)
    job_c = res.json["id"] if res else "missing"
    res = c.call("POST", J, expect=201, token=liu,
                 body={"customer_id": liu_customer, "asset_id": liu_fridge, "description": "冰箱门关不严。", "channel": "app"},
                 label="to be cancelled by the customer", request_valid=True)
    job_d = res.json["id"] if res else "missing"
    res = c.call("POST", J, expect=201, token=admin,
                 body={"customer_id": qian, "asset_id": qian_asset, "description": "洗衣机不排水。", "priority": "low"},
                 label="to be cancelled on hold", request_valid=True)
    job_e = res.json["id"] if res else "missing"
    c.call("POST", J, expect=403, token=liu, body=dict(report, customer_id=qian, asset_id=qian_asset),
           label="customer reports for another", request_valid=True)
    c.call("POST", J, expect=422, token=disp, body=dict(report, asset_id=qian_asset),
           label="asset of another customer", request_valid=True)
    c.call("POST", J, expect=422, token=li, body=dict(report, customer_id=qian, asset_id=qian_asset),
           label="technician for a customer they do not serve", request_valid=True)
    c.call("POST", J, expect=422, token=disp, body={k: v for k, v in report.items() if k != "description"},
           label="no description", request_valid=False)
    c.call("POST", J, expect=422, token=disp, body=dict(report, priority="asap"), label="unknown priority",
           request_valid=False)
    c.call("POST", J, expect=422, token=disp, body=dict(report, description="障" * 5001), label="description too long",
           request_valid=False)

    c.call("GET", J, expect=200, token=disp, label="all")
    c.call("GET", J, expect=200, token=disp, params={"state": "reported,assessing", "assignee_id": "none"},
           label="states, unassigned")
    c.call("GET", J, expect=200, token=disp,
           params={"priority": "urgent", "customer_id": liu_customer, "asset_id": tv, "category": "电视",
                   "q": "FR-", "limit": 5, "offset": 0}, label="filters")
    c.call("GET", J, expect=200, token=zhang, params={"assignee_id": uid["tech.zhang"]}, label="technician")
    c.call("GET", J, expect=200, token=liu, label="customer")
    c.call("GET", J, expect=422, token=disp, params={"state": "broken"}, label="unknown state")
    c.call("GET", J, expect=422, token=disp, params={"priority": "asap"}, label="unknown priority")
    c.call("GET", J, expect=422, token=disp, params={"sort": "created_at"}, label="unknown parameter")

    c.call("GET", JID, P(JID, id=job_a), expect=200, token=liu)
    c.call("GET", JID, P(JID, id=demo_closed), expect=200, token=disp, label="closed demo job")
    c.call("GET", JID, P(JID, id=job_a), expect=404, token=zhang, label="not the technician's")
    c.call("GET", JID, P(JID, id="no-such-job"), expect=404, token=disp)

    # -- job A: on site, the long way round
    c.act(liu, job_a, "assign", {"technician_id": uid["tech.li"]}, expect=403, label="customer may not assign",
          request_valid=True)
    c.act(disp, job_a, "assign", {"technician_id": uid["dispatcher"]}, expect=422, label="not a technician",
          request_valid=True)
    c.act(disp, job_a, "assign", {"technician_id": uid["tech.li"], "extra": 1}, expect=422, label="unknown field",
          request_valid=False)
    c.act(disp, job_a, "assign", {}, expect=422, label="no technician_id", request_valid=False)
    c.act(disp, job_a, "assign", {"technician_id": uid["tech.li"], "note": "请今天联系客户"})
    c.call("GET", JID, P(JID, id=job_a), expect=200, token=li, label="now the technician's")
    c.call("POST", J, expect=201, token=li,
           body={"customer_id": liu_customer, "asset_id": liu_fridge, "description": "冰箱灯不亮。", "channel": "on_site"},
           label="technician reports for a customer they serve", request_valid=True)
    c.act(li, job_a, "hold", {"reason": "等待客户回电", "until": "2026-12-01 09:00+0800"}, label="hold (lenient date-time)")
    c.act(li, job_a, "hold", {"reason": "again"}, expect=409, label="hold while on hold", request_valid=True)
    c.act(li, job_a, "resume", {"note": None})
    plan = {"mode": "on_site", "cost_to_customer": 200, "currency": "CNY",
            "items": [{"kind": "part", "description": "进水阀", "part_no": "HR-IV-100", "quantity": 1, "unit_price": 80},
                      {"kind": "labour", "description": "上门维修工时", "quantity": 1.5, "unit_price": 80}]}
    assessment = {"findings": "进水阀堵塞。", "warranty_covered": False, "customer_caused": False, "plan": plan,
                  "fault_category": "洗衣机"}
    c.act(li, job_a, "submit_assessment", dict(assessment, plan=dict(plan, cost_to_customer=999)), expect=422,
          label="cost over total", request_valid=True)
    c.act(li, job_a, "submit_assessment", dict(assessment, plan=dict(plan, items=[])), expect=422,
          label="no plan items", request_valid=False)
    c.act(li, job_a, "submit_assessment", dict(assessment, plan=dict(plan, mode="remote")), expect=422,
          label="unknown mode", request_valid=False)
    c.act(li, job_a, "submit_assessment", {k: v for k, v in assessment.items() if k != "plan"}, expect=422,
          label="no plan", request_valid=False)
    c.act(li, job_a, "submit_assessment", dict(assessment, warranty_covered=True, customer_caused=True), expect=422,
          label="covered and customer-caused", request_valid=True)
    c.act(li, job_a, "submit_assessment", assessment, label="submit_assessment v1")
    c.act(li, job_a, "revise_plan", {"reason": "客户要求更换原厂配件"})
    res = c.act(li, job_a, "submit_assessment", dict(assessment, plan=dict(plan, cost_to_customer=180)),
                label="submit_assessment v2")
    if res and (res.json["plan_version"] != 2 or [p["status"] for p in res.json["plans"]] != ["superseded",
                                                                                              "proposed"]):
        c.fail("submit_assessment v2", "plans are not [superseded, proposed] with plan_version 2")
    c.act(liu, job_a, "approve_plan", {"plan_version": 1}, expect=409, label="stale plan version", request_valid=True)
    c.act(liu, job_a, "approve_plan", {"plan_version": 0}, expect=422, label="plan version 0", request_valid=False)
    c.act(liu, job_a, "approve_plan", {"plan_version": 2, "comment": "同意"})
    c.act(disp, job_a, "schedule", {"carrier": "顺丰速运", "tracking_no": "SF1"}, expect=422,
          label="depot fields for an on-site job", request_valid=True)
    visit = {"technician_id": uid["tech.li"], "window_start": "2026-11-25T09:00:00+08:00",
             "window_end": "2026-11-25T11:00:00+08:00", "note": "带进水阀"}
    c.act(disp, job_a, "schedule", dict(visit, window_end="2026-11-25T08:00:00+08:00"), expect=422,
          label="window ends before it starts", request_valid=True)
    c.act(disp, job_a, "schedule", dict(visit, window_start="tomorrow"), expect=422, label="bad date-time",
          request_valid=False)
    c.act(disp, job_a, "schedule", visit)
    res = c.act(disp, job_a, "reschedule",
                {"technician_id": uid["tech.li"], "window_start": "2026-11-26T14:00:00Z",
                 "window_end": "2026-11-26T16:00:00Z", "reason": "客户改期"})
    if res and len((res.json.get("schedule") or {}).get("history", [])) != 1:
        c.fail("reschedule", "schedule.history does not hold the replaced booking")
    c.act(li, job_a, "start_repair", {"note": "已到达"})
    work = {"work_summary": "更换进水阀,试机正常。", "time_spent_minutes": 45,
            "parts_used": [{"description": "进水阀", "quantity": 1, "part_no": "HR-IV-100", "unit_price": 80}]}
    c.act(li, job_a, "complete_repair", dict(work, time_spent_minutes=-1), expect=422, label="negative minutes",
          request_valid=False)
    c.act(li, job_a, "complete_repair", dict(work, parts_used=[{"description": "进水阀", "quantity": 0}]), expect=422,
          label="quantity 0", request_valid=False)
    c.act(li, job_a, "complete_repair", work)
    c.act(liu, job_a, "reject_acceptance", {"reason": "仍有漏水"})
    c.act(li, job_a, "complete_repair", dict(work, work_summary="重新紧固进水管,试机无漏水。", parts_used=[]),
          label="complete_repair after rework")
    res = c.call("GET", "/api/v1/jobs/{id}/summary", P("/api/v1/jobs/{id}/summary", id=job_a), expect=200, token=liu)
    sha = res.json["sha256"] if res else "0" * 64
    if res and hashlib.sha256(res.json["text"].encode("utf-8")).hexdigest() != sha:
        c.fail("GET summary", "sha256 is not the SHA-256 of text")
    sign = {"signer_name": "刘洋", "signature_png": PNG_1x1, "signature_strokes": [[[1, 2], [3, 4]]], "rating": 4,
            "summary_sha256": sha, "comment": "满意"}
    c.act(liu, job_a, "record_acceptance", dict(sign, summary_sha256="0" * 64), expect=409, label="stale summary",
          request_valid=True)
    c.act(liu, job_a, "record_acceptance", dict(sign, signature_png=base64.b64encode(b"GIF89a....").decode()),
          expect=422, label="not a PNG", request_valid=True)
    c.act(liu, job_a, "record_acceptance", dict(sign, signature_strokes=[]), expect=422, label="no strokes",
          request_valid=False)
    c.act(liu, job_a, "record_acceptance", dict(sign, rating=6), expect=422, label="rating 6", request_valid=False)
    res = c.act(liu, job_a, "record_acceptance", sign)
    if res and not (res.json["acceptance"] and res.json["warranty"]):
        c.fail("record_acceptance", "no acceptance or warranty in the job")
    c.act(liu, job_a, "close", {}, expect=403, label="customer may not close", request_valid=True)
    c.act(disp, job_a, "close", {}, expect=409, label="follow-up still due", request_valid=True)
    followup = c.send("GET", f"/api/v1/followups?job_id={job_a}", token=disp).json["items"][0]["id"]
    c.send("POST", f"/api/v1/followups/{followup}/waive", token=disp, body={"reason": "客户电话中已表示满意"})
    c.act(disp, job_a, "close", {"follow_up_note": "回访:客户满意。"})
    c.act(disp, job_a, "reassign", {"technician_id": uid["tech.zhang"]}, expect=409, label="reassign a closed job",
          request_valid=True)
    c.act(disp, job_a, "frobnicate", {}, expect=404, label="unknown action")
    c.act(disp, "no-such-job", "assign", {"technician_id": uid["tech.li"]}, expect=404, label="no such job",
          request_valid=True)
    c.act(zhang, job_a, "hold", {"reason": "x"}, expect=404, label="not the technician's job", request_valid=True)

    # -- job B: depot, warranty repair approved by the system
    c.act(disp, job_b, "assign", {"technician_id": uid["tech.chen"]})
    c.act(disp, job_b, "reassign", {"technician_id": uid["tech.li"], "reason": "陈静休假"})
    res = c.act(li, job_b, "submit_assessment",
                {"findings": "上次更换的灯条虚焊。", "warranty_covered": True, "customer_caused": False,
                 "plan": {"mode": "depot", "cost_to_customer": 0,
                          "items": [{"kind": "labour", "description": "返厂返修", "quantity": 1, "unit_price": 160}]}},
                label="submit_assessment under warranty (approved automatically)")
    if res and (res.json["state"] != "approved" or (res.json["plan"] or {}).get("decided_by") != "system"):
        c.fail("submit_assessment under warranty", "not approved automatically by the system")
    c.act(disp, job_b, "schedule", {"technician_id": uid["tech.li"], "window_start": "2026-11-25T09:00:00Z",
                                    "window_end": "2026-11-25T10:00:00Z"}, expect=422,
          label="on-site fields for a depot job", request_valid=True)
    c.act(disp, job_b, "schedule", {"carrier": "顺丰速运", "tracking_no": "SF1111", "note": None}, label="schedule depot")
    c.act(disp, job_b, "reschedule", {"carrier": "京东物流", "tracking_no": "JD2222", "reason": "改用京东"},
          label="reschedule depot")
    c.act(li, job_b, "start_repair", {}, expect=422, label="depot needs receipt_inspection", request_valid=True)
    c.act(li, job_b, "start_repair", {"receipt_inspection": "外观完好。"}, label="start_repair depot")
    c.act(li, job_b, "hold", {"reason": "等待配件"}, label="hold in repair")
    c.act(disp, job_b, "withdraw", {"reason": "x"}, expect=409, label="withdraw a job held in repair",
          request_valid=True)
    c.act(li, job_b, "resume", {}, label="resume to in_repair")
    c.act(li, job_b, "complete_repair",
          {"work_summary": "补焊灯条。", "time_spent_minutes": 60, "parts_used": [],
           "return_carrier": "京东物流", "return_tracking_no": "JD3333"}, label="complete_repair depot")
    res = c.call("GET", "/api/v1/jobs/{id}/events", P("/api/v1/jobs/{id}/events", id=job_b), expect=200, token=disp)
    if res and "system" not in [e["actor_role"] for e in res.json["items"]]:
        c.fail("GET events of job B", "no event by the system actor")

    # -- job C: declined; job D: cancelled by the customer; job E: cancelled while on hold
    c.act(disp, job_c, "assign", {"technician_id": uid["tech.li"]})
    c.act(li, job_c, "submit_assessment",
          {"findings": "压缩机老化。", "warranty_covered": False, "customer_caused": False,
           "plan": {"mode": "on_site", "cost_to_customer": 800,
                    "items": [{"kind": "part", "description": "压缩机", "quantity": 1, "unit_price": 800}]}})
    c.act(liu, job_c, "decline_plan", {"plan_version": 1, "reason": "费用太高"})
    c.act(liu, job_d, "cancel", {"reason": "已自行修好"}, label="customer cancels a reported job")
    c.act(disp, job_e, "assign", {"technician_id": uid["tech.zhang"]})
    c.act(disp, job_e, "hold", {"reason": "客户出差"})
    c.act(disp, job_e, "cancel", {"reason": "客户取消"}, label="cancel a job held in assessing")
    c.act(disp, job_e, "resume", {}, expect=409, label="resume a cancelled job", request_valid=True)

    # -- summary, events, audit
    SUM, EV, VER = "/api/v1/jobs/{id}/summary", "/api/v1/jobs/{id}/events", "/api/v1/jobs/{id}/events/verify"
    c.call("GET", SUM, P(SUM, id=job_b), expect=200, token=li)
    c.call("GET", SUM, P(SUM, id=job_b), expect=404, token=zhang, label="not the technician's")
    c.call("GET", SUM, P(SUM, id="no-such-job"), expect=404, token=disp)
    c.call("GET", EV, P(EV, id=job_a), expect=200, token=liu)
    c.call("GET", EV, P(EV, id=job_a), expect=404, token=chen, label="not the technician's")
    c.call("GET", EV, P(EV, id="no-such-job"), expect=404, token=disp)
    res = c.call("GET", VER, P(VER, id=job_a), expect=200, token=disp)
    if res and not res.json["ok"]:
        c.fail("verify job A", f"the chain is broken: {res.json}")
    c.call("GET", VER, P(VER, id=job_a), expect=403, token=li, label="technician")
    c.call("GET", VER, P(VER, id="no-such-job"), expect=404, token=admin)
    res = c.call("GET", "/api/v1/audit/verify", expect=200, token=admin)
    if res and not res.json["ok"]:
        c.fail("audit verify", f"broken chains: {res.json['broken']}")
    c.call("GET", "/api/v1/audit/verify", expect=403, token=disp, label="dispatcher")
    res = c.call("GET", "/api/v1/audit/public-key", expect=200)
    if res and "BEGIN PUBLIC KEY" not in res.json["public_key_pem"]:
        c.fail("GET /api/v1/audit/public-key", "no PEM public key")

    # -- warranties
    W, WID = "/api/v1/warranties", "/api/v1/warranties/{id}"
    res = c.call("GET", W, expect=200, token=disp, label="all")
    c.call("GET", W, expect=200, token=liu, params={"asset_id": washer, "active_on": time.strftime("%Y-%m-%d")},
           label="customer, active today")
    c.call("GET", W, expect=200, token=li, params={"customer_id": liu_customer, "job_id": job_a}, label="technician")
    c.call("GET", W, expect=422, token=disp, params={"active_on": "soon"}, label="bad date")
    c.call("GET", W, expect=422, token=disp, params={"ends_on": "2026-01-01"}, label="unknown parameter")
    warranty = res.json["items"][0]["id"] if res and res.json["items"] else "missing"
    c.call("GET", WID, P(WID, id=warranty), expect=200, token=liu)
    c.call("GET", WID, P(WID, id=warranty), expect=404, token=zhang, label="not the technician's customer")
    c.call("GET", WID, P(WID, id="no-such-warranty"), expect=404, token=disp)

    # -- every job as each role sees it (shapes of all states, available_actions per role)
    res = c.call("GET", J, expect=200, token=admin, params={"limit": 200}, label="every job")
    for job in (res.json["items"] if res else []):
        for who in (admin, liu):
            c.call("GET", JID, P(JID, id=job["id"]), expect=(200, 404), token=who, label=job["state"])

    exercise_dispatch(c, admin, disp, li, liu, uid, liu_customer)
    exercise_portal(c, disp, li, liu)
    exercise_notifications(c, admin, disp, li, liu_customer, washer)
    exercise_sync(c, admin, disp, li, liu, uid["tech.li"], liu_customer, washer)
    exercise_care(c, admin, li, liu, uid["tech.li"], liu_customer, washer)
    exercise_after_sales(c, admin, disp, li, liu, job_d, liu_fridge)

    # -- failed logins last: they block logins from this address
    throwaway = f"nobody-{secrets.token_hex(4)}"
    c.call("POST", "/api/v1/auth/login", expect=401, body={"username": "dispatcher", "password": "wrong-password"},
           label="wrong password", request_valid=True)
    got_429 = False
    for attempt in range(6):
        res = c.call("POST", "/api/v1/auth/login", expect=(401, 429),
                     body={"username": throwaway, "password": "wrong-password"}, label=f"throwaway user #{attempt + 1}")
        if res and res.status == 429:
            got_429 = True
            break
    if not got_429:
        c.fail("POST /api/v1/auth/login", "no 429 after repeated failures")


def exercise_dispatch(c, admin, disp, tech, customer, uid, customer_id):
    """Dispatch (routes_dispatch.cpp): technicians as resources, suggestions, auto-assign, SLA, reports."""
    P = fill
    T, TS, TC, TD = ("/api/v1/technicians", "/api/v1/technicians/{id}/schedule-settings",
                     "/api/v1/technicians/{id}/checkin", "/api/v1/technicians/{id}/day")
    li = uid["tech.li"]
    day = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 2 * 86400))
    c.call("GET", T, expect=200, token=disp, params={"date": day}, label="with load")
    c.call("GET", T, expect=200, token=admin, params={"region": "浦东新区"}, label="region")
    c.call("GET", T, expect=403, token=tech, label="technician")
    c.call("GET", T, expect=422, token=disp, params={"date": "someday"}, label="bad date")
    c.call("GET", TS, P(TS, id=li), expect=200, token=tech, label="own")
    c.call("GET", TS, P(TS, id=li), expect=403, token=customer, label="customer")
    c.call("GET", TS, P(TS, id="no-such-user"), expect=404, token=disp)
    settings = {"weekly_hours": [["09:00-12:00", "13:00-18:00"]] * 5 + [[], []], "days_off": ["2031-03-05"],
                "capacity_per_day": 5, "certified_models": ["海尔 EG100 洗衣机"]}
    c.call("PATCH", TS, P(TS, id=li), expect=200, token=disp, body=settings, request_valid=True)
    c.call("PATCH", TS, P(TS, id=li), expect=403, token=tech, body={"capacity_per_day": 9}, label="technician")
    c.call("PATCH", TS, P(TS, id="no-such-user"), expect=404, token=disp, body={"capacity_per_day": 4},
           request_valid=True)
    c.call("PATCH", TS, P(TS, id=li), expect=422, token=disp, body={"capacity_per_day": 51}, label="capacity 51",
           request_valid=False)
    c.call("PATCH", TS, P(TS, id=li), expect=422, token=disp, body={"weekly_hours": [["9-18"]]}, label="bad hours",
           request_valid=False)
    c.call("POST", TC, P(TC, id=li), expect=201, token=tech, body={"lat": 31.2041, "lng": 121.5951},
           request_valid=True)
    c.call("POST", TC, P(TC, id=li), expect=403, token=customer, body={"lat": 31.2, "lng": 121.5}, label="customer")
    c.call("POST", TC, P(TC, id=uid["tech.zhang"]), expect=404, token=tech, body={"lat": 31.2, "lng": 121.5},
           label="another technician", request_valid=True)
    c.call("POST", TC, P(TC, id=li), expect=422, token=tech, body={"lat": 91, "lng": 121.5}, label="latitude 91",
           request_valid=False)
    c.call("GET", TD, P(TD, id=li), expect=200, token=tech, params={"date": day}, label="own day")
    c.call("GET", TD, P(TD, id=li), expect=200, token=disp, label="today")
    c.call("GET", TD, P(TD, id=li), expect=403, token=customer, label="customer")
    c.call("GET", TD, P(TD, id=uid["tech.zhang"]), expect=404, token=tech, label="another technician")
    c.call("GET", TD, P(TD, id=li), expect=422, token=disp, params={"date": "2031-02-30"}, label="bad date")

    # -- suggestions and auto-assign over the demo's reported jobs, plus one whose customer has no location
    SG, PV, AP = "/api/v1/jobs/{id}/suggestions", "/api/v1/dispatch/auto-assign/preview", "/api/v1/dispatch/auto-assign/{id}/apply"
    res = c.call("GET", "/api/v1/jobs", expect=200, token=disp, params={"state": "reported", "assignee_id": "none"},
                 label="reported, unassigned")
    reported = [j["id"] for j in res.json["items"]] if res else []
    nowhere = c.call("POST", "/api/v1/customers", expect=201, token=disp, body={"name": "无址", "phone": "13300133099"})
    nowhere_id = nowhere.json["id"] if nowhere else "missing"
    asset = c.call("POST", "/api/v1/assets", expect=201, token=disp,
                   body={"customer_id": nowhere_id, "model": "海尔 EG100 洗衣机", "serial_no": "SN-NOWHERE-1"})
    lost = c.call("POST", "/api/v1/jobs", expect=201, token=disp,
                  body={"customer_id": nowhere_id, "asset_id": asset.json["id"] if asset else "x",
                        "description": "不转", "category": "洗衣机"})
    lost_id = lost.json["id"] if lost else "missing"
    if reported:
        c.call("GET", SG, P(SG, id=reported[0]), expect=200, token=disp)
        c.call("GET", SG, P(SG, id=reported[0]), expect=200, token=admin, params={"at": day + "T08:00:00+08:00"},
               label="at a time")
    c.call("GET", SG, P(SG, id=lost_id), expect=200, token=disp, label="customer without location")
    c.call("GET", SG, P(SG, id="no-such-job"), expect=404, token=disp)
    c.call("GET", SG, P(SG, id=lost_id), expect=403, token=tech, label="technician")
    c.call("GET", SG, P(SG, id=lost_id), expect=422, token=disp, params={"at": "noon"}, label="bad at")
    res = c.call("POST", PV, expect=201, token=disp, body={"date": day}, request_valid=True)
    proposal = res.json["id"] if res else "missing"
    if res and not any(u["job_id"] == lost_id and u["code"] == "no_location" for u in res.json["unassigned"]):
        c.fail("POST " + PV, "the job without a location is not listed as unassigned (no_location)")
    c.call("POST", PV, expect=201, token=admin, body={"date": day, "job_ids": [lost_id]}, label="listed jobs",
           request_valid=True)
    c.call("POST", PV, expect=403, token=tech, body={"date": day}, label="technician")
    c.call("POST", PV, expect=422, token=disp, body={"date": "2020-01-01"}, label="past date", request_valid=True)
    c.call("POST", PV, expect=422, token=disp, body={"day": day}, label="no date", request_valid=False)
    c.call("POST", AP, P(AP, id=proposal), expect=422, token=disp, body={"job_ids": ["not-in-it"]},
           label="job not in the proposal", request_valid=True)
    c.call("POST", AP, P(AP, id="no-such-proposal"), expect=404, token=disp, body={}, request_valid=True)
    c.call("POST", AP, P(AP, id=proposal), expect=403, token=tech, body={}, label="technician")
    c.call("POST", AP, P(AP, id=proposal), expect=200, token=disp, body={}, request_valid=True)
    c.call("POST", AP, P(AP, id=proposal), expect=200, token=disp, body={}, label="again: every job refused",
           request_valid=True)

    # -- SLA
    SP, SC = "/api/v1/sla/policies", "/api/v1/sla/calendar"
    res = c.call("GET", SP, expect=200, token=disp)
    c.call("GET", SP, expect=403, token=tech, label="technician")
    policies = ({"at_risk_fraction": res.json["at_risk_fraction"],
                 "policies": [{k: p[k] for k in ("priority", "response_minutes", "resolution_minutes", "business_hours")}
                              for p in res.json["policies"]],
                 "contracts": [{"customer_id": customer_id, "priority": "urgent", "response_minutes": 30,
                                "resolution_minutes": 240, "business_hours": False}]} if res else {"policies": []})
    if res:
        policies["policies"][2]["escalate_to"] = uid["dispatcher"]
    c.call("PUT", SP, expect=200, token=admin, body=policies, request_valid=True)
    c.call("PUT", SP, expect=403, token=disp, body=policies, label="dispatcher")
    c.call("PUT", SP, expect=422, token=admin, body=dict(policies, policies=policies["policies"][:3]),
           label="three priorities", request_valid=False)
    c.call("PUT", SP, expect=422, token=admin, body=dict(policies, at_risk_fraction=2), label="fraction 2",
           request_valid=False)
    c.call("PUT", SP, expect=200, token=admin, body=dict(policies, escalate_to=uid["dispatcher"]),
           label="default escalation dispatcher", request_valid=True)
    c.call("PUT", SP, expect=422, token=admin, body=dict(policies, escalate_to=uid["tech.li"]),
           label="a technician as escalation dispatcher", request_valid=True)
    c.call("PUT", SP, expect=200, token=admin, body=dict(policies, escalate_to=None), label="no default escalation",
           request_valid=True)
    res = c.call("GET", SC, expect=200, token=admin)
    c.call("GET", SC, expect=403, token=customer, label="customer")
    calendar = {"utc_offset_minutes": 480, "weekly_hours": [["09:00-12:00", "13:00-18:00"]] * 5 + [["09:00-12:00"], []],
                "holidays": ["2026-10-01", "2026-10-02"]}
    c.call("PUT", SC, expect=200, token=admin, body=calendar, request_valid=True)
    c.call("PUT", SC, expect=403, token=disp, body=calendar, label="dispatcher")
    c.call("PUT", SC, expect=422, token=admin, body=dict(calendar, holidays=["2026-02-30"]), label="no such day",
           request_valid=True)
    c.call("PUT", SC, expect=422, token=admin, body=dict(calendar, weekly_hours=[[]] * 7), label="no working time",
           request_valid=True)
    c.call("GET", "/api/v1/sla/at-risk", expect=200, token=disp, params={"limit": 10})
    c.call("GET", "/api/v1/sla/at-risk", expect=403, token=tech, label="technician")
    c.call("GET", "/api/v1/sla/at-risk", expect=422, token=disp, params={"priority": "high"}, label="unknown parameter")
    c.call("POST", "/api/v1/sla/check", expect=200, token=admin)
    c.call("POST", "/api/v1/sla/check", expect=403, token=disp, label="dispatcher")

    # -- reports, JSON and CSV
    R = "/api/v1/reports/{name}"
    for name in ("sla-compliance", "mttr", "first-time-fix", "rework", "repeat-repairs", "satisfaction", "jobs"):
        c.call("GET", R, P(R, name=name), expect=200, token=disp, params={"group_by": "technician"}, label=name)
    c.call("GET", R, P(R, name="jobs"), expect=200, token=admin,
           params={"from": "2020-01-01", "to": "2040-12-31", "group_by": "model", "format": "csv"}, label="csv")
    c.call("GET", R, P(R, name="mttr"), expect=200, token=admin, params={"group_by": "month", "technician_id": li},
           label="by month, one technician")
    c.call("GET", R, P(R, name="happiness"), expect=404, token=disp, label="unknown report")
    c.call("GET", R, P(R, name="jobs"), expect=403, token=tech, label="technician")
    c.call("GET", R, P(R, name="jobs"), expect=422, token=disp, params={"group_by": "colour"}, label="bad group_by")


def exercise_after_sales(c, admin, disp, tech, customer, job_id, asset_id):
    """Purchase facts, after-sales cases, the policies and the deadline sweep (routes_after_sales.cpp)."""
    P = fill
    PU, OPEN = "/api/v1/assets/{id}/purchase", "/api/v1/jobs/{id}/after-sales"
    CL, CID, CA = "/api/v1/after-sales/cases", "/api/v1/after-sales/cases/{id}", "/api/v1/after-sales/cases/{id}/actions/{action}"
    bought = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 2 * 86400))
    purchase = {"purchase_date": bought, "purchase_channel": "京东自营", "purchase_price": 1999, "proof_base64": PNG_1x1}
    c.call("PUT", PU, P(PU, id=asset_id), expect=200, token=customer, body=purchase, request_valid=True)
    c.call("PUT", PU, P(PU, id=asset_id), expect=422, token=disp, body=dict(purchase, purchase_date="soon"),
           label="bad date", request_valid=False)
    c.call("PUT", PU, P(PU, id=asset_id), expect=403, token=tech, body=purchase, label="technician")
    c.call("PUT", PU, P(PU, id="no-such-asset"), expect=404, token=disp, body=purchase)
    c.call("GET", PU, P(PU, id=asset_id), expect=200, token=customer)
    c.call("GET", PU, P(PU, id=asset_id), expect=403, token=tech, label="technician")
    c.call("GET", PU, P(PU, id="no-such-asset"), expect=404, token=disp)

    ask = {"kind": "return_refund", "reason": "到货即故障", "amount": 1999}
    c.call("POST", OPEN, P(OPEN, id=job_id), expect=422, token=customer, body=dict(ask, amount=5000),
           label="more than paid", request_valid=True)
    res = c.call("POST", OPEN, P(OPEN, id=job_id), expect=201, token=customer, body=ask, request_valid=True)
    case_id = res.json["id"] if res else "missing"
    c.call("POST", OPEN, P(OPEN, id=job_id), expect=409, token=customer, body=ask, label="one open case",
           request_valid=True)
    c.call("POST", OPEN, P(OPEN, id=job_id), expect=403, token=tech, body=ask, label="technician")
    c.call("POST", OPEN, P(OPEN, id="no-such-job"), expect=404, token=disp, body=ask)
    c.call("GET", CL, expect=200, token=customer)
    c.call("GET", CL, expect=200, token=disp, params={"state": "requested"}, label="the request queue")
    c.call("GET", CL, expect=403, token=tech, label="technician")
    c.call("GET", CL, expect=422, token=disp, params={"colour": "red"}, label="unknown parameter")
    c.call("GET", CID, P(CID, id=case_id), expect=200, token=customer)
    c.call("GET", CID, P(CID, id=case_id), expect=403, token=tech, label="technician")
    c.call("GET", CID, P(CID, id="no-such-case"), expect=404, token=disp)

    def act(token, action, body, expect=200, label=None, valid=True):
        c.call("POST", CA, P(CA, id=case_id, action=action), expect=expect, token=token, body=body,
               label=label or action, request_valid=valid)
    act(customer, "approve", {}, expect=403, label="customer approves")
    act(disp, "refund", {"amount": 1999, "method": "original_route"}, expect=409, label="refund before approval")
    act(disp, "approve", {"note": "同意退货"})
    # The spec describes every action's fields in one schema, so it cannot tell this body is short.
    act(customer, "ship_back", {"carrier": "顺丰速运"}, expect=422, label="no tracking_no", valid=None)
    act(customer, "ship_back", {"carrier": "顺丰速运", "tracking_no": "SF-RET-1"})
    act(disp, "receive_goods", {"inspection": "包装完好"})
    act(disp, "refund", {"amount": 1999, "method": "original_route", "reference": "WX-1"})
    act(disp, "refund", {"amount": 1, "method": "cash"}, expect=409, label="second refund")
    act(customer, "close", {})
    c.call("POST", CA, P(CA, id="no-such-case", action="approve"), expect=404, token=disp, body={})
    c.call("POST", CA, P(CA, id=case_id, action="approve"), expect=403, token=tech, body={}, label="technician")

    for path, good, bad in (("/api/v1/policies/time-limits",
                             {"case_response_hours": 48, "plan_reminder_hours": 24, "plan_decision_hours": 168,
                              "plan_on_expiry": "keep_waiting", "hold_reminder_hours": 72},
                             {"plan_on_expiry": "shrug"}),
                            ("/api/v1/policies/after-sales",
                             {"return_days": 7, "exchange_days": 15, "inspection_fee": 50,
                              "product_warranty_days": 365, "currency": "CNY"},
                             {"return_days": -1})):
        c.call("GET", path, expect=200, token=disp)
        c.call("GET", path, expect=403, token=tech, label="technician")
        c.call("PUT", path, expect=200, token=admin, body=good, request_valid=True)
        c.call("PUT", path, expect=403, token=disp, body=good, label="dispatcher")
        c.call("PUT", path, expect=422, token=admin, body=dict(good, **bad), label="bad value", request_valid=False)
    R = "/api/v1/reports/{name}"
    c.call("GET", R, P(R, name="after-sales"), expect=200, token=disp, label="after-sales")
    c.call("GET", R, P(R, name="jobs"), expect=200, token=disp, params={"group_by": "product_type"},
           label="by product type")
    SW = "/api/v1/deadlines/sweep"
    c.call("POST", SW, expect=200, token=admin, body={}, request_valid=True)
    c.call("POST", SW, expect=200, token=admin, body={"as_of": "2099-01-01T00:00:00Z"}, label="as of later",
           request_valid=True)
    c.call("POST", SW, expect=422, token=admin, body={"as_of": "yesterday"}, label="bad as_of", request_valid=False)
    c.call("POST", SW, expect=403, token=disp, body={}, label="dispatcher")


def exercise_portal(c, disp, tech, customer):
    """The customer portal's endpoints (routes_portal.cpp) and the web pages; the rate limits last."""
    P = fill
    R, S = "/api/v1/portal/reports", "/api/v1/portal/session"
    RID, PH, JID = "/api/v1/portal/reports/{id}", "/api/v1/portal/photos/{id}", "/api/v1/jobs/{id}"
    suffix = secrets.token_hex(3)
    report = {"contact_name": "吴芳", "phone": "+86 136-0000-1234", "address": "上海市静安区南京西路1号",
              "model": "美的 KFR-26 空调", "serial_no": f"MD-KFR26-{suffix}", "description": "空调漏水。",
              "category": "空调", "preferred_start": "2031-12-01T09:00:00+08:00",
              "preferred_end": "2031-12-01T12:00:00+08:00", "photos": [PNG_1x1]}
    res = c.call("POST", R, expect=201, body=report, request_valid=True)
    made = res.json if res else {"token": "x", "job_id": "missing", "ticket_no": "missing"}
    c.call("POST", R, expect=201, body=dict(report, description="又漏水了。", photos=None, preferred_start=None,
                                             preferred_end=None), label="the same customer again", request_valid=True)
    c.call("POST", R, expect=422, body=dict(report, serial_no=f"PAST-{suffix}", preferred_start="2020-01-01T09:00:00+08:00",
                                             preferred_end="2020-01-01T12:00:00+08:00"), label="a preferred time in the past",
           request_valid=True)
    c.call("POST", R, expect=201, body=dict(report, serial_no="HR-EG100-240001", photos=None),
           label="another customer's serial (not attached)", request_valid=True)
    c.call("POST", R, expect=422, body={k: v for k, v in report.items() if k != "phone"}, label="no phone",
           request_valid=False)
    c.call("POST", R, expect=422, body=dict(report, serial_no=f"G-{suffix}", photos=[base64.b64encode(b"GIF89a..").decode()]),
           label="a GIF photo", request_valid=True)
    c.call("POST", R, expect=422, body=dict(report, serial_no=f"W-{suffix}", preferred_end=None),
           label="a window without its end", request_valid=True)
    c.call("POST", R, expect=422, body=dict(report, serial_no=f"F-{suffix}", photos=[PNG_1x1] * 5), label="five photos",
           request_valid=False)
    c.call("POST", R, expect=422, body=dict(report, ticket_no="x"), label="unknown field", request_valid=False)

    c.call("POST", S, expect=200, body={"ticket_no": made["ticket_no"], "access_key": made.get("access_key", "x")},
           label="ticket and access key", request_valid=True)
    c.call("POST", S, expect=401, body={"ticket_no": made["ticket_no"], "access_key": "not-the-key"},
           label="wrong key", request_valid=True)
    c.call("POST", S, expect=422, body={"ticket_no": made["ticket_no"], "phone": "13600001234"},
           label="ticket and phone", request_valid=False)
    c.call("POST", S, expect=422, body={"ticket_no": made["ticket_no"]}, label="no key", request_valid=False)

    token = made["token"]
    c.call("GET", JID, P(JID, id=made["job_id"]), expect=200, token=token, label="portal session, its job")
    res = c.call("GET", "/api/v1/jobs", expect=200, token=token, label="portal session")
    if res and [j["id"] for j in res.json["items"]] != [made["job_id"]]:
        c.fail("GET /api/v1/jobs as a portal session", "lists more than the session's job")
    res = c.call("GET", "/api/v1/jobs", expect=200, token=disp, params={"limit": 1, "state": "closed"}, label="a demo job")
    demo_job = res.json["items"][0]["id"] if res and res.json["items"] else "missing"
    c.call("GET", JID, P(JID, id=demo_job), expect=404, token=token, label="portal session, another customer's job")

    res = c.call("GET", RID, P(RID, id=made["job_id"]), expect=200, token=disp)
    photo = res.json["photos"][0]["id"] if res and res.json["photos"] else "missing"
    c.call("GET", RID, P(RID, id=made["job_id"]), expect=200, token=token, label="portal session")
    c.call("GET", RID, P(RID, id=made["job_id"]), expect=404, token=customer, label="another customer")
    c.call("GET", RID, P(RID, id=made["job_id"]), expect=403, token=tech, label="technician")
    c.call("GET", RID, P(RID, id=demo_job), expect=404, token=disp, label="a job not reported on the portal")
    c.call("GET", PH, P(PH, id=photo), expect=200, token=disp)
    c.call("GET", PH, P(PH, id=photo), expect=200, token=token, label="portal session")
    c.call("GET", PH, P(PH, id=photo), expect=404, token=customer, label="another customer")
    c.call("GET", PH, P(PH, id=photo), expect=403, token=tech, label="technician")
    c.call("GET", PH, P(PH, id="no-such-photo"), expect=404, token=disp)

    # -- the web pages: each file, then its revalidation by ETag; names outside the embedded set are 404
    for template, path in [("/", "/"), ("/board/", "/board/"), ("/portal/", "/portal/"),
                           ("/board/{file}", "/board/app.js"), ("/board/{file}", "/board/style.css"),
                           ("/portal/{file}", "/portal/app.js"), ("/portal/{file}", "/portal/i18n.js")]:
        res = c.call("GET", template, path, expect=200)
        if res:
            c.call("GET", template, path, expect=304, headers={"If-None-Match": res.headers.get("etag", "")},
                   label="revalidated")
    for template in ("/board/{file}", "/portal/{file}"):
        # Encoded slashes are decoded before routing, so "..%2F…" never reaches a page route at all.
        for name in ("nothing.js", "..", "index.html.bak"):
            c.call("GET", template, template.replace("{file}", name), expect=404, label="not a file of the page")
    c.call("GET", "/board", expect=301)
    c.call("GET", "/portal", expect=301)
    web_pages_tech(c)

    # -- rate limits: failed lookups (per ticket and address), then reports per address
    for attempt in range(12):
        res = c.call("POST", S, expect=(401, 429), body={"ticket_no": made["ticket_no"], "access_key": "guess"},
                     label=f"failed lookup #{attempt + 1}")
        if res and res.status == 429:
            break
    else:
        c.fail("POST /api/v1/portal/session", "no 429 after repeated failed lookups")
    for attempt in range(25):
        res = c.call("POST", R, expect=(201, 429), body=dict(report, photos=None), label=f"report #{attempt + 3}")
        if res and res.status == 429:
            break
    else:
        c.fail("POST /api/v1/portal/reports", "no 429 after many reports from one address")


def exercise_notifications(c, admin, disp, tech, customer_id, asset_id):
    """Webhook subscriptions and the delivery log (routes_notifications.cpp)."""
    P = fill
    W, WID, WD, N = "/api/v1/webhooks", "/api/v1/webhooks/{id}", "/api/v1/webhooks/{id}/deliveries", "/api/v1/notifications"
    # Port 9 (discard) refuses the calls: they stay pending until the webhook is deleted below.
    hook = {"url": "http://127.0.0.1:9/fieldrepair?team=crm", "events": ["ticket_created", "plan_proposed"],
            "description": "客服系统 CRM"}
    res = c.call("POST", W, expect=201, token=admin, body=hook, request_valid=True)
    webhook = res.json["id"] if res else "missing"
    c.call("POST", W, expect=201, token=admin, body={"url": "https://hooks.example.com/fr", "events": ["sla_breached"]},
           label="https, no description", request_valid=True)
    c.call("POST", W, expect=403, token=disp, body=hook, label="dispatcher", request_valid=True)
    for label, body in [("ftp URL", dict(hook, url="ftp://hooks.example.com/x")),
                        ("no host", dict(hook, url="http://")),
                        ("user info", dict(hook, url="http://user:pw@hooks.example.com/x")),
                        ("no events", {k: v for k, v in hook.items() if k != "events"}),
                        ("empty events", dict(hook, events=[])),
                        ("unknown event", dict(hook, events=["job_deleted"])),
                        ("a secret of one's own", dict(hook, secret="mine"))]:
        c.call("POST", W, expect=422, token=admin, body=body, label=label, request_valid=False)
    res = c.call("GET", W, expect=200, token=admin)
    if res and any("secret" in w for w in res.json["items"]):
        c.fail("GET /api/v1/webhooks", "a listed webhook shows its secret")
    c.call("GET", W, expect=403, token=disp, label="dispatcher")
    c.call("GET", W, expect=422, token=admin, params={"url": "x"}, label="unknown parameter")

    # A new job queues a call for the webhook (and an email if the customer has an address).
    c.call("POST", "/api/v1/jobs", expect=201, token=disp, label="a job to notify about", request_valid=True,
           body={"customer_id": customer_id, "asset_id": asset_id, "description": "洗衣机漏水。"})
    res = c.call("GET", N, expect=200, token=disp)
    if res and not any(n["webhook_id"] == webhook and n["event"] == "ticket_created" for n in res.json["items"]):
        c.fail("GET /api/v1/notifications", "no webhook call was queued for the new job")
    c.call("GET", N, expect=200, token=admin, params={"channel": "webhook", "status": "pending"}, label="filtered")
    c.call("GET", N, expect=403, token=tech, label="technician")
    c.call("GET", N, expect=422, token=disp, params={"recipient": "x"}, label="unknown parameter")
    c.call("GET", WD, P(WD, id=webhook), expect=200, token=disp)
    c.call("GET", WD, P(WD, id=webhook), expect=403, token=tech, label="technician")
    c.call("GET", WD, P(WD, id="no-such-webhook"), expect=404, token=admin)
    c.call("GET", WD, P(WD, id=webhook), expect=422, token=admin, params={"job_id": "x"}, label="unknown parameter")
    c.call("DELETE", WID, P(WID, id=webhook), expect=403, token=disp, label="dispatcher")
    c.call("DELETE", WID, P(WID, id=webhook), expect=204, token=admin)
    c.call("DELETE", WID, P(WID, id=webhook), expect=404, token=admin, label="already deleted")


def exercise_sync(c, admin, disp, tech, customer, tech_id, customer_id, asset_id):
    """Offline sync (routes_sync.cpp): devices, push, pull, conflicts, compaction, catalogs and job notes."""
    P = fill
    D, DID = "/api/v1/sync/devices", "/api/v1/sync/devices/{id}"
    PUSH, PULL, CONF, RES = "/api/v1/sync/push", "/api/v1/sync/pull", "/api/v1/sync/conflicts", \
        "/api/v1/sync/conflicts/{id}/resolve"
    device = {"name": "李师傅的平板", "platform": "android"}
    res = c.call("POST", D, expect=201, token=tech, body=device, request_valid=True)
    dev_id, dev_token = (res.json["device_id"], res.json["device_token"]) if res else ("missing", "missing")
    c.call("POST", D, expect=403, token=disp, body=device, label="dispatcher", request_valid=True)
    c.call("POST", D, expect=422, token=tech, body=dict(device, platform="nokia"), label="unknown platform",
           request_valid=False)
    c.call("GET", D, expect=200, token=tech)
    c.call("GET", D, expect=200, token=disp, params={"user_id": "x"}, label="staff, filtered")
    c.call("GET", D, expect=422, token=tech, params={"token": "x"}, label="unknown parameter")

    def op(kind, row_id, fields, **extra):
        hlc = "%016x-%08x-%s" % (int(time.time() * 1000), 0, dev_id)
        return dict({"op_id": str(uuid.uuid4()), "table": "jobs", "row_id": row_id, "kind": kind, "fields": fields,
                     "hlc": hlc, "base_version": 0}, **extra)
    # A job nobody synced: the op is rejected and becomes a conflict record.
    push = {"protocol": 1, "device_id": dev_id, "ops": [op("update", str(uuid.uuid4()), {"notes": "到场"})]}
    res = c.call("POST", PUSH, expect=200, token=dev_token, body=push, request_valid=True)
    if res and res.json["results"][0]["status"] != "rejected":
        c.fail("POST /api/v1/sync/push", "an op on an unknown job was not rejected")
    c.call("POST", PUSH, expect=200, token=dev_token, body=push, label="replayed", request_valid=True)
    c.call("POST", PUSH, expect=403, token=tech, body=push, label="login token, not a device", request_valid=True)
    c.call("POST", PUSH, expect=422, token=dev_token, body=dict(push, protocol=2), label="protocol 2",
           request_valid=False)
    c.call("GET", PULL, expect=200, token=dev_token)
    # The live stream never ends: its status and content type are checked from the head.
    LIVE = "/api/v1/sync/live"
    c.call("GET", LIVE, expect=200, token=dev_token, head_only=True)
    c.call("GET", LIVE, expect=403, token=tech, label="login token, not a device")
    c.call("GET", PULL, expect=200, token=dev_token, params={"cursor": 0, "limit": 1, "max_bytes": 100},
           label="small page")
    c.call("GET", PULL, expect=403, token=tech, label="login token, not a device")
    c.call("GET", PULL, expect=422, token=dev_token, params={"cursor": -1}, label="negative cursor")

    res = c.call("GET", CONF, expect=200, token=disp, params={"status": "open"})
    conflict = res.json["items"][0]["id"] if res and res.json["items"] else "missing"
    c.call("GET", CONF, expect=403, token=tech, label="technician")
    c.call("GET", CONF, expect=422, token=disp, params={"status": "maybe"}, label="unknown status")
    c.call("POST", RES, P(RES, id=conflict), expect=403, token=tech, body={"resolution": "dismissed"},
           label="technician", request_valid=True)
    c.call("POST", RES, P(RES, id=conflict), expect=422, token=disp, body={"resolution": "ignored"},
           label="unknown resolution", request_valid=False)
    c.call("POST", RES, P(RES, id="no-such-conflict"), expect=404, token=disp, body={"resolution": "dismissed"},
           request_valid=True)
    c.call("POST", RES, P(RES, id=conflict), expect=200, token=disp,
           body={"resolution": "applied_manually", "note": "电话确认"}, request_valid=True)
    c.call("POST", RES, P(RES, id=conflict), expect=409, token=disp, body={"resolution": "dismissed"},
           label="resolved already", request_valid=True)
    c.call("POST", "/api/v1/sync/compact", expect=200, token=admin, body={}, request_valid=True)
    c.call("POST", "/api/v1/sync/compact", expect=403, token=disp, body={}, label="dispatcher", request_valid=True)
    c.call("POST", "/api/v1/sync/compact", expect=422, token=admin, body={"up_to_seq": -1}, label="negative seq",
           request_valid=False)
    # Attachments: the metadata op first (on a job of the technician), then the bytes in two chunks.
    res = c.call("POST", "/api/v1/jobs", expect=201, token=disp, label="a job for attachments", request_valid=True,
                 body={"customer_id": customer_id, "asset_id": asset_id, "description": "洗衣机门封漏水。"})
    job = res.json["id"] if res else "missing"
    c.act(disp, job, "assign", {"technician_id": tech_id})
    data = b"\x89PNG\r\n\x1a\n" + bytes(range(200))
    sha = hashlib.sha256(data).hexdigest()
    meta = op("insert", str(uuid.uuid4()), {"job_id": job, "kind": "photo", "sha256": sha,
                                            "content_type": "image/png", "size_bytes": len(data)})
    meta["table"] = "attachments"
    c.call("POST", PUSH, expect=200, token=dev_token, body={"protocol": 1, "device_id": dev_id, "ops": [meta]},
           label="attachment metadata", request_valid=True)
    AT, AC = "/api/v1/attachments/{sha256}", "/api/v1/attachments/{sha256}/content"
    octet = "application/octet-stream"
    c.call("GET", AT, P(AT, sha256=sha), expect=200, token=dev_token)
    c.call("GET", AT, P(AT, sha256=sha), expect=403, token=customer, label="customer")
    c.call("GET", AT, P(AT, sha256="0" * 64), expect=404, token=disp, label="undescribed bytes")
    c.call("GET", AT, P(AT, sha256="NOT-HEX"), expect=422, token=disp, label="not a SHA-256")
    put = P(AT, sha256=sha) + "?offset="
    c.call("PUT", AT, put + "0", expect=200, token=dev_token, raw=data[:100], content_type=octet)
    c.call("PUT", AT, put + "0", expect=409, token=dev_token, raw=data[:100], content_type=octet, label="again")
    c.call("PUT", AT, put + "100", expect=415, token=dev_token, raw=data[100:], content_type="application/json",
           label="JSON type")
    c.call("PUT", AT, put + "100", expect=413, token=dev_token, content_type=octet, declared_length=MAX_BODY + 1,
           label="Content-Length over the limit")
    c.call("PUT", AT, put + "100", expect=422, token=dev_token, raw=data[100:] + b"x", content_type=octet,
           label="past size_bytes")
    c.call("PUT", AT, put + "100", expect=403, token=customer, raw=data[100:], content_type=octet, label="customer")
    c.call("PUT", AT, P(AT, sha256="0" * 64) + "?offset=0", expect=404, token=disp, raw=b"x", content_type=octet,
           label="undescribed bytes")
    c.call("GET", AC, P(AC, sha256=sha), expect=404, token=disp, label="not complete yet")
    c.call("PUT", AT, put + "100", expect=200, token=dev_token, raw=data[100:], content_type=octet, label="last chunk")
    res = c.call("GET", AC, P(AC, sha256=sha), expect=200, token=disp)
    if res and res.raw != data:
        c.fail("GET /api/v1/attachments/{sha256}/content", "the bytes differ from the upload")
    c.call("GET", AC, P(AC, sha256=sha), expect=403, token=customer, label="customer")
    c.call("GET", AC, P(AC, sha256="NOT-HEX"), expect=422, token=disp, label="not a SHA-256")

    c.call("DELETE", DID, P(DID, id=dev_id), expect=404, token=customer, label="not the owner")
    c.call("DELETE", DID, P(DID, id=dev_id), expect=204, token=tech)
    c.call("GET", PULL, expect=401, token=dev_token, label="revoked device")

    for path, good, dup, bad in [
            ("/api/v1/parts", {"sku": "GL-FAN-35", "name": "室外风扇电机", "unit_price": 120.5},
             {"sku": "MD-TC-520", "name": "重复", "unit_price": 1}, {"sku": "X", "name": "x", "unit_price": -1}),
            ("/api/v1/fault-categories", {"code": "microwave", "name": "微波炉"}, {"code": "fridge", "name": "重复"},
             {"code": "x"})]:
        c.call("POST", path, expect=201, token=disp, body=good, request_valid=True)
        c.call("POST", path, expect=403, token=tech, body=good, label="technician", request_valid=True)
        c.call("POST", path, expect=409, token=admin, body=dup, label="taken", request_valid=True)
        c.call("POST", path, expect=422, token=admin, body=bad, label="invalid", request_valid=False)
        c.call("GET", path, expect=200, token=tech)
        c.call("GET", path, expect=200, token=customer, params={"q": "电", "active": "true"}, label="filtered")
        c.call("GET", path, expect=422, token=tech, params={"active": "yes"}, label="bad filter")

    N = "/api/v1/jobs/{id}/notes"
    res = c.call("GET", "/api/v1/jobs", expect=200, token=disp, label="a job for notes")
    job = res.json["items"][0]["id"] if res and res.json["items"] else "missing"
    c.call("POST", N, P(N, id=job), expect=201, token=disp, body={"body": "客户要求下午上门", "kind": "note"},
           request_valid=True)
    c.call("POST", N, P(N, id=job), expect=403, token=customer, body={"body": "x"}, label="customer",
           request_valid=True)
    c.call("POST", N, P(N, id="no-such-job"), expect=404, token=disp, body={"body": "x"}, request_valid=True)
    c.call("POST", N, P(N, id=job), expect=422, token=disp, body={"body": "x", "kind": "gossip"},
           label="unknown kind", request_valid=False)
    c.call("GET", N, P(N, id=job), expect=200, token=disp)
    c.call("GET", N, P(N, id=job), expect=403, token=customer, label="customer")
    c.call("GET", N, P(N, id="no-such-job"), expect=404, token=disp)


def exercise_care(c, admin, tech, customer, tech_id, customer_id, asset_id):
    """Customer care (routes_care.cpp): complaints, appeals, follow-ups, messages, the sweep, the report, the desk."""
    P = fill
    agent, supervisor = (c.send("POST", "/api/v1/auth/login", body={"username": u, "password": DEMO_PASSWORD}).json["token"]
                         for u in ("agent", "supervisor"))
    job = c.send("POST", "/api/v1/jobs", token=agent,
                 body={"customer_id": customer_id, "asset_id": asset_id, "description": "洗衣机漏水。"}).json["id"]
    c.send("POST", f"/api/v1/jobs/{job}/actions/assign", token=agent, body={"technician_id": tech_id})
    plan = {"mode": "on_site", "cost_to_customer": 120, "items": [{"kind": "labour", "description": "检修", "quantity": 1,
                                                                     "unit_price": 120}]}
    c.send("POST", f"/api/v1/jobs/{job}/actions/submit_assessment", token=tech,
           body={"findings": "门封老化。", "warranty_covered": False, "customer_caused": False, "plan": plan})
    KN = "/api/v1/knowledge"
    c.call("GET", KN, expect=200, token=agent, params={"q": "门封"})
    c.call("GET", KN, expect=200, token=tech, params={"q": "门封老化"}, label="technician")
    c.call("GET", KN, expect=403, token=customer, params={"q": "门封"})
    c.call("GET", KN, expect=422, token=agent, params={"q": "门封", "product_type": "潜水艇"})

    K, KID, KA = "/api/v1/complaints", "/api/v1/complaints/{id}", "/api/v1/complaints/{id}/actions/{action}"
    complaint = {"type": "service_attitude", "description": "工程师迟到且态度差。", "job_id": job}
    res = c.call("POST", K, expect=201, token=agent, body=complaint, request_valid=True)
    kid = res.json["id"] if res else "missing"
    c.call("POST", K, expect=201, token=customer, body=dict(complaint, type="price"), label="by the customer")
    c.call("POST", K, expect=403, token=tech, body=complaint)
    c.call("POST", K, expect=404, token=agent, body=dict(complaint, job_id="no-such-job"))
    c.call("POST", K, expect=422, token=agent, body=dict(complaint, type="weather"), request_valid=False)
    c.call("GET", K, expect=200, token=agent)
    c.call("GET", K, expect=200, token=customer, params={"state": "open"})
    c.call("GET", K, expect=403, token=tech)
    c.call("GET", K, expect=422, token=agent, params={"colour": "red"})
    c.call("GET", KID, P(KID, id=kid), expect=200, token=customer)
    c.call("GET", KID, P(KID, id=kid), expect=403, token=tech)
    c.call("GET", KID, P(KID, id="no-such-complaint"), expect=404, token=agent)
    c.call("POST", KA, P(KA, id=kid, action="contact"), expect=200, token=agent, body={"note": "已致电"})
    c.call("POST", KA, P(KA, id=kid, action="close"), expect=409, token=agent, body={})
    c.call("POST", KA, P(KA, id=kid, action="set_deadlines"), expect=403, token=agent, body={})
    c.call("POST", KA, P(KA, id=kid, action="resolve"), expect=422, token=agent, body={"outcome": "apology"})
    c.call("POST", KA, P(KA, id="no-such-complaint", action="contact"), expect=404, token=agent, body={})
    c.call("POST", KA, P(KA, id=kid, action="resolve"), expect=200, token=agent,
           body={"outcome": "apology", "answer": "已道歉。"})

    A, AID, AA = "/api/v1/appeals", "/api/v1/appeals/{id}", "/api/v1/appeals/{id}/actions/{action}"
    appeal = {"job_id": job, "decision": "warranty_refused", "reason": "还在保修期内。"}
    c.call("POST", A, expect=422, token=customer, body=dict(appeal, decision="price"), request_valid=False)
    c.call("POST", A, expect=409, token=customer, body=dict(appeal, decision="customer_caused"), label="no such decision")
    c.call("POST", A, expect=403, token=tech, body=appeal)
    c.call("POST", A, expect=404, token=agent, body=dict(appeal, job_id="no-such-job"))
    res = c.call("POST", A, expect=201, token=customer, body=appeal, request_valid=True)
    aid = res.json["id"] if res else "missing"
    c.call("POST", A, expect=409, token=agent, body=appeal, label="already open")
    c.call("GET", A, expect=200, token=supervisor)
    c.call("GET", A, expect=403, token=tech)
    c.call("GET", A, expect=422, token=agent, params={"overdue": "maybe"})
    c.call("GET", AID, P(AID, id=aid), expect=200, token=customer)
    c.call("GET", AID, P(AID, id=aid), expect=403, token=tech)
    c.call("GET", AID, P(AID, id="no-such-appeal"), expect=404, token=agent)
    c.call("POST", AA, P(AA, id=aid, action="call_back"), expect=422, token=agent, body={})
    c.call("POST", AA, P(AA, id=aid, action="call_back"), expect=200, token=agent, body={"note": "已回电。"})
    c.call("POST", AA, P(AA, id=aid, action="call_back"), expect=409, token=agent, body={"note": "again"})
    c.call("POST", AA, P(AA, id=aid, action="decide"), expect=403, token=agent, body={"outcome": "upheld", "note": "x"})
    c.call("POST", AA, P(AA, id="no-such-appeal", action="decide"), expect=404, token=supervisor, body={})
    c.call("POST", AA, P(AA, id=aid, action="decide"), expect=200, token=supervisor,
           body={"outcome": "refused", "note": "人为进水，不在保修范围。"})

    F, FID = "/api/v1/followups", "/api/v1/followups/{id}"
    FS, FW = "/api/v1/followups/{id}/survey", "/api/v1/followups/{id}/waive"
    c.send("POST", f"/api/v1/jobs/{job}/actions/decline_plan", token=customer, body={"plan_version": 1})
    res = c.call("GET", F, expect=200, token=agent, params={"job_id": job})
    fid = res.json["items"][0]["id"] if res and res.json["items"] else "missing"
    c.call("GET", F, expect=200, token=customer)
    c.call("GET", F, expect=403, token=tech)
    c.call("GET", F, expect=422, token=agent, params={"state": "lost"})
    c.call("GET", FID, P(FID, id=fid), expect=200, token=customer)
    c.call("GET", FID, P(FID, id=fid), expect=403, token=tech)
    c.call("GET", FID, P(FID, id="no-such-followup"), expect=404, token=agent)
    c.call("POST", FS, P(FS, id=fid), expect=422, token=agent, body={"rating": 9}, request_valid=False)
    c.call("POST", FS, P(FS, id=fid), expect=403, token=tech, body={"rating": 4})
    c.call("POST", FS, P(FS, id="no-such-followup"), expect=404, token=agent, body={"rating": 4})
    c.call("POST", FW, P(FW, id=fid), expect=422, token=agent, body={"reason": " "})
    c.call("POST", FW, P(FW, id=fid), expect=403, token=customer, body={"reason": "x"})
    c.call("POST", FW, P(FW, id="no-such-followup"), expect=404, token=agent, body={"reason": "x"})
    c.call("POST", FS, P(FS, id=fid), expect=200, token=customer, body={"rating": 2, "price_rating": 1}, request_valid=True)
    c.call("POST", FS, P(FS, id=fid), expect=409, token=agent, body={"rating": 4})
    c.call("POST", FW, P(FW, id=fid), expect=409, token=agent, body={"reason": "已回访"})
    res = c.send("GET", f"/api/v1/followups?state=due", token=agent)
    other = [f["id"] for f in res.json["items"] if f["id"] != fid] if res.status == 200 else []
    if other:
        c.call("POST", FW, P(FW, id=other[0]), expect=200, token=agent, body={"reason": "客户拒绝回访"}, request_valid=True)
    else:
        c.fail("POST /api/v1/followups/{id}/waive", "no other follow-up was due to waive")

    M, W = "/api/v1/jobs/{id}/messages", "/api/v1/messages/waiting"
    c.call("POST", M, P(M, id=job), expect=201, token=customer, body={"body": "什么时候来？"}, request_valid=True)
    c.call("POST", M, P(M, id=job), expect=422, token=customer, body={"body": " "})
    c.call("POST", M, P(M, id="no-such-job"), expect=404, token=agent, body={"body": "x"})
    c.call("GET", M, P(M, id=job), expect=200, token=customer)
    c.call("GET", M, P(M, id="no-such-job"), expect=404, token=agent)
    c.call("GET", W, expect=200, token=agent)
    c.call("GET", W, expect=403, token=customer)
    c.call("GET", W, expect=422, token=agent, params={"job_id": job})
    c.call("POST", M, P(M, id=job), expect=201, token=agent, body={"body": "明天上午。"})

    c.call("POST", "/api/v1/care/sweep", expect=200, token=supervisor)
    c.call("POST", "/api/v1/care/sweep", expect=403, token=agent)
    c.call("GET", "/api/v1/care/report", expect=200, token=supervisor)
    c.call("GET", "/api/v1/care/report", expect=200, token=agent, params={"period": "day", "group_by": "technician"},
           label="by technician and day")
    c.call("GET", "/api/v1/care/report", expect=200, token=agent, params={"format": "csv", "from": "2020-01-01"},
           label="as CSV")
    c.call("GET", "/api/v1/care/report", expect=403, token=tech)
    c.call("GET", "/api/v1/care/report", expect=422, token=admin, params={"from": "yesterday"})
    c.call("GET", "/api/v1/care/report", expect=422, token=admin, params={"period": "week"}, label="an unknown period")
    jpeg = base64.b64encode(b"\xff\xd8\xff\xe0 evidence").decode()
    res = c.call("POST", K, expect=201, token=customer, label="with an evidence file",
                 body=dict(complaint, type="other", evidence_files=[{"content_base64": jpeg, "file_name": "证据.jpg"}]))
    evidence = res.json["evidence"][0] if res else "missing"
    EV = "/api/v1/care/evidence/{id}/content"
    c.call("GET", EV, P(EV, id=evidence), expect=200, token=agent)
    c.call("GET", EV, P(EV, id=evidence), expect=200, token=customer, label="by the customer who gave it")
    c.call("GET", EV, P(EV, id=evidence), expect=403, token=tech)
    c.call("GET", EV, P(EV, id="no-such-evidence"), expect=404, token=agent)
    res = c.call("GET", "/api/v1/notifications", expect=200, token=admin, params={"job_id": job},
                 label="the care notices of the job")
    if res and not any(n["event"].startswith(("complaint_", "appeal_", "message_")) for n in res.json["items"]):
        c.fail("GET /api/v1/notifications (care notices)", "no complaint, appeal or message notice was queued")

    for template, path in [("/care/", "/care/"), ("/care/{file}", "/care/app.js")]:
        res = c.call("GET", template, path, expect=200)
        if res:
            c.call("GET", template, path, expect=304, headers={"If-None-Match": res.headers.get("etag", "")},
                   label="revalidated")
    c.call("GET", "/care/{file}", "/care/nothing.js", expect=404, label="not a file of the page")
    c.call("GET", "/care", expect=301)


# The technician app: its files with their types, the WebAssembly core the build embeds, and revalidation.
def web_pages_tech(c):
    types = {"/tech/": "text/html", "/tech/manifest.webmanifest": "application/manifest+json", "/tech/sw.js": "text/javascript",
             "/tech/core/fieldmobile-core.wasm": "application/wasm", "/tech/core/fieldmobile-core.js": "text/javascript",
             "/tech/icon-192.png": "image/png", "/tech/apple-touch-icon.png": "image/png"}
    for path, content_type in types.items():
        template = "/tech/" if path == "/tech/" else "/tech/core/{file}" if "/core/" in path else "/tech/{file}"
        res = c.call("GET", template, path, expect=200)
        if not res:
            continue
        if not res.headers.get("content-type", "").startswith(content_type):
            c.fail(f"GET {path}", f"content type {res.headers.get('content-type')}, wanted {content_type}")
        c.call("GET", template, path, expect=304, headers={"If-None-Match": res.headers.get("etag", "")}, label="revalidated")
        if path.endswith(".png") and not res.raw.startswith(b"\x89PNG\r\n\x1a\n"):
            c.fail(f"GET {path}", "the icon's bytes are not a whole PNG")
        if path == "/tech/" and "'wasm-unsafe-eval'" not in res.headers.get("content-security-policy", ""):
            c.fail("GET /tech/", "the page's policy does not let its WebAssembly core compile")
    for template in ("/tech/{file}", "/tech/core/{file}"):
        c.call("GET", template, template.replace("{file}", "nothing.js"), expect=404, label="not a file of the app")
    c.call("GET", "/tech", expect=301)


def coverage(c):
    for method, template, op in c.spec.operations():
        declared = {int(s) for s in op.get("responses", {}) if s != "default"}
        seen = c.seen.get((method, template), set())

        def covered(declared=declared, seen=seen):
            missing = sorted(declared - seen)
            if missing:
                raise Failed(f"declared but never produced in this run: {missing}")
            if not any(200 <= s < 400 for s in seen):  # a redirect is the answer of a redirecting path
                raise Failed("no successful response in this run")
        c.run(f"coverage {method} {template}: every declared status seen", covered)


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    binary = sys.argv[1]
    source_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    spec = Spec(os.path.join(source_dir, "schemas", "openapi.yaml"))
    server = Server(binary)
    checker = None
    try:
        port, cert = server.start()
        print(f"server on https://127.0.0.1:{port} (certificate {cert})", flush=True)
        checker = Checker(spec, port, cert)
        static_checks(checker, spec, source_dir)
        exercise(checker)
        coverage(checker)
    except Failed as e:
        print(f"FAIL setup: {e}", flush=True)
        if checker:
            checker.failed += 1
        else:
            print("0 passed, 1 failed")
            return 1
    except Exception:  # a bug in this script or an unexpected answer: report it as a failure
        traceback.print_exc()
        if checker:
            checker.failed += 1
        else:
            print("0 passed, 1 failed")
            return 1
    finally:
        if checker is None or checker.failed:
            tail = server.log_tail()
            if tail:
                print("--- server log (last lines) ---\n" + tail, flush=True)
        server.stop()
    print(f"{checker.passed} passed, {checker.failed} failed")
    return 1 if checker.failed else 0


if __name__ == "__main__":
    sys.exit(main())

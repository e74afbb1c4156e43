"""A differential test of Brigade's /scim/v2 against the reference server scim2-server (PyPI).

One fixed script of requests runs against both servers. For each, what RFC 7644 decides is
compared: the status, the content type, the error's scimType, and the parts of the body the RFC
fixes (a ListResponse's counts, the attributes asked for or left out, what a write returns).
What the RFC leaves to the server (ids, timestamps, the order of an unsorted list, the wording of
a detail) is not. Each server's ids are its own: a step refers to what an earlier step created
by name. Exits 1 on the first difference, printing both answers.

usage: scim_differential.py BRIGADE_URL BRIGADE_TOKEN REFERENCE_URL REFERENCE_TOKEN
"""

import json
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"

RUN = uuid.uuid4().hex[:8]
ALICE = f"alice.{RUN}@diff.example"
BOB = f"bob.{RUN}@diff.example"
TEAM = f"Diff Team {RUN}"


class Server:
    def __init__(self, name, url, token):
        self.name, self.url, self.token = name, url.rstrip("/"), token
        self.ids = {}

    def call(self, method, path, body=None, headers=None, token=None):
        for key, value in self.ids.items():
            path = path.replace("{" + key + "}", value)
            if body is not None:
                body = json.loads(json.dumps(body).replace("{" + key + "}", value))
        request = urllib.request.Request(self.url + path, method=method)
        request.add_header("Authorization", f"Bearer {token or self.token}")
        request.add_header("Accept", "application/scim+json")
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            request.add_header("Content-Type", "application/scim+json")
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, data) as response:
                return Reply(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.headers, error.read())


class Reply:
    def __init__(self, status, headers, raw):
        self.status = status
        self.content_type = (headers.get("Content-Type") or "").split(";")[0].strip()
        self.etag = headers.get("ETag")
        self.location = headers.get("Location")
        try:
            self.body = json.loads(raw) if raw else None
        except ValueError:
            self.body = raw.decode(errors="replace")

    def get(self, *path):
        value = self.body
        for key in path:
            if isinstance(value, dict):
                value = value.get(key)
            elif isinstance(value, list) and isinstance(key, int) and key < len(value):
                value = value[key]
            else:
                return None
        return value


# What each step compares: functions of a reply, giving the part the RFC decides.
def status(r):
    return r.status


def succeeded(r):
    """A PATCH succeeds with 200 and the resource, or 204 and no body (RFC 7644 §3.5.2):
    what it changed is compared by reading the resource back."""
    return 200 <= r.status < 300


def scim_type(r):
    return r.get("scimType") if r.status >= 400 else None


def error_schema(r):
    return r.get("schemas") == [ERROR] and r.get("status") == str(r.status) if r.status >= 400 else None


def content_type(r):
    return r.content_type if r.body is not None else None


def total(r):
    return r.get("totalResults")


def page(r):
    return (r.get("totalResults"), r.get("startIndex"), r.get("itemsPerPage"), len(r.get("Resources") or []))


def user_names(r):
    return sorted((u.get("userName") or "").lower() for u in r.get("Resources") or [])


def attribute_names(r):
    """The top-level attributes of a resource (or of each listed one), ids and meta aside."""
    def names(resource):
        return sorted(k for k in resource if k not in ("id", "meta", "schemas"))
    if r.get("Resources") is not None:
        return [names(item) for item in r.get("Resources")]
    return names(r.body) if isinstance(r.body, dict) else None


def given_name(r):
    return r.get("name", "givenName")


def family_name(r):
    return r.get("name", "familyName")


def active(r):
    return r.get("active")


def user_name(r):
    return (r.get("userName") or "").lower() or None


def display_name(r):
    return r.get("displayName")


def member_count(r):
    return len(r.get("members") or [])


def has_id_and_location(r):
    return bool(r.get("id")) and bool(r.location) and r.location == r.get("meta", "location")


STEPS = [
    # (label, method, path, body, extra headers, remember id as, comparisons)
    ("create a user", "POST", "/Users",
     {"schemas": [USER], "userName": ALICE, "name": {"givenName": "Alice", "familyName": "Diff"},
      "emails": [{"value": ALICE, "type": "work", "primary": True}], "active": True},
     None, "alice", [status, content_type, user_name, given_name, active, has_id_and_location]),
    ("create another user", "POST", "/Users",
     {"schemas": [USER], "userName": BOB, "emails": [{"value": BOB, "primary": True}], "active": True},
     None, "bob", [status, user_name]),
    ("the same userName again", "POST", "/Users",
     {"schemas": [USER], "userName": ALICE, "emails": [{"value": ALICE}]},
     None, None, [status, scim_type, error_schema, content_type]),
    ("a user by id", "GET", "/Users/{alice}", None, None, None, [status, content_type, user_name, family_name]),
    ("an unknown id", "GET", f"/Users/{uuid.uuid4()}", None, None, None, [status, error_schema, content_type]),
    ("userName eq, in other capitals", "GET",
     "/Users?filter=" + urllib.parse.quote(f'userName eq "{ALICE.upper()}"'),
     None, None, None, [status, total, user_names]),
    ("a filter matching nobody (Entra's test connection)", "GET",
     "/Users?filter=" + urllib.parse.quote(f'userName eq "{uuid.uuid4()}"'),
     None, None, None, [status, total]),
    ("a filter that cannot be read", "GET", "/Users?filter=" + urllib.parse.quote("userName eq"),
     None, None, None, [status, scim_type, error_schema]),
    ("sw, first page of one", "GET",
     "/Users?startIndex=1&count=1&filter=" + urllib.parse.quote(f'userName ew "{RUN}@diff.example"'),
     None, None, None, [status, page]),
    ("sw, second page of one", "GET",
     "/Users?startIndex=2&count=1&filter=" + urllib.parse.quote(f'userName ew "{RUN}@diff.example"'),
     None, None, None, [status, page]),
    ("count=0 counts only", "GET",
     "/Users?count=0&filter=" + urllib.parse.quote(f'userName ew "{RUN}@diff.example"'),
     None, None, None, [status, page]),
    ("or of two names", "GET",
     "/Users?filter=" + urllib.parse.quote(f'userName eq "{ALICE}" or userName eq "{BOB}"'),
     None, None, None, [status, total, user_names]),
    ("attributes=userName", "GET", "/Users/{alice}?attributes=userName",
     None, None, None, [status, attribute_names]),
    ("excludedAttributes=name", "GET",
     "/Users?excludedAttributes=name&filter=" + urllib.parse.quote(f'userName eq "{ALICE}"'),
     None, None, None, [status, lambda r: ["name" in item for item in r.get("Resources") or []]]),
    ("POST /.search on Users", "POST", "/Users/.search",
     {"schemas": [SEARCH], "filter": f'userName eq "{BOB}"', "attributes": ["userName"]},
     None, None, [status, total, user_names, attribute_names]),
    ("PATCH a name", "PATCH", "/Users/{alice}",
     {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "name.givenName", "value": "Alicia"}]},
     None, None, [succeeded]),
    ("the patched name", "GET", "/Users/{alice}", None, None, None, [status, given_name, family_name]),
    ("PATCH without a path deactivates", "PATCH", "/Users/{alice}",
     {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": False}}]},
     None, None, [succeeded]),
    ("the deactivated user", "GET", "/Users/{alice}", None, None, None, [status, active]),
    ("PATCH with an unknown op", "PATCH", "/Users/{alice}",
     {"schemas": [PATCH], "Operations": [{"op": "jump", "path": "active", "value": True}]},
     None, None, [status, error_schema]),
    ("PUT replaces", "PUT", "/Users/{alice}",
     {"schemas": [USER], "userName": ALICE, "name": {"givenName": "Alice", "familyName": "Replaced"},
      "emails": [{"value": ALICE, "primary": True}], "active": True},
     None, None, [status, given_name, family_name, active]),
    ("PUT with a stale If-Match", "PUT", "/Users/{alice}",
     {"schemas": [USER], "userName": ALICE, "emails": [{"value": ALICE}], "active": True},
     {"If-Match": 'W/"stale"'}, None, [status, error_schema]),
    ("create a group with a member", "POST", "/Groups",
     {"schemas": [GROUP], "displayName": TEAM, "members": [{"value": "{alice}"}]},
     None, "team", [status, content_type, display_name, member_count, has_id_and_location]),
    # A second group of the same name is not compared: RFC 7643's Group schema leaves
    # displayName's uniqueness to each server's schema (Brigade's says "server": a role name).
    ("a group by displayName", "GET", "/Groups?filter=" + urllib.parse.quote(f'displayName eq "{TEAM}"'),
     None, None, None, [status, total]),
    ("add a member (Okta)", "PATCH", "/Groups/{team}",
     {"schemas": [PATCH], "Operations": [{"op": "add", "path": "members", "value": [{"value": "{bob}"}]}]},
     None, None, [succeeded]),
    ("two members", "GET", "/Groups/{team}", None, None, None, [status, member_count]),
    ("remove a member by a value filter (Okta)", "PATCH", "/Groups/{team}",
     {"schemas": [PATCH], "Operations": [{"op": "remove", "path": 'members[value eq "{alice}"]'}]},
     None, None, [succeeded]),
    ("one member", "GET", "/Groups/{team}", None, None, None, [status, member_count]),
    ("rename a group", "PATCH", "/Groups/{team}",
     {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "displayName", "value": TEAM + " East"}]},
     None, None, [succeeded]),
    ("the renamed group", "GET", "/Groups/{team}", None, None, None, [status, display_name, member_count]),
    ("remove every member", "PATCH", "/Groups/{team}",
     {"schemas": [PATCH], "Operations": [{"op": "remove", "path": "members"}]},
     None, None, [succeeded]),
    ("no members", "GET", "/Groups/{team}", None, None, None, [status, member_count]),
    ("delete the group", "DELETE", "/Groups/{team}", None, None, None, [status]),
    ("the deleted group", "GET", "/Groups/{team}", None, None, None, [status, error_schema]),
    ("delete a user", "DELETE", "/Users/{bob}", None, None, None, [status]),
    ("the deleted user", "GET", "/Users/{bob}", None, None, None, [status, error_schema]),
    ("writing the configuration", "PUT", "/ServiceProviderConfig", {}, None, None, [status]),
    ("the resource types", "GET", "/ResourceTypes", None, None, None,
     [status, lambda r: sorted(t.get("name") for t in r.get("Resources") or [])]),
    ("the User schema", "GET", f"/Schemas/{USER}", None, None, None, [status, lambda r: r.get("id")]),
]


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    servers = [Server("brigade", sys.argv[1], sys.argv[2]), Server("scim2-server", sys.argv[3], sys.argv[4])]
    compared = 0
    for label, method, path, body, headers, remember, comparisons in STEPS:
        replies = [server.call(method, path, body, headers) for server in servers]
        for compare in comparisons:
            seen = [compare(reply) for reply in replies]
            if seen[0] != seen[1]:
                print(f"DIFFERENT {label}: {method} {path}")
                print(f"  compared: {getattr(compare, '__name__', 'value')}: brigade {seen[0]!r}, scim2-server {seen[1]!r}")
                for server, reply in zip(servers, replies):
                    print(f"  {server.name} {reply.status}: {json.dumps(reply.body)[:600]}")
                sys.exit(1)
            compared += 1
        if remember:
            for server, reply in zip(servers, replies):
                server.ids[remember] = reply.get("id") or ""
        print(f"SAME {label}")
    # Without the token, neither answers.
    replies = [server.call("GET", "/Users", token="wrong") for server in servers]
    if replies[0].status != replies[1].status:
        print(f"DIFFERENT a wrong token: brigade {replies[0].status}, scim2-server {replies[1].status}")
        sys.exit(1)
    print(f"scim differential: {len(STEPS) + 1} requests, {compared + 1} comparisons, all the same")


if __name__ == "__main__":
    main()

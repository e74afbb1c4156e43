#!/usr/bin/env python3
"""`make bench`: Brigade at restaurant-group scale, measured in one run on this machine.

Expects the release build (`cargo leptos build --release --precompress`) and wrk. Generates the
data set once (target/bench/synth.db: 2,000 outlets in 200 districts, 200,000 people, 1,000,000
connectors) and reuses it; starts the server on it; for each API list request (and the access
check: a district manager's session and `/me`), loads it with wrk at 2 and 32 connections and
runs the same request in-process (`brigade measure`: the same use-case and SQL without HTTP,
the token lookup and JSON) as the floor; times the console's /connectors and /users; streams
the CSV exports of the people list and the access report, timing them and reading the server's
peak memory; sizes the browser bundle; reads the server's memory; measures what the request-id
and metrics layers cost (the same binary with them and the metrics listener on, and without
them: `serve --without-operations-layers`, alternated). With a PostgreSQL server named
in BRIGADE_TEST_POSTGRES (`make bench` starts a throwaway one: .ci/with-postgres), generates the
same organization there and measures the API and the console on it too, beside SQLite. Measures
SCIM's `userName eq` lookup (what Okta and Entra ID send before each create) on each store and,
beside it, the reference server scim2-server (PyPI, in-memory) on the same machine. Prints the
tables and writes bench/RESULTS.md.
"""

import datetime
import gzip
import http.cookiejar
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "brigade")
DATA_DIR = os.path.join(ROOT, "target", "bench")
DATA = os.path.join(DATA_DIR, "synth.db")
PKG = os.path.join(ROOT, "target", "site", "pkg")
ADDR = "127.0.0.1:3390"
METRICS_ADDR = "127.0.0.1:3391"
BASE = f"http://{ADDR}"
SLUG = "synth"
OWNER = f"owner@{SLUG}.example"
OWNER_PASSWORD = "bench-owner-password"
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))


SQLITE_URL = f"sqlite://{DATA}"
POSTGRES = os.environ.get("BRIGADE_TEST_POSTGRES", "")


def env(**extra):
    e = dict(os.environ)
    e.update(
        DATABASE_URL=SQLITE_URL,
        BRIGADE_OUTBOX=os.path.join(DATA_DIR, "outbox"),
        LEPTOS_SITE_ADDR=ADDR,
        LEPTOS_SITE_ROOT=os.path.join(ROOT, "target", "site"),
        RUST_LOG="warn",
        # One key for the SQLite data set and its PostgreSQL copy (required on PostgreSQL).
        BRIGADE_SECRET_KEY="YmVuY2gtc2VjcmV0LWtleS1ub3QtZm9yLXNlcnZpY2U=",
        # wrk makes thousands of requests a minute with one token: the limits out of its way.
        BRIGADE_API_RATE_LIMIT="1000000000",
        BRIGADE_API_ANONYMOUS_RATE_LIMIT="1000000000",
        BRIGADE_SCIM_RATE_LIMIT="1000000000",
    )
    e.update(extra)
    return e


def brigade(*args, **extra):
    done = subprocess.run([BIN, *args], env=env(**extra), capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"brigade {' '.join(args)} failed:\n{done.stderr}{done.stdout}")
    return done.stdout


def outlet_import():
    """The day-one bench: 2,000 outlets from CSV into a fresh database, then the same file."""
    with tempfile.TemporaryDirectory() as tmp:
        extra = dict(DATABASE_URL=f"sqlite://{tmp}/bench.db", BRIGADE_OUTBOX=f"{tmp}/outbox")
        brigade("org", "create", "--name", "Bench Group", "--slug", "bench", "--kind",
                "corporate", "--owner-email", "owner@bench.example", **extra)
        csv = os.path.join(tmp, "outlets.csv")
        with open(csv, "w") as f:
            f.write("number,name,brand,time_zone\n")
            for n in range(1, 2001):
                f.write(f"B-{n:04},Bench Outlet {n:04},,Europe/Brussels\n")
        times = []
        for _ in range(2):
            started = time.perf_counter()
            brigade("outlet", "import", "--org", "bench", "--file", csv, **extra)
            times.append(time.perf_counter() - started)
        return times


def postgres_data_set():
    """The same organization in a new database on the PostgreSQL server (a throwaway cluster:
    generated on every run); returns its URL and the generator's line."""
    url = POSTGRES.rstrip("/") + "/bench"
    subprocess.run(["psql", POSTGRES.rstrip("/") + "/postgres", "-q", "-c",
                    "DROP DATABASE IF EXISTS bench", "-c", "CREATE DATABASE bench"], check=True)
    print("Generating the data set on PostgreSQL...", flush=True)
    out = subprocess.run(
        [BIN, "synth", "--slug", SLUG, "--owner-password", OWNER_PASSWORD],
        env=env(DATABASE_URL=url), text=True, stdout=subprocess.PIPE)
    if out.returncode != 0:
        sys.exit("brigade synth failed on PostgreSQL")
    return url, generator_line(out.stdout)


def generator_line(stdout):
    """What brigade synth said of its load: its rows and rate, then where the time went."""
    lines = stdout.splitlines()
    said = [next(l for l in lines if l.startswith(word)) for word in ("Generated", "Phases")]
    return said[0].rstrip(".") + "; " + said[1][0].lower() + said[1][1:]


# What the data set holds; a data set generated before (a different line) is generated again.
DATA_SET = "3: one search index segment"


def data_set():
    """The synth organization, generated once; returns the generator's own line when it ran."""
    done = DATA + ".done"
    if os.path.exists(done):
        with open(done) as f:
            lines = f.read().splitlines()
        if lines and lines[0] == DATA_SET:
            return "reused " + os.path.relpath(DATA, ROOT) + " (" + lines[1] + ")"
    os.makedirs(DATA_DIR, exist_ok=True)
    for leftover in (DATA, DATA + "-wal", DATA + "-shm"):
        if os.path.exists(leftover):
            os.remove(leftover)
    print("Generating the data set once (about a minute)...", flush=True)
    out = subprocess.run(
        [BIN, "synth", "--slug", SLUG, "--owner-password", OWNER_PASSWORD],
        env=env(), text=True, stdout=subprocess.PIPE)
    if out.returncode != 0:
        sys.exit("brigade synth failed")
    line = generator_line(out.stdout)
    with open(done, "w") as f:
        f.write(DATA_SET + "\n" + line + "\n")
    return line


def wrk(path, token, connections, base=BASE, cookie=None, tolerate_errors=False):
    """wrk's numbers for `path`, sent with the API token, or with the console session `cookie`.
    Any error or answer other than 2xx stops the run, except socket errors where tolerated
    (the reference server drops a few connections at 32): they are counted in the result."""
    threads = min(connections, 2)
    header = f"Cookie: {cookie}" if cookie else f"Authorization: Bearer {token}"
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{SECONDS}s", "--latency",
           "-s", os.path.join(ROOT, "bench", "report.lua"), "-H", header, base + path]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    line = [l for l in out.splitlines() if l.startswith("{")][-1]
    r = json.loads(line)
    if r["non_2xx"] or (r["errors"] and not tolerate_errors):
        sys.exit(f"{path}: {r['errors']} errors, {r['non_2xx']} non-2xx answers")
    r["per_second"] = r["requests"] / (r["duration_us"] / 1e6)
    return r


def wait_for_server(server):
    for _ in range(300):
        if server.poll() is not None:
            sys.exit("the server stopped")
        try:
            urllib.request.urlopen(BASE + "/login", timeout=1)
            return
        except Exception:
            time.sleep(0.1)
    sys.exit("the server did not answer")


def signed_in(email=OWNER):
    """An opener holding a console session of `email` (the owner's password), and the
    session's Cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = urllib.parse.urlencode({"identifier": email, "password": OWNER_PASSWORD}).encode()
    opener.open(urllib.request.Request(BASE + "/rpc/login", data=form,
                                       headers={"Origin": BASE, "Accept": "application/json"}))
    if not jar:
        sys.exit(f"{email} did not sign in")
    return opener, "; ".join(f"{c.name}={c.value}" for c in jar)


def console_pages():
    opener, _ = signed_in()
    pages = {}
    for path in ["/connectors", "/users", "/outlets", "/me"]:
        times, size = [], 0
        for _ in range(25):
            started = time.perf_counter()
            with opener.open(BASE + path) as response:
                body = response.read()
                if response.status != 200 or not response.geturl().endswith(path):
                    sys.exit(f"{path}: {response.status} at {response.geturl()}")
            times.append(time.perf_counter() - started)
            size = len(body)
        pages[path] = (statistics.median(times[5:]) * 1000, size)
    return pages


def packaged(name):
    """A file of the bundle: its size, and its size as served gzipped."""
    path = os.path.join(PKG, name)
    raw = os.path.getsize(path)
    gz = path + ".gz"
    return raw, (os.path.getsize(gz) if os.path.exists(gz)
                 else len(gzip.compress(open(path, "rb").read(), 9)))


# The lazy route (src/console/mod.rs) each measured page's code is split into.
ROUTES = {"/users": "people", "/connectors": "access", "/outlets": "outlets",
          "/me": "me", "/settings": "settings", "/security": "security"}

# The pages served without the app (src/console/mod.rs, WITHOUT_THE_APP), each as a
# signed-out visitor gets it: their scripts are read from the HTML itself.
WITHOUT_THE_APP = ["/login"]


def served_scripts(path):
    """The scripts the page at `path` loads as the server serves it (signed out): those its
    HTML names, a file of the site each (src/href under the site root)."""
    with urllib.request.urlopen(BASE + path) as response:
        html = response.read().decode()
    if "/pkg/brigade.js" in html:
        sys.exit(f"{path} loads the app: measure it as one of ROUTES")
    named = re.findall(r'<script[^>]*\bsrc="(/[^"]+)"', html) + re.findall(
        r'<link[^>]*\brel="(?:modulepreload|preload)"[^>]*\bhref="(/[^"]+)"', html)
    return [packaged(os.path.join("..", name.lstrip("/"))) for name in named]


def bundle(served):
    """What the browser downloads to make each page interactive: for a page served without the
    app, the scripts its HTML names (`served`: measured while the server ran); for the others,
    the loader, the main module and the split loader, then the page's own module and the chunks
    it shares with others (cargo-leptos' split manifest names them all, the page's own module
    among them); and the whole bundle."""
    with open(os.path.join(PKG, "__wasm_split_manifest.json")) as f:
        manifest = json.load(f)
    base = ["brigade.js", "brigade.wasm"] + [
        n for n in os.listdir(PKG) if n.startswith("__wasm_split") and n.endswith(".js")]
    sizes = {}
    for page, files in served.items():
        sizes[f"first load of {page} (no app; this server offers no passkeys)"] = (
            sum(r for r, _ in files), sum(g for _, g in files))
    # Where passkeys are offered (a public address with a host name), the sign-in page names
    # its button's script too; the bench's server is reached by an IP address.
    sizes["/login's passkey script, where passkeys are offered"] = packaged(
        os.path.join("..", "passkey-sign-in.js"))
    for page, route in ROUTES.items():
        key = next(k for k in manifest if k.startswith(f"__{route}_route_view_"))
        names = base + [c + ".wasm" for c in manifest[key]]
        files = [packaged(n) for n in names]
        sizes[f"first load of {page}"] = (sum(r for r, _ in files), sum(g for _, g in files))
    every = [packaged(n) for n in os.listdir(PKG) if n.endswith((".js", ".wasm"))]
    sizes["every chunk of every page"] = (sum(r for r, _ in every), sum(g for _, g in every))
    return sizes


def rss_mb(pid, field="VmRSS"):
    """The server's resident memory now (VmRSS), or the most it has held (VmHWM), in MB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


EXPORTS = [("people list", "/exports/people.csv"), ("access report", "/exports/access.csv")]


def exports(url):
    """Each CSV export of the whole organization, downloaded by the owner from a fresh server
    on the database at `url`: rows, size, time, and the server's memory before and at its
    peak (VmHWM: the most it ever held, so each export's peak includes what came before)."""
    server = started(url)
    try:
        opener, _ = signed_in()
        # A first page loaded, so that the peak counts the export and not the start.
        opener.open(BASE + "/users").read()
        results = []
        for name, path in EXPORTS:
            print(f"Exporting the {name}...", flush=True)
            before = rss_mb(server.pid)
            size = rows = 0
            began = time.perf_counter()
            with opener.open(BASE + path) as response:
                if response.status != 200:
                    sys.exit(f"{path}: {response.status}")
                while chunk := response.read(1 << 16):
                    size += len(chunk)
                    rows += chunk.count(b"\n")
            took = time.perf_counter() - began
            results.append((name, path, rows - 1, size, took, before,
                            rss_mb(server.pid, "VmHWM")))
        return results
    finally:
        stopped(server)


def started(url, *flags, **extra):
    server = subprocess.Popen([BIN, "serve", *flags], env=env(DATABASE_URL=url, **extra),
                              stdout=subprocess.DEVNULL)
    wait_for_server(server)
    return server


def stopped(server):
    server.terminate()
    server.wait()


def create_token(url):
    return brigade("token", "create", "--org", SLUG, "--role", "Integration",
                   "--name", f"bench-{time.time_ns()}", DATABASE_URL=url).strip().splitlines()[-1]


def layers_cost(url, path):
    """What the request-id and metrics layers cost on `path`: the same binary with them (and
    the metrics listener on, as in production) and without them, alternated ROUNDS times
    (the order swapped every round); wrk's throughput of every run."""
    token = create_token(url)
    setups = {
        "with": ([], dict(BRIGADE_METRICS_ADDR=METRICS_ADDR)),
        "without": (["--without-operations-layers"], {}),
    }
    runs = {name: {2: [], 32: []} for name in setups}
    for round in range(ROUNDS):
        order = list(setups) if round % 2 == 0 else list(reversed(setups))
        for name in order:
            flags, extra = setups[name]
            print(f"Layers {name}, round {round + 1} of {ROUNDS}...", flush=True)
            server = started(url, *flags, **extra)
            try:
                # Compare what is claimed: ids only where the layers are, metrics counted there.
                request = urllib.request.Request(BASE + path,
                                                 headers={"Authorization": f"Bearer {token}"})
                with urllib.request.urlopen(request) as answer:
                    if (answer.headers.get("x-request-id") is not None) != (name == "with"):
                        sys.exit(f"the server {name} the layers answered with the wrong headers")
                wrk(path, token, 2)  # warm up
                for connections in (2, 32):
                    runs[name][connections].append(wrk(path, token, connections)["per_second"])
                if name == "with":
                    text = urllib.request.urlopen(f"http://{METRICS_ADDR}/metrics").read().decode()
                    route = path.split("?")[0]
                    if f'route="{route}"' not in text:
                        sys.exit(f"the metrics did not count {route}")
            finally:
                stopped(server)
    return runs


SCIM_VENV = os.path.join(ROOT, "target", "scim-venv")
REFERENCE_ADDR = "127.0.0.1:3392"
REFERENCE_USERS = 1000


def scim_lookup_path(user_name):
    return "/Users?filter=" + urllib.parse.quote(f'userName eq "{user_name}"')


def scim_call(base, token, method, path, body=None):
    request = urllib.request.Request(base + path, method=method,
                                     data=json.dumps(body).encode() if body else None,
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": "application/scim+json"})
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read() or b"null")


def scim_lookup(url):
    """`GET /scim/v2/Users?filter=userName eq "…"` at 2 and 32 connections, on the server of
    the database at `url` (a person 100,000 into the organization's 200,000)."""
    token = brigade("scim-token", "create", "--org", SLUG, "--name", f"bench-scim-{time.time_ns()}",
                    DATABASE_URL=url).strip().splitlines()[-1]
    server = started(url)
    try:
        base = BASE + "/scim/v2"
        page = scim_call(base, token, "GET", "/Users?count=1&startIndex=100000&attributes=userName")
        user_name = page["Resources"][0]["userName"]
        path = scim_lookup_path(user_name)
        found = scim_call(base, token, "GET", path)
        if found["totalResults"] != 1:
            sys.exit(f"SCIM lookup of {user_name} found {found['totalResults']}")
        wrk(path, token, 2, base)  # warm up
        return wrk(path, token, 2, base), wrk(path, token, 32, base)
    finally:
        stopped(server)


def reference_lookup():
    """The same lookup on scim2-server (the reference implementation, in memory) holding
    REFERENCE_USERS users, started from the virtualenv `.ci/scim` makes."""
    python = os.path.join(SCIM_VENV, "bin", "python")
    if not os.path.exists(os.path.join(SCIM_VENV, "bin", "scim2-server")):
        subprocess.run([sys.executable, "-m", "venv", SCIM_VENV], check=True)
        subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "scim2-cli==0.6.0", "scim2-server==0.8.3"], check=True)
    host, port = REFERENCE_ADDR.split(":")
    server = subprocess.Popen([os.path.join(SCIM_VENV, "bin", "scim2-server"), "--hostname", host,
                               "--port", port, "--bearer-token", "bench"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://{REFERENCE_ADDR}"
    try:
        for _ in range(100):
            try:
                scim_call(base, "bench", "GET", "/ServiceProviderConfig")
                break
            except Exception:
                time.sleep(0.1)
        print(f"Loading {REFERENCE_USERS} users into scim2-server...", flush=True)
        for n in range(REFERENCE_USERS):
            name = f"person{n}@reference.example"
            scim_call(base, "bench", "POST", "/Users", {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name,
                "emails": [{"value": name, "primary": True}], "active": True})
        path = scim_lookup_path(f"person{REFERENCE_USERS // 2}@reference.example")
        run = lambda connections: wrk(path, "bench", connections, base, tolerate_errors=True)
        run(2)  # warm up
        return run(2), run(32)
    finally:
        stopped(server)


# The scripts of the pages served without the app, read while the first server ran.
SERVED = {}


def measure(url):
    """The API lists under wrk (beside the in-process floor), the console pages and the
    server's memory, on the database at `url`."""
    token = create_token(url)
    print("Running the requests in-process...", flush=True)
    floors = [json.loads(l) for l in
              brigade("measure", "--org", SLUG, "--seconds", str(SECONDS),
                      DATABASE_URL=url).splitlines() if l]
    server = started(url)
    try:
        rows = []
        for floor in floors:
            print(f"Loading {floor['name']}...", flush=True)
            cookie = signed_in(floor["signed_in"])[1] if floor["signed_in"] else None
            wrk(floor["path"], token, 2, cookie=cookie)  # warm up
            two = wrk(floor["path"], token, 2, cookie=cookie)
            many = wrk(floor["path"], token, 32, cookie=cookie)
            rows.append((floor, two, many))
        pages = console_pages()
        for path in WITHOUT_THE_APP:
            SERVED.setdefault(path, served_scripts(path))
        rss = rss_mb(server.pid)
    finally:
        stopped(server)
    return rows, pages, rss


def main():
    if not os.path.exists(BIN) or shutil.which("wrk") is None:
        sys.exit("run `make bench` (it builds the release and installs wrk)")
    imports = outlet_import()
    runs = [("SQLite", data_set(), *measure(SQLITE_URL), exports(SQLITE_URL))]
    scim = [("Brigade, SQLite (200,000 people)", *scim_lookup(SQLITE_URL))]
    connectors = runs[0][2][0][0]
    layers = (connectors["name"], layers_cost(SQLITE_URL, connectors["path"]))
    if POSTGRES:
        url, generated = postgres_data_set()
        runs.append(("PostgreSQL", generated, *measure(url), exports(url)))
        scim.append(("Brigade, PostgreSQL (200,000 people)", *scim_lookup(url)))
    scim.append((f"scim2-server, the reference (in memory, {REFERENCE_USERS:,} users)",
                 *reference_lookup()))
    report(imports, runs, layers, bundle(SERVED), scim)


def layers_lines(name, cost):
    lines = ["", f"## What the request-id and metrics layers cost (SQLite, `{name}`; median of "
             f"{ROUNDS} alternated runs of {SECONDS} s each)", "",
             "With: `brigade serve` with `BRIGADE_METRICS_ADDR` set (request ids, the request span "
             "carrying them, requests counted and timed by route). Without: the same binary, "
             "`serve --without-operations-layers`. The health endpoints are routes, not layers: "
             "in both.", "",
             "| connections | with (median, range) | without (median, range) | cost of the medians |",
             "| ---: | ---: | ---: | ---: |"]
    cell = lambda runs: (f"{statistics.median(runs):,.0f} req/s "
                         f"({min(runs):,.0f}–{max(runs):,.0f})")
    for connections in (2, 32):
        with_, without = cost["with"][connections], cost["without"][connections]
        share = (statistics.median(without) - statistics.median(with_)) / statistics.median(without)
        lines.append(f"| {connections} | {cell(with_)} | {cell(without)} | {share * 100:+.1f}% |")
    return lines


def scim_lines(scim):
    ms = lambda us: f"{us / 1000:.2f} ms"
    reference = scim[-1][2]["per_second"]
    lines = ["", f"## SCIM: `GET /scim/v2/Users?filter=userName eq \"…\"` (wrk, {SECONDS} s per run)",
             "", "What Okta and Entra ID send before each create. The target: at least 20 times "
             "the reference server on the same machine.", "",
             "| server | req/s @2 | p50 @2 | p99 @2 | req/s @32 | p50 @32 | p99 @32 | × reference @32 |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, two, many in scim:
        if two["errors"] or many["errors"]:
            name += f" ({two['errors']} and {many['errors']} socket errors)"
        lines.append(
            f"| {name} | {two['per_second']:,.0f} | {ms(two['p50_us'])} | {ms(two['p99_us'])} | "
            f"{many['per_second']:,.0f} | {ms(many['p50_us'])} | {ms(many['p99_us'])} | "
            f"{many['per_second'] / reference:.1f}x |")
    return lines


def report(imports, runs, layers, sizes, scim):
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                if l.startswith("model name")), platform.processor())
    lines = [
        "# Brigade at restaurant-group scale",
        "",
        f"Measured by `make bench` on {datetime.date.today().isoformat()}: {os.cpu_count()} CPUs "
        f"({cpu}), release build, server and load generator on the same machine.",
        "",
    ]
    for backend, generated, *_ in runs:
        lines.append(f"- {backend}: {generated.rstrip('.')}.")
    if len(runs) > 1:
        lines += ["", "PostgreSQL 15 is the throwaway cluster of `.ci/with-postgres` (fsync off, "
                  "default memory settings) on the same machine: a comparison of the two stores "
                  "as Brigade uses them, not a tuned server."]
    ms = lambda us: f"{us / 1000:.2f} ms"
    for backend, _, rows, pages, rss, exported in runs:
        lines += [
            "",
            "## API lists on {0} (wrk, {1} s per run; in-process: `brigade measure`, the same "
            "use-case and SQL without HTTP, token and JSON, {1} s per request after 20 untimed "
            "runs)".format(backend, SECONDS),
            "",
            "| request | req/s @2 | p50 @2 | p99 @2 | req/s @32 | p50 @32 | p99 @32 | in-process p50 | ratio @2 |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for floor, two, many in rows:
            ratio = two["p50_us"] / max(floor["p50_us"], 1)
            lines.append(
                f"| {floor['name']} | {two['per_second']:,.0f} | {ms(two['p50_us'])} | "
                f"{ms(two['p99_us'])} | {many['per_second']:,.0f} | {ms(many['p50_us'])} | "
                f"{ms(many['p99_us'])} | {ms(floor['p50_us'])} | {ratio:.1f}x |")
        lines += ["", f"## Console on {backend} (signed in as the owner; median of 20, over loopback)",
                  "", "| page | time | size |", "| --- | ---: | ---: |"]
        for path, (millis, size) in pages.items():
            lines.append(f"| `{path}` | {millis:.1f} ms | {size / 1024:.0f} KB |")
        lines += ["", f"Server memory after the load on {backend}: {rss:.0f} MB RSS."]
        lines += ["", f"## CSV exports on {backend} (the owner downloads the whole organization; "
                  "streamed, pages of 500)", "",
                  "Memory: the server's resident memory before the download, and the most it "
                  "has held by its end (a fresh server; the people list is downloaded first).", "",
                  "| export | rows | size | time | rows/s | memory before | peak by the end |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for name, path, count, size, took, before, peak in exported:
            lines.append(f"| {name} (`{path}`) | {count:,} | {size / 1024 / 1024:.1f} MB | "
                         f"{took:.1f} s | {count / took:,.0f} | {before:.0f} MB | {peak:.0f} MB |")
        if backend == "SQLite":
            lines += layers_lines(*layers)
    lines += scim_lines(scim)
    lines += ["", "## Browser bundle (WebAssembly and JavaScript, split per page)", "",
              "The sign-in page is served without the app (plain forms; `WITHOUT_THE_APP` in "
              "src/console/mod.rs): its row counts the scripts its HTML names. The others load "
              "the app: its main module, and their own chunks.", "",
              "| what | raw | gzipped |",
              "| --- | ---: | ---: |"]
    for name, (raw, gz) in sizes.items():
        lines.append(f"| {name} | {raw / 1024:.0f} KB | {gz / 1024:.0f} KB |")
    lines += ["", f"Importing 2,000 outlets from CSV into a fresh SQLite database: {imports[0]:.2f} s; "
              f"the same file again (nothing to change): {imports[1]:.2f} s.", ""]
    text = "\n".join(lines)
    print("\n" + text)
    with open(os.path.join(ROOT, "bench", "RESULTS.md"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()

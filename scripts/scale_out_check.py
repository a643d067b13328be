#!/usr/bin/env python3
"""Two Canceldesk instances behind nginx on one database, with no sticky sessions.

    python3 scripts/scale_out_check.py [--binary target/debug/canceldesk]

Starts, all on loopback and all in a temporary directory: a private PostgreSQL cluster (so that
restarting it disturbs nobody), an SMTP sink, two instances of the app (`a` and `b`, background
jobs on) and nginx balancing between them round-robin. Then checks:

1. a sign-in through nginx works on both instances: pages and CSRF-protected POSTs are answered
   by `a` and by `b` (the `X-Canceldesk-Instance` header), each response with an `X-Request-Id`;
2. 1,000 notices enqueued while both instances' workers run are each sent exactly once;
3. SIGTERM to one instance in the middle of a load of GETs through nginx: no request fails, and
   the instance exits 0 within its grace period;
4. PostgreSQL restarted: `/readyz` answers 503 while it is down, and 200 again (and pages are
   served through nginx) within 10 s of it being back, without restarting the app.

Installs Debian's nginx when it is missing (never downloads anything else). Exits non-zero with
the reason and the tail of every log on the first failed check. Python standard library only.
"""
import argparse, base64, glob, http.client, json, os, re, shutil, signal, socket, socketserver
import subprocess, sys, tempfile, threading, time, urllib.parse

NOTICES = 1000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fail(message):
    raise SystemExit(f"FAIL: {message}")


def passed(message):
    print(f"PASS: {message}", flush=True)


class Box:
    """Everything started, for cleaning up."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="canceldesk-scale-")
        os.chmod(self.tmp, 0o777)  # the postgres user and nginx's workers write here
        self.processes = []
        self.logs = []
        self.as_postgres = os.geteuid() == 0

    def run_pg(self, *args):
        """A PostgreSQL tool, as the postgres user when we are root."""
        command = list(args)
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--"] + command
        return subprocess.run(command, check=True, capture_output=True, text=True)

    def start(self, command, log_name, env=None):
        log = open(os.path.join(self.tmp, log_name), "w")
        self.logs.append(log.name)
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env,
                                   cwd=self.tmp, start_new_session=True)
        self.processes.append(process)
        return process

    def tails(self):
        for name in self.logs:
            try:
                lines = open(name, errors="replace").read().splitlines()[-25:]
            except OSError:
                continue
            print(f"--- {name} (last {len(lines)} lines)")
            print("\n".join(lines))

    def cleanup(self):
        for process in self.processes:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


# --- PostgreSQL -----------------------------------------------------------------------------

class Cluster:
    def __init__(self, box):
        versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
        if not versions:
            fail("no PostgreSQL binaries under /usr/lib/postgresql")
        self.bin = versions[-1]
        self.box = box
        self.dir = os.path.join(box.tmp, "pg")
        self.port = free_port()
        self.log = os.path.join(box.tmp, "postgres.log")
        box.logs.append(self.log)
        os.mkdir(self.dir)
        if box.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        box.run_pg(f"{self.bin}/initdb", "-D", self.dir, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()
        box.run_pg(f"{self.bin}/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "canceldesk")

    def pg_ctl(self, *args):
        return self.box.run_pg(f"{self.bin}/pg_ctl", "-D", self.dir, "-l", self.log, *args)

    def start(self):
        self.pg_ctl("-w", "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1", "start")

    def stop(self):
        self.pg_ctl("-w", "-m", "fast", "stop")

    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/canceldesk"

    def sql(self, statement):
        return subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d",
                               "canceldesk", "-v", "ON_ERROR_STOP=1", "-Atc", statement],
                              check=True, capture_output=True, text=True).stdout.strip()


# --- SMTP sink ------------------------------------------------------------------------------

class Sink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SmtpHandler)
        self.lock = threading.Lock()
        self.messages = []  # (recipients, data)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def recipients(self):
        with self.lock:
            return [r for rcpts, _ in self.messages for r in rcpts]


class SmtpHandler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write((line + "\r\n").encode())

    def handle(self):
        self.reply("220 sink ESMTP")
        recipients = []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.decode(errors="replace").strip().upper()
            if verb.startswith("EHLO"):
                self.wfile.write(b"250-sink\r\n250 8BITMIME\r\n")
            elif verb.startswith("HELO") or verb.startswith("MAIL") or verb.startswith("NOOP"):
                self.reply("250 OK")
            elif verb.startswith("RSET"):
                recipients = []
                self.reply("250 OK")
            elif verb.startswith("RCPT"):
                recipients.append(re.search(r"<([^>]*)>", line.decode()).group(1).lower())
                self.reply("250 OK")
            elif verb.startswith("DATA"):
                self.reply("354 go on")
                data = []
                while True:
                    chunk = self.rfile.readline()
                    if not chunk or chunk in (b".\r\n", b".\n"):
                        break
                    data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                with self.server.lock:
                    self.server.messages.append((recipients, b"".join(data)))
                recipients = []
                self.reply("250 queued")
            elif verb.startswith("QUIT"):
                self.reply("221 bye")
                return
            else:
                self.reply("502 not here")


# --- HTTP -----------------------------------------------------------------------------------

class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        return self.headers.get(name.lower())


def request(port, method, path, cookie=None, form=None, timeout=15, connection=None):
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {}
    body = None
    if cookie:
        headers["Cookie"] = cookie
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read().decode(errors="replace")
    response = Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
    response.set_cookies = [v for k, v in r.getheaders() if k.lower() == "set-cookie"]
    if connection is None:
        conn.close()
    return response


def wait_until(what, check, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return time.monotonic()
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.1)
    fail(f"{what} within {seconds} s")


def csrf_of(html):
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if not found:
        fail("no CSRF token on the page")
    return found.group(1)


# --- The set-up -----------------------------------------------------------------------------

def start_instance(box, binary, name, env):
    env = dict(env, CANCELDESK_INSTANCE_NAME=name, CANCELDESK_BIND=f"127.0.0.1:{env['PORT_' + name]}")
    process = box.start([binary, "serve"], f"instance-{name}.log", env=env)
    port = int(env["PORT_" + name])
    wait_until(f"instance {name} ready", lambda: request(port, "GET", "/readyz", timeout=2).status == 200, 90)
    return process


def nginx_config(box, port, upstreams):
    user = "user www-data;" if box.as_postgres and shutil.which("nginx") and _has_user("www-data") else ""
    servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=0;" for p in upstreams)
    t = box.tmp
    return f"""
{user}
worker_processes 1;
pid {t}/nginx.pid;
error_log {t}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
  access_log {t}/nginx-access.log;
  client_body_temp_path {t}/nginx-body;
  proxy_temp_path {t}/nginx-proxy;
  fastcgi_temp_path {t}/nginx-fastcgi;
  uwsgi_temp_path {t}/nginx-uwsgi;
  scgi_temp_path {t}/nginx-scgi;
  client_max_body_size 60m;
  upstream canceldesk {{
{servers}
    keepalive 16;
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://canceldesk;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Request-Id $request_id;
      proxy_connect_timeout 2s;
      proxy_next_upstream error timeout http_502 http_503;
    }}
  }}
}}
"""


def _has_user(name):
    try:
        import pwd
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def ensure_nginx():
    if shutil.which("nginx") or os.path.exists("/usr/sbin/nginx"):
        return shutil.which("nginx") or "/usr/sbin/nginx"
    print("installing nginx from Debian's packages", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "nginx"], check=True,
                   env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"), stdout=subprocess.DEVNULL)
    return shutil.which("nginx") or "/usr/sbin/nginx"


# --- The checks -----------------------------------------------------------------------------

def check_sessions_span_instances(proxy):
    login = request(proxy, "GET", "/login")
    cookie = "; ".join(c.split(";")[0] for c in login.set_cookies)
    signed = request(proxy, "POST", "/login", cookie=cookie, form={
        "csrf_token": csrf_of(login.body), "email": "agent@canceldesk.test",
        "password": "desk-demo-password", "next": ""})
    if signed.status != 303 or "/login" in signed.header("location"):
        fail(f"sign-in through nginx answered {signed.status} {signed.header('location')}")
    cookie = "; ".join(c.split(";")[0] for c in signed.set_cookies) or cookie
    seen, ids = set(), set()
    queue = None
    for _ in range(20):
        page = request(proxy, "GET", "/queue", cookie=cookie)
        if page.status != 200:
            fail(f"GET /queue with the session answered {page.status} {page.header('location')}")
        seen.add(page.header("x-canceldesk-instance"))
        ids.add(page.header("x-request-id"))
        queue = page
    if seen != {"a", "b"}:
        fail(f"the queue was answered by {seen}, not by both instances")
    if None in ids or "" in ids or len(ids) != 20:
        fail("not every response carried its own X-Request-Id")
    reference = re.search(r"/cases/(CX-[A-Z0-9-]+)", queue.body).group(1)
    token = csrf_of(queue.body)
    posted = set()
    for n in range(8):
        noted = request(proxy, "POST", f"/cases/{reference}/notes", cookie=cookie,
                        form={"csrf_token": token, "note": f"scale-out note {n}"})
        if noted.status != 303:
            fail(f"a note through nginx answered {noted.status}: {noted.body[:300]}")
        posted.add(noted.header("x-canceldesk-instance"))
    if posted != {"a", "b"}:
        fail(f"notes were taken by {posted}, not by both instances")
    passed("one sign-in works on both instances: 20 pages and 8 CSRF-checked notes, each "
           "instance answered some; every response has its own X-Request-Id")
    return cookie


def check_notices_exactly_once(cluster, sink):
    before = len(sink.recipients())
    cluster.sql(f"""
        INSERT INTO notices (case_id, kind, channel, recipient, subject, body)
        SELECT (SELECT min(id) FROM cases), 'received', 'email',
               'scale' || lpad(n::text, 4, '0') || '@example.test', 'Scale-out check', 'Notice ' || n
        FROM generate_series(1, {NOTICES}) n""")
    started = time.monotonic()

    def all_sent():
        return cluster.sql("SELECT count(*) FROM notices WHERE recipient LIKE 'scale%@example.test' "
                           "AND status = 'sent'") == str(NOTICES)
    wait_until(f"{NOTICES} notices sent", all_sent, 180)
    took = time.monotonic() - started
    time.sleep(2)  # a duplicate would arrive now
    ours = [r for r in sink.recipients()[before:] if r.startswith("scale")]
    counts = {}
    for r in ours:
        counts[r] = counts.get(r, 0) + 1
    twice = [r for r, c in counts.items() if c > 1]
    if len(counts) != NOTICES or twice:
        fail(f"{len(counts)} of {NOTICES} recipients got mail; sent more than once: {twice[:5]}")
    passed(f"{NOTICES} notices with both instances' workers running: each sent exactly once "
           f"(in {took:.1f} s)")


def check_graceful_stop(box, proxy, cookie, instance_a):
    failures, statuses, stop = [], [], threading.Event()

    def load():
        conn = http.client.HTTPConnection("127.0.0.1", proxy, timeout=15)
        while not stop.is_set():
            for path in ("/queue", "/healthz"):
                try:
                    r = request(proxy, "GET", path, cookie=cookie, connection=conn)
                    statuses.append(r.status)
                    if r.status != 200:
                        failures.append(f"{path} {r.status}")
                except (OSError, http.client.HTTPException) as e:
                    failures.append(f"{path} {e!r}")
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", proxy, timeout=15)
        conn.close()

    threads = [threading.Thread(target=load) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(2)
    instance_a.send_signal(signal.SIGTERM)
    stopped_at = time.monotonic()
    try:
        code = instance_a.wait(timeout=25)
    except subprocess.TimeoutExpired:
        code = None
    exit_took = time.monotonic() - stopped_at
    time.sleep(max(0.0, 6 - exit_took))
    stop.set()
    for t in threads:
        t.join()
    if code != 0:
        fail(f"instance a exited with {code} after SIGTERM")
    if failures:
        fail(f"{len(failures)} of {len(statuses) + len(failures)} requests failed during the stop: {failures[:5]}")
    passed(f"SIGTERM to instance a under load: it exited 0 after {exit_took:.1f} s and none of "
           f"{len(statuses)} requests through nginx failed")


def check_database_restart(cluster, proxy, cookie, port_b):
    cluster.stop()
    wait_until("/readyz of b to answer 503 with the database down",
               lambda: request(port_b, "GET", "/readyz", timeout=5).status == 503, 15)
    cluster.start()
    back = time.monotonic()
    ready = wait_until("/readyz of b to answer 200 again",
                       lambda: request(port_b, "GET", "/readyz", timeout=5).status == 200, 10)
    served = wait_until("pages through nginx again",
                        lambda: request(proxy, "GET", "/queue", cookie=cookie, timeout=5).status == 200,
                        10 - (time.monotonic() - back))
    passed(f"PostgreSQL restarted: /readyz 503 while down, 200 {ready - back:.1f} s after it was back; "
           f"pages through nginx after {served - back:.1f} s")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default="target/debug/canceldesk")
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        fail(f"{binary} is not built (cargo build)")
    nginx = ensure_nginx()
    box = Box()
    try:
        cluster = Cluster(box)
        sink = Sink()
        key = base64.b64encode(os.urandom(32)).decode()
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": box.tmp,
            "CANCELDESK_DATABASE_URL": cluster.url(),
            "CANCELDESK_TRUSTED_PROXIES": "1",
            "CANCELDESK_PUBLIC_URL": "http://127.0.0.1:8080",
            "CANCELDESK_SMTP_HOST": "127.0.0.1", "CANCELDESK_SMTP_PORT": str(sink.server_address[1]),
            "CANCELDESK_SMTP_TLS": "none", "CANCELDESK_NOTICE_POLL_SECONDS": "1",
            "CANCELDESK_SHUTDOWN_GRACE_SECONDS": "10", "CANCELDESK_LOG_FORMAT": "json",
            "CANCELDESK_LOG": "info", "CANCELDESK_WORKERS": "2",
            # Both instances must read the same second factors.
            "CANCELDESK_TOTP_KEYS": json.dumps([f"ci:{key}"]),
            "PORT_a": str(free_port()), "PORT_b": str(free_port()),
        }
        seeded = subprocess.run([binary, "demo", "--cases", "300"], env=env, cwd=box.tmp,
                                capture_output=True, text=True)
        if seeded.returncode != 0:
            fail(f"seeding: {seeded.stdout}{seeded.stderr}")
        instance_a = start_instance(box, binary, "a", env)
        start_instance(box, binary, "b", env)
        proxy = free_port()
        conf = os.path.join(box.tmp, "nginx.conf")
        with open(conf, "w") as f:
            f.write(nginx_config(box, proxy, [int(env["PORT_a"]), int(env["PORT_b"])]))
        box.start([nginx, "-p", box.tmp, "-c", conf, "-e", os.path.join(box.tmp, "nginx-error.log"),
                   "-g", "daemon off;"], "nginx.log")
        box.logs.append(os.path.join(box.tmp, "nginx-error.log"))
        wait_until("nginx answering", lambda: request(proxy, "GET", "/healthz", timeout=2).status == 200, 20)
        passed(f"two instances and nginx up (PostgreSQL {cluster.bin.split('/')[-2]} on port {cluster.port})")

        cookie = check_sessions_span_instances(proxy)
        check_notices_exactly_once(cluster, sink)
        check_graceful_stop(box, proxy, cookie, instance_a)
        start_instance(box, binary, "a", env)
        check_database_restart(cluster, proxy, cookie, int(env["PORT_b"]))
        print("scale-out check: all passed", flush=True)
    except (SystemExit, Exception) as e:
        if not (isinstance(e, SystemExit) and e.code in (0, None)):
            print(e if isinstance(e, SystemExit) else f"FAIL: {e!r}", flush=True)
            box.tails()
            box.cleanup()
            sys.exit(1)
        raise
    finally:
        box.cleanup()


if __name__ == "__main__":
    main()

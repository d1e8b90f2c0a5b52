"""The production setup of README.md "Production", run as written: its gunicorn pools and its nginx
block, with only addresses and paths changed (free loopback ports, a throwaway certificate, this
checkout's folder). Used by ``tests/deploy/test_production_nginx.py`` and the load benchmark.

The README is the single source: the gunicorn command lines and the ``nginx`` block are read
from it, so what is documented is what is tested.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
HOST = "kcn.example.gov.vn"


def production_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Production\n")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def readme_nginx() -> str:
    """The ``nginx`` block of README "Production"."""
    (block,) = re.findall(r"```nginx\n(.*?)```", production_section(), re.S)
    return block


@dataclass
class Pool:
    """One gunicorn command line of README "Production"."""

    env: dict[str, str]
    args: list[str]
    port: int

    @property
    def name(self) -> str:
        return "tiles" if "KCN_RENDER_REDIRECT" in self.env else "app"


def readme_pools() -> list[Pool]:
    """The gunicorn command lines of README "Production" (environment prefix, arguments, port)."""
    (block,) = re.findall(r"```sh\n(.*?)```", production_section(), re.S)[:1]
    pools = []
    for line in block.splitlines():
        words = shlex.split(line.split("#", 1)[0])
        env = {}
        while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
            key, _, value = words.pop(0).partition("=")
            env[key] = value
        if words and words[0].endswith("/gunicorn"):
            bind = words[words.index("-b") + 1]
            pools.append(Pool(env, words[1:], int(bind.rsplit(":", 1)[1])))
    return pools


def readme_mapserver() -> tuple[list[str], str]:
    """README "Production"'s ``spawn-fcgi`` arguments and its ``KCN_MAPSERVER_URL``."""
    (block,) = re.findall(r"```sh\n(.*?)```", production_section(), re.S)[:1]
    (line,) = [x for x in block.splitlines() if " spawn-fcgi " in x]
    (url,) = re.findall(r"^export KCN_MAPSERVER_URL=(\S+)", block, re.M)
    return shlex.split(line.split(" spawn-fcgi ", 1)[1].split("#", 1)[0]), url


def make_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "fullchain.pem", directory / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", f"/CN={HOST}"],
        check=True,
        capture_output=True,
    )
    return cert, key


NGINX_MAIN = """worker_processes {workers};
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log {dir}/nginx-access.log;
    client_body_temp_path {dir}/tmp/body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;
{site}
}}
"""


@dataclass
class Stack:
    """nginx in front of the README's pools; ``url`` is the HTTPS address (Host: ``HOST``)."""

    directory: Path
    https_port: int
    http_port: int
    pools: dict[str, object] = field(default_factory=dict)  # name -> tests.faults.server.Gunicorn
    nginx: subprocess.Popen | None = None
    mapserver_pids: list[int] = field(default_factory=list)  # spawn-fcgi's mapserv processes

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def access_log(self, pool: str) -> str:
        path = self.directory / f"{pool}-access.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)
            try:
                self.nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
        for pool in self.pools.values():
            pool.stop()
        stop_fastcgi(self.mapserver_pids)


def process_alive(pid: int) -> bool:
    """Running (not gone, not a zombie waiting for its new parent to reap it)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def stop_fastcgi(pids: list[int]) -> None:
    """Stop spawn-fcgi's mapserv processes and wait for them (they hold database connections).

    A mapserv child that has served a request acts on SIGTERM only at its next request
    (MapServer's FastCGI loop checks a flag), so it gets a second, then SIGKILL: it holds no state
    worth a graceful exit (read-only, its database session ends with the socket)."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 1
    while any(process_alive(pid) for pid in pids):
        if time.monotonic() > deadline:
            for pid in pids:
                if process_alive(pid):
                    os.kill(pid, signal.SIGKILL)
            break
        time.sleep(0.05)


def nginx_site(directory: Path, ports: dict[int, int], https_port: int, http_port: int) -> str:
    """README's block with the addresses and paths of this run."""
    cert, key = make_certificate(directory)
    site = readme_nginx()
    for readme_port, port in ports.items():
        site = site.replace(f"127.0.0.1:{readme_port};", f"127.0.0.1:{port};")
    site = site.replace("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    site = site.replace("/etc/ssl/kcn/fullchain.pem", str(cert))
    site = site.replace("/etc/ssl/kcn/privkey.pem", str(key))
    site = site.replace("/srv/kcn-planner/", f"{REPO}/")
    return site


def start(directory: Path, env: dict[str, str], nginx_workers: str = "auto", **pool_args) -> Stack:
    """The pools (``tests.faults.server.Gunicorn`` with README's arguments) and nginx (as
    Debian's ``/etc/nginx/nginx.conf`` runs it: ``worker_processes auto``)."""
    from tests.faults.server import Gunicorn, free_port

    directory.mkdir(parents=True, exist_ok=True)
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (directory / "tmp" / sub).mkdir(parents=True, exist_ok=True)
    stack = Stack(directory, free_port(), free_port())
    # The production settings as deployed: HTTPS redirect, HSTS, secure cookies, behind a proxy.
    env = dict(
        env, DJANGO_SSL_REDIRECT="true", DJANGO_SECURE_COOKIES="true", KCN_BEHIND_PROXY="true"
    )
    env.pop("DJANGO_HSTS_SECONDS", None)
    env["DJANGO_ALLOWED_HOSTS"] = f"{HOST},127.0.0.1,localhost"
    ports = {}
    try:
        # MapServer as README starts it: spawn-fcgi, its configuration written by the command.
        from tests.faults.server import manage

        spawn_args, url = readme_mapserver()
        fcgi_port, mapserver_port = free_port(), free_port()
        readme_fcgi_port = int(spawn_args[spawn_args.index("-p") + 1])
        spawn_args[spawn_args.index("-p") + 1] = str(fcgi_port)
        config = manage(env, "mapserver_config").strip()
        pidfile = directory / "spawn-fcgi.pid"
        subprocess.run(
            ["spawn-fcgi", "-P", str(pidfile), *spawn_args],
            env=dict(os.environ, MAPSERVER_CONFIG_FILE=config),
            check=True,
            capture_output=True,
        )
        stack.mapserver_pids = [int(p) for p in pidfile.read_text().split()]
        readme_port = int(url.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
        env["KCN_MAPSERVER_URL"] = url.replace(f":{readme_port}/", f":{mapserver_port}/")
        ports[readme_port], ports[readme_fcgi_port] = mapserver_port, fcgi_port
        for pool in readme_pools():
            args = list(pool.args)
            args += ["--access-logfile", str(directory / f"{pool.name}-access.log")]
            g = Gunicorn(
                dict(env, **pool.env),
                directory / f"{pool.name}.log",
                args=args,
                health_path="/ogc/conformance?f=json",
                **pool_args,
            )
            stack.pools[pool.name] = g
            ports[pool.port] = g.port
        conf = directory / "nginx.conf"
        conf.write_text(
            NGINX_MAIN.format(
                dir=directory,
                workers=nginx_workers,
                site=nginx_site(directory, ports, stack.https_port, stack.http_port),
            )
        )
        subprocess.run(
            ["nginx", "-t", "-p", str(directory), "-c", str(conf)], check=True, capture_output=True
        )
        stack.nginx = subprocess.Popen(
            ["nginx", "-p", str(directory), "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait(stack)
    except Exception:
        stack.stop()
        raise
    return stack


def _wait(stack: Stack) -> None:
    import requests
    import urllib3

    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)  # the run's own certificate

    deadline = time.monotonic() + 30
    while True:
        try:
            r = requests.get(
                stack.url + "/ogc/conformance?f=json",
                headers={"Host": HOST},
                verify=False,
                timeout=5,
            )
            if r.status_code == 200:
                return
        except requests.RequestException:
            pass
        if stack.nginx.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(
                "nginx did not answer: "
                + (stack.directory / "nginx-error.log").read_text(errors="replace")[-2000:]
            )
        time.sleep(0.2)

#!/usr/bin/python3
"""The web console in a real browser: Debian's chromium, headless, driven by Selenium through
chromium-driver, against the real tocsind and PostgreSQL, with the fake Twilio (tests/fakes) as
the SMS provider and the engine on a manual clock.

It logs in with a token, raises an alert (the confirmation double-tapped: one alert), watches
the `going` count rise when a member's signed reply is posted, sees the escalation step appear
when the server's clock is moved, resolves, logs out and is refused. Every wait is for a
condition in the page (WebDriverWait), never a fixed sleep. Screenshots of each screen at
360x780 and 1280x800 are written to --out.

  console_test.py --tocsind build/server/tocsind --fake-twilio build/tests/fake_twilio_server \\
                  --out build/console-screenshots
Needs TOCSIN_TEST_DATABASE_URL (deploy/test.sh sets it); makes and drops a database of its own.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

ADMIN_TOKEN = "adm_browser_0123456789abcdef0123456789abcdef"
TWILIO_SID = "AC00000000000000000000000000000000"
TWILIO_TOKEN = "fake-auth-token"
NUMBER = "+447700900001"
SIZES = {"phone": (360, 780), "desktop": (1280, 800)}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def with_database(url, name):
    m = re.match(r"^(postgres(?:ql)?://[^/]*)(/[^?]*)?(\?.*)?$", url)
    if not m:
        raise SystemExit(f"cannot read TOCSIN_TEST_DATABASE_URL: {url}")
    return f"{m.group(1)}/{name}{m.group(3) or ''}"


class Api:
    """JSON over loopback, as curl would."""

    def __init__(self, base):
        self.base = base

    def call(self, method, path, body=None, token=None, headers=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=30) as res:
                text = res.read().decode()
                return res.status, (json.loads(text) if text else None)
        except urllib.error.HTTPError as e:
            text = e.read().decode()
            return e.code, (json.loads(text) if text else None)

    def ok(self, method, path, body=None, token=None, want=(200, 201, 204)):
        status, data = self.call(method, path, body, token)
        if status not in want:
            raise AssertionError(f"{method} {path}: {status} {data}")
        return data

    def reply(self, public_url, sender, text):
        """A member's SMS, posted and signed as Twilio would."""
        params = {"MessageSid": "SM" + secrets.token_hex(16), "From": sender, "To": NUMBER, "Body": text}
        url = public_url + "/twilio/sms"
        signed = url + "".join(k + params[k] for k in sorted(params))
        sig = base64.b64encode(hmac.new(TWILIO_TOKEN.encode(), signed.encode(), hashlib.sha1).digest()).decode()
        req = urllib.request.Request(self.base + "/twilio/sms", data=urllib.parse.urlencode(params).encode(),
                                     method="POST")
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
        req.add_header("X-Twilio-Signature", sig)
        with urllib.request.urlopen(req, timeout=30) as res:
            assert res.status == 200, res.status


class World:
    """A database, the fake Twilio and tocsind, torn down on exit."""

    def __init__(self, args):
        self.args = args
        self.dir = tempfile.mkdtemp(prefix="tocsin_browser_")
        self.procs = []
        cluster = os.environ.get("TOCSIN_TEST_DATABASE_URL")
        if not cluster:
            raise SystemExit("TOCSIN_TEST_DATABASE_URL is not set: run through deploy/test.sh")
        self.cluster = cluster
        self.dbname = f"tocsin_browser_{os.getpid()}"
        self.psql(f'DROP DATABASE IF EXISTS "{self.dbname}"')
        self.psql(f'CREATE DATABASE "{self.dbname}"')

    def psql(self, sql, url=None):
        out = subprocess.run(["psql", "-qAtX", "-v", "ON_ERROR_STOP=1", url or self.cluster, "-c", sql],
                             check=True, capture_output=True, text=True)
        return out.stdout.strip()

    def start(self):
        fake = subprocess.Popen([self.args.fake_twilio, "--sid", TWILIO_SID, "--token", TWILIO_TOKEN,
                                 "--numbers", NUMBER, "--no-limit", "--auto-callbacks", "20,40"],
                                stdout=subprocess.PIPE, stderr=open(os.path.join(self.dir, "fake.log"), "w"),
                                text=True)
        self.procs.append(fake)
        line = fake.stdout.readline()
        m = re.match(r"listening (\d+)", line)
        if not m:
            raise AssertionError(f"fake twilio said: {line!r}")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        config = os.path.join(self.dir, "tocsin.toml")
        with open(config, "w") as f:
            f.write(f'[server]\nlisten = "127.0.0.1:{self.port}"\npublic_url = "{self.base}"\n'
                    f'[database]\nurl = "{with_database(self.cluster, self.dbname)}"\n'
                    f'[sms]\nprovider = "twilio"\n'
                    f'[twilio]\naccount_sid = "{TWILIO_SID}"\nauth_token = "{TWILIO_TOKEN}"\n'
                    f'api_base = "http://127.0.0.1:{m.group(1)}"\ndefault_segments_per_second = 100\n'
                    f'[testing]\nmanual_clock = true\n[log]\nlevel = "info"\n')
        env = dict(os.environ, TOCSIN_DATA_KEY=secrets.token_hex(32), TOCSIN_ADMIN_TOKEN=ADMIN_TOKEN)
        env.pop("DATABASE_URL", None)
        subprocess.run([self.args.tocsind, "--config", config, "migrate"], env=env, check=True,
                       capture_output=True)
        self.log = os.path.join(self.dir, "tocsind.log")
        server = subprocess.Popen([self.args.tocsind, "--config", config, "serve"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=open(self.log, "w"))
        self.procs.append(server)
        self.api = Api(self.base)
        deadline = time.monotonic() + 15
        while True:  # the server's start, not a deadline of the product: polled, bounded
            try:
                if self.api.call("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("tocsind did not start:\n" + open(self.log).read())
            time.sleep(0.05)

    def stop(self):
        for p in reversed(self.procs):
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        try:
            self.psql(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def browser(chromium, driver_path, profile):
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=360,780"]:
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver_path), options=opts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tocsind", required=True)
    ap.add_argument("--fake-twilio", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    ap.add_argument("--chromedriver", default=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    args = ap.parse_args()
    for tool in (args.chromium, args.chromedriver):
        if not os.path.exists(tool):
            raise SystemExit(f"{tool} is missing: run deploy/install_deps.sh (chromium, chromium-driver)")
    os.makedirs(args.out, exist_ok=True)

    world = World(args)
    profile = tempfile.mkdtemp(prefix="tocsin_chromium_")
    driver = None
    started = time.monotonic()
    try:
        world.start()
        api = world.api
        api.ok("POST", "/v1/networks", {"name": "Peckham", "slug": "demo", "numbers": [NUMBER]}, ADMIN_TOKEN)
        token = api.ok("POST", "/v1/networks/demo/tokens", {"role": "coordinator", "label": "browser"},
                       ADMIN_TOKEN)["token"]
        people = [("+447700900101", "Amira", "SE15"), ("+447700900102", "Bo", "SE15"),
                  ("+447700900103", "Chidi", "SE15"), ("+447700900104", "Dana", "SE22"),
                  ("+447700900105", "Eun", "SE22")]
        for phone, name, area in people:
            api.ok("POST", "/v1/networks/demo/members",
                   {"phone": phone, "name": name, "areas": [area], "roles": ["responder"]}, token)
        api.ok("PUT", "/v1/networks/demo/areas/SE15", {"neighbours": ["SE22"]}, token)

        driver = browser(args.chromium, args.chromedriver, profile)
        wait = WebDriverWait(driver, 15)

        def shoot(name):
            for size, (w, h) in SIZES.items():
                driver.set_window_size(w, h)
                driver.save_screenshot(os.path.join(args.out, f"{name}-{size}.png"))
            driver.set_window_size(*SIZES["phone"])

        def text_is(selector, want):
            return lambda d: d.find_element(By.CSS_SELECTOR, selector).text.strip() == want

        def reached(n):
            # Sent or delivered: the fake's delivered callback may come before or after.
            def counted(d):
                sent, delivered = (int(d.find_element(By.CSS_SELECTOR, f"[data-count={c}]").text)
                                   for c in ("sent", "delivered"))
                return sent + delivered == n
            return counted

        def text_has(selector, want):
            return lambda d: want in d.find_element(By.CSS_SELECTOR, selector).text

        # Login.
        driver.get(world.base + "/")
        field = wait.until(EC.element_to_be_clickable((By.ID, "token")))
        shoot("login")
        field.send_keys("tcs_not_a_token")
        driver.find_element(By.ID, "login-button").click()
        wait.until(text_has("#login-status", "unknown or revoked"))
        field.clear()
        field.send_keys(token)
        driver.find_element(By.ID, "login-button").click()
        wait.until(EC.presence_of_element_located((By.ID, "alert-list")))
        wait.until(text_has("#alert-list", "No alerts yet"))
        assert "Peckham" in driver.find_element(By.ID, "network-name").text
        shoot("alerts")

        # Raise: preview, confirm once (double-tapped), one alert.
        driver.find_element(By.CSS_SELECTOR, "a.button[href='#/raise']").click()
        wait.until(EC.element_to_be_clickable((By.ID, "location")))
        driver.find_element(By.CSS_SELECTOR, "input[name=areas][value=SE15]").click()
        driver.find_element(By.ID, "location").send_keys("Peckham Rye estate")
        driver.find_element(By.ID, "details").send_keys("3 vans")
        driver.find_element(By.ID, "preview-button").click()
        wait.until(text_has("#preview-recipients", "3 people"))
        assert "2 more" in driver.find_element(By.ID, "preview").text
        shoot("raise")
        driver.find_element(By.ID, "raise-next").click()
        confirm = wait.until(EC.element_to_be_clickable((By.ID, "confirm-send")))
        shoot("raise-confirm")
        ActionChains(driver).double_click(confirm).perform()
        wait.until(lambda d: re.search(r"#/alerts/\d+$", d.current_url))
        alert_id = re.search(r"#/alerts/(\d+)$", driver.current_url).group(1)
        wait.until(text_is("#live-state", "Live"))
        alerts = api.ok("GET", "/v1/networks/demo/alerts", token=token)["alerts"]
        assert len(alerts) == 1, f"a double tap raised {len(alerts)} alerts"
        wait.until(reached(3))

        # A member answers: going rises, with their name.
        wait.until(text_is("[data-count=going]", "0"))
        api.reply(world.base, "+447700900101", "1")
        wait.until(text_is("[data-count=going]", "1"))
        wait.until(text_has("#going", "Amira"))

        # Fewer than 5 going after 3 minutes: the neighbours' step starts.
        api.ok("POST", "/v1/admin/clock", {"advance": "3m"}, ADMIN_TOKEN)
        wait.until(text_has("#timeline", "step 1 started"))
        wait.until(reached(5))
        shoot("live")

        # Resolve.
        driver.find_element(By.ID, "resolve-button").click()
        wait.until(EC.element_to_be_clickable((By.ID, "confirm-resolve"))).click()
        wait.until(text_is("#live-state", "This alert has ended."))
        wait.until(text_has("#timeline", "Resolved"))
        status = api.ok("GET", f"/v1/networks/demo/alerts/{alert_id}", token=token)["status"]
        assert status == "resolved", status
        shoot("live-resolved")

        # The session cookie: HttpOnly (the page cannot read it), SameSite=Strict.
        cookie = driver.get_cookie("tocsin_session")
        assert cookie and cookie["httpOnly"] and cookie["sameSite"] == "Strict", cookie
        assert "tocsin_session" not in driver.execute_script("return document.cookie")
        session_id = cookie["value"]

        # Log out, and be refused.
        driver.find_element(By.ID, "logout-button").click()
        wait.until(text_has("#login-status", "logged out"))
        refused = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch('/v1/networks/demo/alerts', {credentials: 'same-origin'}).then(r => done(r.status));")
        assert refused == 401, refused
        driver.get(world.base + "/#/alerts")
        wait.until(EC.element_to_be_clickable((By.ID, "token")))

        # Nothing personal or secret reached the server's log.
        log = open(world.log).read()
        for secret in [token, session_id, "+447700900101", "Amira", "Peckham Rye", "3 vans"]:
            assert secret not in log, f"the log holds {secret!r}"

        # Nothing the page did broke its Content-Security-Policy.
        violations = [e["message"] for e in driver.get_log("browser") if "Content Security Policy" in e["message"]]
        assert not violations, violations
        print(f"browser: ok in {time.monotonic() - started:.1f} s; screenshots in {args.out}")
        return 0
    except Exception:
        if driver:
            driver.save_screenshot(os.path.join(args.out, "failure.png"))
            print("page at failure:", driver.current_url, file=sys.stderr)
            print(driver.find_element(By.TAG_NAME, "body").text, file=sys.stderr)
        if os.path.exists(getattr(world, "log", "")):
            print("tocsind log tail:\n" + open(world.log).read()[-4000:], file=sys.stderr)
        raise
    finally:
        if driver:
            driver.quit()
        world.stop()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

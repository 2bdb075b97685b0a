#!/usr/bin/python3
"""The web console in a real browser: Debian's chromium, headless, driven by Selenium through
chromium-driver, against the real tocsind and PostgreSQL, with the fake Twilio (tests/fakes) as
the SMS provider and the engine on a manual clock.

It logs in with a token, raises an alert (the confirmation double-tapped: one alert), watches
the `going` count rise when a member's signed reply is posted, sees the escalation step appear
when the server's clock is moved, resolves; runs the network screens (members: search, add with
a bad phone first, edit, pause/resume, the 409 of a member who texted STOP, delete, CSV import
with a bad line; areas: neighbours saved both ways; phone trees: the same member twice shown next
to that node, then fixed and saved); logs out and is refused; logs in as the network's admin to
make a viewer token (shown once; it sees phones masked), revoke it and read the audit log; and the
reports queue and cases screens (report_case_screens.py). Every wait is for a
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
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from report_case_screens import report_case_screens
from console_extras import approval_screen, language_screen, policy_extras, settings_screen

ADMIN_TOKEN = "adm_browser_0123456789abcdef0123456789abcdef"
TWILIO_SID = "AC00000000000000000000000000000000"
TWILIO_TOKEN = "fake-auth-token"
NUMBER = "+447700900001"
SIZES = {"phone": (360, 780), "desktop": (1280, 800)}
# Every control on the page has a name a screen reader reads: a <label for>, an aria-label or
# aria-labelledby, or (buttons, links) its text. Answers the ones that have none.
UNLABELLED_JS = """
return [...document.querySelectorAll('input, select, textarea, button, a[href]')].filter((el) => {
  if (el.type === 'hidden' || el.closest('[hidden]')) return false;
  if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return false;
  if (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`)) return false;
  if (el.closest('label')) return false;
  return !['BUTTON', 'A'].includes(el.tagName) || !el.textContent.trim();
}).map((el) => el.outerHTML.slice(0, 120));
"""


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
                    f'[webhooks]\nallow_http = true\nallow_private_targets = true\n'
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


def go(driver, wait, href):
    """Follows the header's link to `href`, through the Menu button on a narrow screen."""
    menu = driver.find_element(By.ID, "menu-button")
    if menu.is_displayed() and menu.get_attribute("aria-expanded") != "true":
        menu.click()
    wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, f"#header a[href='{href}']"))).click()


def member_id(api, token, phone):
    members = api.ok("GET", "/v1/networks/demo/members?limit=500", token=token)["members"]
    return next((m for m in members if m["phone"] == phone), None)


def network_screens(driver, wait, api, world, token, shoot, text_has, out):
    """Members, areas and phone trees, as a coordinator does them in the console."""
    css = driver.find_element

    def row(member):
        return f"li[data-member='{member['id']}']"

    def nav(href, ready):
        go(driver, wait, href)
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ready)))

    # Members: the list, searched by name.
    nav("#/members", "#member-list")
    wait.until(text_has("#member-count", "5 of 5"))
    css(By.ID, "member-search").send_keys("chi")
    wait.until(text_has("#member-count", "1 of 5"))
    assert "Amira" not in css(By.ID, "member-list").text and "Chidi" in css(By.ID, "member-list").text
    css(By.ID, "member-search").clear()
    css(By.ID, "member-search").send_keys(" ")  # an input event after clear()
    wait.until(text_has("#member-count", "5 of 5"))
    shoot("members")

    # Add: a bad phone is named next to its field and stores nothing; then the good one.
    css(By.ID, "member-add").click()
    phone = wait.until(EC.element_to_be_clickable((By.ID, "member-phone")))
    phone.send_keys("12345")
    css(By.ID, "member-name").send_keys("Femi")
    css(By.ID, "member-areas").send_keys("SE5")
    css(By.ID, "member-save").click()
    wait.until(EC.visibility_of_element_located((By.ID, "member-phone-error")))
    assert len(api.ok("GET", "/v1/networks/demo/members", token=token)["members"]) == 5
    shoot("member-add-error")
    phone.clear()
    phone.send_keys("07700 900106")
    css(By.ID, "member-save").click()
    wait.until(text_has("#member-count", "6 of 6"))
    femi = member_id(api, token, "+447700900106")
    assert femi and femi["name"] == "Femi" and femi["areas"] == ["SE5"] and femi["roles"] == ["responder"], femi

    # Edit.
    css(By.CSS_SELECTOR, f"{row(femi)} a[href='#/members/{femi['id']}']").click()
    name = wait.until(EC.element_to_be_clickable((By.ID, "member-name")))
    assert name.get_attribute("value") == "Femi"
    shoot("member-edit")
    name.clear()
    name.send_keys("Femi O")
    # A backup: picked from the other members by name (never the member themself).
    bo = member_id(api, token, "+447700900102")
    backup = Select(css(By.ID, "member-backup"))
    assert str(femi["id"]) not in [o.get_attribute("value") for o in backup.options]
    backup.select_by_value(str(bo["id"]))
    css(By.ID, "member-save").click()
    wait.until(text_has("#member-list", "Femi O"))
    femi = member_id(api, token, "+447700900106")
    assert femi["name"] == "Femi O" and femi["backup"] == bo["id"], femi

    # The backup is shown when editing again, and "No backup" clears it.
    css(By.CSS_SELECTOR, f"{row(femi)} a[href='#/members/{femi['id']}']").click()
    backup = Select(wait.until(EC.element_to_be_clickable((By.ID, "member-backup"))))
    assert backup.first_selected_option.get_attribute("value") == str(bo["id"])
    backup.select_by_value("")
    css(By.ID, "member-save").click()
    wait.until(text_has("#member-list", "Femi O"))
    assert member_id(api, token, "+447700900106")["backup"] is None

    # Pause and resume.
    bo = member_id(api, token, "+447700900102")
    css(By.CSS_SELECTOR, f"{row(bo)} [data-action=pause]").click()
    wait.until(text_has(row(bo), "Paused"))
    assert member_id(api, token, bo["phone"])["status"] == "paused"
    css(By.CSS_SELECTOR, f"{row(bo)} [data-action=resume]").click()
    wait.until(text_has(row(bo), "Active"))
    assert member_id(api, token, bo["phone"])["status"] == "active"

    # A member who texted STOP cannot be resumed from here: the API's 409, in their row.
    api.reply(world.base, "+447700900105", "STOP")
    eun = member_id(api, token, "+447700900105")
    assert eun["status"] == "opted_out", eun
    driver.refresh()
    wait.until(text_has(row(eun), "Opted out"))
    css(By.CSS_SELECTOR, f"{row(eun)} [data-action=resume]").click()
    wait.until(text_has(f"{row(eun)} .row-status", "texted STOP"))
    assert member_id(api, token, eun["phone"])["status"] == "opted_out"
    shoot("members-stop")

    # Delete, after one confirmation.
    css(By.CSS_SELECTOR, f"{row(femi)} [data-action=delete]").click()
    wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, f"{row(femi)} [data-action=confirm-delete]"))).click()
    wait.until(text_has("#member-count", "was deleted"))
    assert "Femi" not in css(By.ID, "member-list").text
    assert member_id(api, token, "+447700900106") is None

    # CSV import: one new, one updated, one bad line reported by number (and not stored).
    csv_path = os.path.abspath(os.path.join(out, "members-import.csv"))  # the file picker needs it whole
    with open(csv_path, "w") as f:
        f.write("phone,name,language,areas,roles,channels\n"
                "+447700900107,Gabi,en,SE5,responder,sms\n"
                "+447700900103,Chidi N,,,,\n"
                "07700 90,Nobody,,,,\n")
    css(By.ID, "import-file").send_keys(csv_path)
    css(By.ID, "import-button").click()
    wait.until(text_has("#import-result", "1 created, 1 updated"))
    assert "Line 4: phone" in css(By.ID, "import-errors").text, css(By.ID, "import-errors").text
    wait.until(text_has("#member-list", "Gabi"))
    assert member_id(api, token, "+447700900103")["name"] == "Chidi N"
    shoot("members-import")

    # Areas: SE5 becomes a neighbour of SE15, and SE5 lists SE15 (kept both ways).
    nav("#/areas", "#area-list [data-area=SE5]")
    shoot("areas")
    se15 = "#area-list [data-area=SE15]"
    box = css(By.XPATH, "//section[@data-area='SE15']//input[@value='SE5']")
    assert not box.is_selected()
    box.click()
    css(By.CSS_SELECTOR, f"{se15} [data-save=SE15]").click()
    wait.until(text_has("#areas-status", "neighbours of SE15 are saved"))
    wait.until(text_has("#area-list [data-neighbours=SE5]", "SE15"))
    areas = {a["name"]: a for a in api.ok("GET", "/v1/networks/demo/areas", token=token)["areas"]}
    assert sorted(areas["SE15"]["neighbours"]) == ["SE22", "SE5"], areas
    assert areas["SE5"]["neighbours"] == ["SE15"], areas

    # Phone trees: Amira -> Bo -> Amira again; the API's error shows next to the second Amira.
    nav("#/trees", "#tree-list")
    wait.until(text_has("#tree-list", "No phone trees"))
    css(By.ID, "tree-new-name").send_keys("estate")
    css(By.ID, "tree-new").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "li[data-path='0'] select.node-member")))

    def pick(path, name, which="node-member"):
        Select(css(By.CSS_SELECTOR, f"li[data-path='{path}'] > .node-fields select.{which}")).select_by_visible_text(name)

    def add_under(path):
        css(By.CSS_SELECTOR, f"li[data-path='{path}'] > .node-fields [data-action=add-child]").click()

    pick("0", "Amira")
    add_under("0")
    pick("0.0", "Bo")
    pick("0.0", "Chidi N", "node-backup")
    add_under("0.0")
    pick("0.0.0", "Amira")
    Select(css(By.ID, "tree-mode")).select_by_value("relay")
    css(By.ID, "tree-save").click()
    wait.until(text_has("li[data-path='0.0.0'] > .node-fields .field-error", "has two nodes"))
    error = css(By.CSS_SELECTOR, "li[data-path='0.0.0'] > .node-fields .field-error").text
    assert "Amira" in error, error
    assert not css(By.CSS_SELECTOR, "li[data-path='0'] > .node-fields .field-error").is_displayed()
    status, _ = api.call("GET", "/v1/networks/demo/trees/estate", token=token)
    assert status == 404, status
    shoot("tree-error")

    # Fixed: Dana in the second Amira's place; saved.
    pick("0.0.0", "Dana")
    css(By.ID, "tree-save").click()
    wait.until(text_has("#tree-status", "Saved: 3 people"))
    tree = api.ok("GET", "/v1/networks/demo/trees/estate", token=token)
    ids = {m["name"]: m["id"] for m in api.ok("GET", "/v1/networks/demo/members", token=token)["members"]}
    by_member = {n["member"]: n for n in tree["nodes"]}
    assert tree["mode"] == "relay", tree
    assert by_member[ids["Amira"]].get("children") == [ids["Bo"]], tree
    assert by_member[ids["Bo"]].get("children") == [ids["Dana"]], tree
    assert by_member[ids["Bo"]].get("backup") == ids["Chidi N"], tree
    shoot("tree")
    nav("#/trees", "#tree-list a[href='#/trees/estate']")


def policy_screen(driver, wait, api, token, shoot, text_has):
    """The raid policy as a form: a bad wait shown at that step's field (nothing stored), then
    fixed, a step added for coordinators, saved; the API reads back what the form said."""
    css = driver.find_element
    go(driver, wait, "#/policies")
    wait.until(text_has("#policy-default", "built-in default"))
    assert len(driver.find_elements(By.CSS_SELECTOR, "#policy-steps > li")) == 3
    shoot("policy")

    def step(i, sel):
        return css(By.CSS_SELECTOR, f"#policy-steps li[data-step='{i}'] {sel}")

    step(1, "input[id^='step-wait']").clear()
    step(1, "input[id^='step-wait']").send_keys("soon")
    css(By.ID, "policy-save").click()
    wait.until(text_has("#policy-steps li[data-step='1'] .field-error:not([hidden])", "duration"))
    assert not step(0, ".field-error").is_displayed()
    assert api.ok("GET", "/v1/networks/demo/policies/raid", token=token)["default"] is True
    shoot("policy-error")

    step(1, "input[id^='step-wait']").clear()
    step(1, "input[id^='step-wait']").send_keys("4m")
    step(2, "input[id^='step-wait']").send_keys("10m")
    css(By.ID, "policy-add-step").click()
    Select(step(3, "select[id^='step-scope']")).select_by_value("network")
    step(3, "input[value=responder]").click()
    step(3, "input[value=coordinator]").click()
    Select(step(3, "select[id^='step-orgs']")).select_by_value("all")
    css(By.ID, "policy-reminder").clear()
    css(By.ID, "policy-reminder").send_keys("90s")
    css(By.ID, "policy-save").click()
    wait.until(text_has("#policy-status", "saved: 4 steps"))
    wait.until(text_has("#policy-default", "own policy"))
    policy = api.ok("GET", "/v1/networks/demo/policies/raid", token=token)
    assert policy["default"] is False and len(policy["steps"]) == 4, policy
    assert policy["steps"][1]["wait"] == "4m" and policy["reminder"] == {"after": "90s"}, policy
    assert policy["steps"][3]["audience"] == {"roles": ["coordinator"], "organisations": "all"}, policy
    assert policy["steps"][0]["audience"] == {"roles": ["responder"], "areas": "alert"}, policy
    # Another kind is one pick away.
    Select(css(By.ID, "policy-kind")).select_by_value("detention")
    wait.until(text_has("h1", "Detention"))


class GoneReceiver:
    """A partner's endpoint on loopback that answers every webhook 410 Gone (which fails the
    delivery at once and disables the endpoint, as the README says); counts what it was sent."""

    def __init__(self):
        import http.server
        import threading
        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                hits.append(self.headers.get("webhook-id"))
                self.send_response(410)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def organisation_screens(driver, wait, api, token, admin, shoot, text_has):
    """Organisations as a coordinator runs them: a bad slug named at its field, then added;
    edited; a webhook added (its secret shown once), rotated, its failed delivery retried, removed;
    an email added. Returns the organisation's id."""
    css = driver.find_element
    go(driver, wait, "#/organisations")
    wait.until(text_has("#org-list", "No organisations"))
    css(By.ID, "org-name").send_keys("Hackney Law Centre")
    css(By.ID, "org-slug").send_keys("Hackney Law!")
    css(By.CSS_SELECTOR, "input[name=org-kinds][value=detention]").click()
    css(By.ID, "org-areas").send_keys("SE15")
    css(By.ID, "org-save").click()
    wait.until(EC.visibility_of_element_located((By.ID, "org-slug-error")))
    assert api.ok("GET", "/v1/networks/demo/organisations", token=token)["organisations"] == []
    shoot("organisations-error")
    css(By.ID, "org-slug").clear()
    css(By.ID, "org-slug").send_keys("hackney-law")
    css(By.ID, "org-save").click()
    wait.until(text_has("h1", "Hackney Law Centre"))
    org = api.ok("GET", "/v1/networks/demo/organisations", token=token)["organisations"][0]
    assert org["slug"] == "hackney-law" and org["kinds"] == ["detention"] and org["areas"] == ["SE15"], org
    css(By.ID, "org-name").clear()
    css(By.ID, "org-name").send_keys("Hackney Law")
    css(By.ID, "org-save").click()
    wait.until(text_has("#org-status", "Hackney Law is saved"))
    assert api.ok("GET", f"/v1/networks/demo/organisations/{org['id']}", token=token)["name"] == "Hackney Law"

    # A webhook: its secret shown once, then a new one.
    gone = GoneReceiver()
    try:
        css(By.ID, "webhook-url").send_keys(gone.url)
        css(By.ID, "webhook-add").click()
        secret = wait.until(EC.visibility_of_element_located((By.ID, "webhook-secret"))).get_attribute("value")
        assert secret.startswith("whsec_"), secret
        wait.until(text_has("#webhook-list", gone.url))
        hook = api.ok("GET", f"/v1/networks/demo/organisations/{org['id']}/webhooks", token=token)["webhooks"][0]
        row = f"li[data-webhook='{hook['id']}']"
        assert secret not in css(By.ID, "webhook-list").text
        css(By.CSS_SELECTOR, f"{row} [data-action=rotate]").click()
        wait.until(text_has(f"{row} .row-status", "24 hours"))
        rotated = css(By.ID, f"webhook-secret-{hook['id']}").get_attribute("value")
        assert rotated.startswith("whsec_") and rotated != secret
        shoot("organisation")

        # A detention in SE15 reaches the organisation; its endpoint answers 410: failed. Retried from here.
        alert = api.ok("POST", "/v1/networks/demo/alerts",
                       {"kind": "detention", "areas": ["SE15"], "location": "Station"}, token)
        def failed_shown(d):  # the list read again until the 410 has failed the delivery
            d.find_element(By.CSS_SELECTOR, f"{row} [data-action=deliveries]").click()
            return "Failed" in d.find_element(By.CSS_SELECTOR, f"{row} .deliveries").text
        wait.until(failed_shown)
        assert len(gone.hits) == 1
        css(By.CSS_SELECTOR, f"{row} [data-action=retry]").click()
        wait.until(text_has("#webhook-status", "Sent again"))
        wait.until(lambda d: len(gone.hits) == 2)
        assert gone.hits[0] == gone.hits[1]  # the same webhook-id on every attempt
        shoot("organisation-deliveries")
        css(By.CSS_SELECTOR, f"{row} [data-action=remove]").click()
        wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, f"{row} [data-action=confirm-remove]"))).click()
        wait.until(text_has("#webhook-list", "No webhooks"))
    finally:
        gone.close()

    # An email contact point: a bad address named at its field, then a good one.
    css(By.ID, "email-address").send_keys("not an address")
    css(By.ID, "email-add").click()
    wait.until(EC.visibility_of_element_located((By.ID, "email-address-error")))
    css(By.ID, "email-address").clear()
    css(By.ID, "email-address").send_keys("cases@hackney-law.example")
    css(By.ID, "email-add").click()
    wait.until(text_has("#email-list", "cases@hackney-law.example"))
    return org, alert


def live_extras(driver, wait, api, world, token, admin, org, alert, shoot, text_has):
    """The live page shows an organisation's answer among those going, and a tree alert's tree
    with each node in its state."""
    answerer = api.ok("POST", "/v1/networks/demo/tokens", {"role": "integration", "organisation": org["slug"]},
                      admin)["token"]
    api.ok("POST", f"/v1/networks/demo/alerts/{alert['id']}/responses", {"answer": "going"}, answerer)
    driver.get(f"{world.base}/#/alerts/{alert['id']}")
    wait.until(text_has("#going", "Hackney Law (organisation)"))
    api.ok("POST", f"/v1/networks/demo/alerts/{alert['id']}/resolve", {}, token)

    api.ok("PUT", "/v1/networks/demo/policies/other", {"steps": [{"audience": {"tree": "estate"}}]}, token)
    other = api.ok("POST", "/v1/networks/demo/alerts", {"kind": "other", "areas": ["SE15"], "location": "Hall"}, token)
    driver.get(f"{world.base}/#/alerts/{other['id']}")
    wait.until(text_has("#live-trees [data-tree=estate]", "Amira"))
    wait.until(text_has("#live-trees li li li", "Dana"))  # Amira -> Bo -> Dana, nested as the tree is

    def states_match(d):  # every node coloured by the state the API reports for it
        run = api.ok("GET", f"/v1/networks/demo/alerts/{other['id']}/tree", token=token)["trees"][0]
        return all(d.find_element(By.CSS_SELECTOR, f"#live-trees li[data-member='{n['member']}']")
                   .get_attribute("data-state") == n["state"] for n in run["nodes"])
    wait.until(states_match)
    assert driver.find_element(By.CSS_SELECTOR, "#live-trees li[data-state]").get_attribute("data-state") != "pending"
    shoot("live-tree")
    api.ok("POST", f"/v1/networks/demo/alerts/{other['id']}/cancel", {}, token)


def admin_screens(driver, wait, api, world, admin, shoot, text_has):
    """A network admin's tokens (one made, shown once, revoked) and audit log; returns the token made."""
    css = driver.find_element
    css(By.ID, "token").send_keys(admin)
    css(By.ID, "login-button").click()
    css_wait = EC.presence_of_element_located
    wait.until(css_wait((By.ID, "menu-button")))
    go(driver, wait, "#/tokens")
    wait.until(text_has("#token-list", "browser"))
    Select(css(By.ID, "token-role")).select_by_value("viewer")
    css(By.ID, "token-label").send_keys("wall")
    css(By.ID, "token-create").click()
    made = wait.until(EC.visibility_of_element_located((By.ID, "token-value"))).get_attribute("value")
    wait.until(text_has("#token-list", "wall"))
    assert made and made not in css(By.ID, "token-list").text
    shoot("tokens")
    # The viewer token works, and sees members' phones masked.
    members = api.ok("GET", "/v1/networks/demo/members", token=made)["members"]
    assert members and all("******" in m["phone"] for m in members), members
    wall = next(t for t in api.ok("GET", "/v1/networks/demo/tokens", token=admin)["tokens"] if t["label"] == "wall")
    row = f"li[data-token='{wall['id']}']"
    css(By.CSS_SELECTOR, f"{row} [data-action=revoke]").click()
    wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, f"{row} [data-action=confirm-revoke]"))).click()
    wait.until(text_has(row, "Revoked"))
    assert api.call("GET", "/v1/networks/demo/members", token=made)[0] == 401
    go(driver, wait, "#/audit")
    wait.until(text_has("#audit-list", "tokens.revoke"))
    assert "policies.put" in css(By.ID, "audit-list").text
    shoot("audit")
    # An integration token for the organisation, made from its page (shown once).
    go(driver, wait, "#/organisations")
    wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "#org-list a"))).click()
    wait.until(EC.element_to_be_clickable((By.ID, "org-token-create"))).click()
    answerer = wait.until(EC.visibility_of_element_located((By.ID, "org-token-value"))).get_attribute("value")
    listed = api.ok("GET", "/v1/networks/demo/tokens", token=admin)["tokens"]
    assert answerer and [t["organisation"] for t in listed if t["role"] == "integration"].count("hackney-law") == 2, listed
    settings_screen(driver, wait, api, admin, shoot, text_has, go)
    css(By.ID, "logout-button").click()
    wait.until(text_has("#login-status", "logged out"))
    return made


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
        admin = api.ok("POST", "/v1/networks/demo/tokens", {"role": "admin", "label": "lead"}, ADMIN_TOKEN)["token"]
        people = [("+447700900101", "Amira", "SE15"), ("+447700900102", "Bo", "SE15"),
                  ("+447700900103", "Chidi", "SE15"), ("+447700900104", "Dana", "SE22"),
                  ("+447700900105", "Eun", "SE22")]
        for phone, name, area in people:
            api.ok("POST", "/v1/networks/demo/members",
                   {"phone": phone, "name": name, "areas": [area], "roles": ["responder"]}, token)
        api.ok("PUT", "/v1/networks/demo/areas/SE15", {"neighbours": ["SE22"]}, token)

        driver = browser(args.chromium, args.chromedriver, profile)
        # Rows are drawn again when they change: an element read as it is replaced is looked up again.
        wait = WebDriverWait(driver, 15, ignored_exceptions=[StaleElementReferenceException])

        def shoot(name):
            unlabelled = driver.execute_script(UNLABELLED_JS)
            assert not unlabelled, f"{name}: controls without a label: {unlabelled}"
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

        # The navigation at 360 px: behind Menu, opened and closed from the keyboard.
        menu = driver.find_element(By.ID, "menu-button")
        assert not driver.find_element(By.CSS_SELECTOR, "#nav a[href='#/members']").is_displayed()
        menu.send_keys(Keys.ENTER)
        wait.until(lambda d: d.switch_to.active_element.get_attribute("href") and
                   d.switch_to.active_element.get_attribute("href").endswith("#/alerts"))
        assert menu.get_attribute("aria-expanded") == "true"
        assert driver.find_element(By.CSS_SELECTOR, "#nav a[aria-current=page]").get_attribute("href").endswith("#/alerts")
        shoot("menu")
        driver.switch_to.active_element.send_keys(Keys.ESCAPE)
        wait.until(lambda d: menu.get_attribute("aria-expanded") == "false")
        assert driver.switch_to.active_element == menu
        assert not driver.find_element(By.CSS_SELECTOR, "#nav a[href='#/members']").is_displayed()

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
        # A reload keeps the timeline: it is read back from the API, not only from this page's stream.
        driver.refresh()
        wait.until(text_has("#timeline", "step 1 started"))
        assert "Raised" in driver.find_element(By.ID, "timeline").text
        wait.until(text_is("#live-state", "Live"))
        shoot("live")

        # Resolve.
        driver.find_element(By.ID, "resolve-button").click()
        wait.until(EC.element_to_be_clickable((By.ID, "confirm-resolve"))).click()
        wait.until(text_is("#live-state", "This alert has ended."))
        wait.until(text_has("#timeline", "Resolved"))
        status = api.ok("GET", f"/v1/networks/demo/alerts/{alert_id}", token=token)["status"]
        assert status == "resolved", status
        shoot("live-resolved")

        network_screens(driver, wait, api, world, token, shoot, text_has, args.out)
        policy_screen(driver, wait, api, token, shoot, text_has)
        org, detention = organisation_screens(driver, wait, api, token, admin, shoot, text_has)
        live_extras(driver, wait, api, world, token, admin, org, detention, shoot, text_has)
        report_case_screens(driver, wait, api, token, shoot, text_has, go)
        policy_extras(driver, wait, api, token, shoot, text_has, go)
        approval_screen(driver, wait, api, world, token, admin, shoot, text_has)
        language_screen(driver, wait, world, shoot, text_has, go)

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

        viewer = admin_screens(driver, wait, api, world, admin, shoot, text_has)

        # Nothing personal or secret reached the server's log.
        log = open(world.log).read()
        for secret in [token, session_id, "+447700900101", "Amira", "Peckham Rye", "3 vans", "+447700900106",
                       "Femi O", "+447700900107", "Gabi", "Chidi N", admin, viewer]:
            assert secret not in log, f"the log holds {secret!r}"

        # Nothing the page did broke its Content-Security-Policy.
        logged = driver.get_log("browser")
        violations = [e["message"] for e in logged if "Content Security Policy" in e["message"]]
        assert not violations, violations
        # Every word shown came from strings.en.js (dom.js reports a key it has no string for).
        missing = [e["message"] for e in logged if "no string" in e["message"]]
        assert not missing, missing
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

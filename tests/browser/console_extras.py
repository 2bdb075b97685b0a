"""More of the console (issue 14), driven by console_test.py after its other screens: the raid
policy's SMS-then-call time and its verification of street reports, saved from the form and read
back; a removal policy's schedule (which the form does not edit) kept when the form saves; an
alert held for a second coordinator approved from its live page; the console in French (picked
in the header, kept across a reload) and back in English, with every key of strings.en.js in
strings.fr.js; and (from admin_screens) the network's settings. Every wait is for a condition in
the page."""
import os
import re

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

BASE = "/v1/networks/demo"
CONSOLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "console")


def policy_extras(driver, wait, api, token, shoot, text_has, go):
    css = driver.find_element
    go(driver, wait, "#/policies")
    wait.until(text_has("#policy-default", "own policy"))
    step0 = "#policy-steps li[data-step='0']"
    call_after = wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, f"{step0} input[id^='step-call-after']")))
    call_after.send_keys("2m")
    css(By.ID, "verify-confirmations").clear()
    css(By.ID, "verify-confirmations").send_keys("0")
    Select(css(By.ID, "verify-on-timeout")).select_by_value("send")
    css(By.ID, "policy-save").click()
    # Out of range: named at its field, nothing stored.
    wait.until(EC.visibility_of_element_located((By.ID, "verify-confirmations-error")))
    assert api.ok("GET", f"{BASE}/policies/raid", token=token)["verification"]["confirmations"] == 1
    shoot("policy-verification-error")
    css(By.ID, "verify-confirmations").clear()
    css(By.ID, "verify-confirmations").send_keys("2")
    css(By.ID, "policy-save").click()
    wait.until(text_has("#policy-status", "saved"))
    policy = api.ok("GET", f"{BASE}/policies/raid", token=token)
    assert policy["steps"][0]["call_after"] == "2m", policy
    assert policy["verification"] == {"required": True, "confirmations": 2, "wait": "5m", "on_timeout": "send"}, policy
    assert policy["reminder"] == {"after": "90s"} and len(policy["steps"]) == 4, policy

    # A removal policy's schedule survives a save from the form.
    schedule = [{"before": "24h", "audience": {"contacts": ["campaign"]}, "ask": "Call the airline."}]
    api.ok("PUT", f"{BASE}/policies/removal", {"steps": [{"audience": {"roles": ["coordinator"]}}],
                                                "schedule": schedule}, token)
    Select(css(By.ID, "policy-kind")).select_by_value("removal")
    wait.until(text_has("h1", "Removal"))
    wait.until(text_has("#policy-default", "own policy"))
    css(By.ID, "policy-reminder").send_keys("5m")
    css(By.ID, "policy-save").click()
    wait.until(text_has("#policy-status", "saved"))
    removal = api.ok("GET", f"{BASE}/policies/removal", token=token)
    assert removal["reminder"] == {"after": "5m"} and removal["schedule"] == schedule, removal


def approval_screen(driver, wait, api, world, token, admin, shoot, text_has):
    """The network asks for two people from 1 recipient up: the admin's raise is held; the
    console's coordinator (another token label) approves it on its live page."""
    api.ok("PATCH", BASE, {"approval": {"min_recipients": 1}}, admin)
    try:
        status, held = api.call("POST", f"{BASE}/alerts", {"kind": "raid", "areas": ["SE22"], "location": "Depot"},
                                admin)
        assert status == 202 and held["status"] == "pending_approval", (status, held)
        driver.get(f"{world.base}/#/alerts/{held['id']}")
        wait.until(EC.element_to_be_clickable((By.ID, "approve-button")))
        assert "Waiting for approval" in driver.find_element(By.TAG_NAME, "main").text
        shoot("live-approval")
        driver.find_element(By.ID, "approve-button").click()
        wait.until(EC.element_to_be_clickable((By.ID, "resolve-button")))
        assert api.ok("GET", f"{BASE}/alerts/{held['id']}", token=token)["status"] == "open"
        api.ok("POST", f"{BASE}/alerts/{held['id']}/resolve", {}, token)
    finally:
        api.ok("PATCH", BASE, {"approval": None}, admin)


def keys_of(name):
    with open(os.path.join(CONSOLE, name), encoding="utf-8") as f:
        return set(re.findall(r"^\s+(\w+): ", f.read(), re.M))


def language_screen(driver, wait, world, shoot, text_has, go):
    """French picked in the header: the screen is drawn again in it and stays so after a reload."""
    assert keys_of("strings.en.js") == keys_of("strings.fr.js"), keys_of("strings.en.js") ^ keys_of("strings.fr.js")
    go(driver, wait, "#/alerts")
    wait.until(text_has("h1", "Alerts"))
    Select(driver.find_element(By.ID, "language")).select_by_value("fr")
    wait.until(text_has("h1", "Alertes"))
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    driver.refresh()
    wait.until(text_has("h1", "Alertes"))
    assert driver.find_element(By.ID, "logout-button").text == "Se déconnecter"
    # The longer words still fit a 360 px screen: nothing wider than the window.
    assert driver.execute_script("const e = document.documentElement; return e.scrollWidth <= e.clientWidth")
    go(driver, wait, "#/cases")
    wait.until(text_has("h1", "Dossiers"))
    shoot("cases-fr")
    Select(driver.find_element(By.ID, "language")).select_by_value("en")
    wait.until(text_has("h1", "Cases"))


def settings_screen(driver, wait, api, admin, shoot, text_has, go):
    """A network admin's settings: a bad approval number named at its field (nothing stored),
    then the approval rule and a tiered raid saved; the API reads them back."""
    css = driver.find_element
    go(driver, wait, "#/settings")
    minimum = wait.until(EC.element_to_be_clickable((By.ID, "net-approval-min")))
    minimum.send_keys("lots")
    css(By.ID, "settings-save").click()
    wait.until(EC.visibility_of_element_located((By.ID, "net-approval-min-error")))
    assert api.ok("GET", BASE, token=admin)["approval"] is None
    minimum.clear()
    minimum.send_keys("500")
    Select(css(By.ID, "net-disclosure-raid")).select_by_value("tiered")
    css(By.ID, "settings-save").click()
    wait.until(text_has("#settings-status", "saved"))
    net = api.ok("GET", BASE, token=admin)
    assert net["approval"] == {"min_recipients": 500, "all_areas": False}, net
    assert net["disclosure"] == {"default": "full", "kinds": {"raid": "tiered"}}, net
    shoot("settings")
    api.ok("PATCH", BASE, {"approval": None, "disclosure": None}, admin)

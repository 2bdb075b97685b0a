"""The reports queue and the cases screens of the console (issue 14), driven by console_test.py
after its other screens: two pending reports (a raid being verified, an `other` waiting for a
coordinator), each one's timeline opened, the raid confirmed (its alert raised at once, a link to
it), the other dismissed after the question; a case added from the console (a bad phone refused at
its field first), its contacts picked by name (and one without a pick refused at the field), its
consent and notes edited; the case opened from the list, a note recorded, a `detained` event
without its place refused at the field, then recorded (the detention alert linked), then
`released` (the alert resolved); removal directions three days ahead (the schedule's asks in the
timeline), then cancelled. Every wait is for a condition in the page."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select


def report_case_screens(driver, wait, api, token, shoot, text_has, go):
    css = driver.find_element
    base = "/v1/networks/demo"

    # Reports: a raid (its verifiers are asked: none here, so it waits) and another kind (no
    # verification: it waits for a coordinator).
    raid = api.ok("POST", f"{base}/reports", {"kind": "raid", "areas": ["SE15"], "location": "Bellenden Road",
                                             "details": "two vans"}, token)
    other = api.ok("POST", f"{base}/reports", {"kind": "other", "areas": ["SE22"], "location": "Lordship Lane"},
                   token)
    assert raid["status"] == "pending" and other["status"] == "pending", (raid, other)
    go(driver, wait, "#/reports")
    wait.until(text_has("#report-list", raid["code"]))
    assert other["code"] in css(By.ID, "report-list").text
    raid_row = f"li[data-report='{raid['code']}']"
    css(By.CSS_SELECTOR, f"{raid_row} summary").click()
    wait.until(text_has(f"#report-timeline-{raid['id']}", "Received"))
    shoot("reports")

    # Confirm the raid: raised at once, with a link to its alert.
    css(By.CSS_SELECTOR, f"{raid_row} button[data-action=confirm]").click()
    link = wait.until(EC.element_to_be_clickable((By.ID, "report-alert-link")))
    assert api.ok("GET", f"{base}/reports/{raid['id']}", token=token)["status"] == "confirmed"
    alert_id = api.ok("GET", f"{base}/reports/{raid['id']}", token=token)["alert_id"]
    assert api.ok("GET", f"{base}/alerts/{alert_id}", token=token)["status"] == "open"
    assert link.get_attribute("href").endswith(f"#/alerts/{alert_id}")

    # Dismiss the other, asked once.
    other_row = f"li[data-report='{other['code']}']"
    wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, f"{other_row} button[data-action=dismiss]"))).click()
    wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "button[data-action=confirm-dismiss]"))).click()
    wait.until(text_has("#report-status", f"Report {other['code']} is dismissed"))
    assert api.ok("GET", f"{base}/reports/{other['id']}", token=token)["status"] == "dismissed"
    wait.until(text_has("#report-list", "No reports here"))  # nothing pending is left
    shoot("reports-decided")
    api.ok("POST", f"{base}/alerts/{alert_id}/resolve", {"message": "gone"}, token)

    # Cases, made in the console: a bad phone named at its field (nothing stored), then added; its
    # contacts picked by name (the organisation as legal, a member as family, the tree as campaign);
    # its consent edited.
    go(driver, wait, "#/cases")
    wait.until(EC.element_to_be_clickable((By.ID, "case-name"))).send_keys("Demo Person")
    css(By.ID, "case-pseudonym").send_keys("B. (browser)")
    css(By.ID, "case-areas").send_keys("SE15")
    css(By.ID, "case-language").send_keys("en")
    css(By.ID, "case-phone").send_keys("12345")
    driver.execute_script("arguments[0].value = '2026-09-14'", css(By.ID, "case-consent-legal"))
    css(By.ID, "case-save").click()
    wait.until(EC.visibility_of_element_located((By.ID, "case-phone-error")))
    assert api.ok("GET", f"{base}/cases", token=token)["cases"] == []
    shoot("case-new-error")
    css(By.ID, "case-phone").clear()
    css(By.ID, "case-save").click()
    wait.until(text_has("h1", "B. (browser)"))
    kase = api.ok("GET", f"{base}/cases", token=token)["cases"][0]
    assert kase["name"] == "Demo Person" and kase["areas"] == ["SE15"], kase
    assert kase["consent"] == {"mp": None, "legal": "2026-09-14"} and kase["phone"] is None, kase
    wait.until(text_has("#case-contacts", "No contacts yet"))
    amira = next(m for m in api.ok("GET", f"{base}/members?limit=500", token=token)["members"]
                 if m["name"].startswith("Amira"))
    org = api.ok("GET", f"{base}/organisations", token=token)["organisations"][0]
    for role, kind, label in [("legal", "organisation", org["name"]), ("family", "member", amira["name"]),
                              ("campaign", "tree", "estate")]:
        Select(css(By.ID, "contact-role")).select_by_value(role)
        Select(css(By.ID, "contact-kind")).select_by_value(kind)
        Select(css(By.ID, "contact-target")).select_by_visible_text(label)
        css(By.ID, "contact-add").click()
        wait.until(text_has("#case-contacts", label))
    # Nobody picked: the API's error at the field.
    Select(css(By.ID, "contact-role")).select_by_value("mp")
    css(By.ID, "contact-add").click()
    wait.until(EC.visibility_of_element_located((By.ID, "contact-target-error")))
    contacts = api.ok("GET", f"{base}/cases/{kase['id']}/contacts", token=token)["contacts"]
    assert sorted((c["role"], c.get("organisation") or c.get("member") or c.get("tree")) for c in contacts) == \
        sorted([("legal", org["id"]), ("family", amira["id"]), ("campaign", "estate")]), contacts
    shoot("case-contacts")
    driver.execute_script("arguments[0].value = '2026-10-02'", css(By.ID, "case-consent-mp"))
    css(By.ID, "case-notes").send_keys("Lawyer: Ms K")
    css(By.ID, "case-save").click()
    wait.until(text_has("#case-form-status", "is saved"))
    saved = api.ok("GET", f"{base}/cases/{kase['id']}", token=token)
    assert saved["consent"] == {"mp": "2026-10-02", "legal": "2026-09-14"} and saved["notes"] == "Lawyer: Ms K", saved
    go(driver, wait, "#/cases")
    wait.until(text_has("#case-list", "B. (browser)"))
    shoot("cases")
    css(By.CSS_SELECTOR, f"li[data-case='{kase['id']}'] a").click()
    wait.until(text_has("#case-timeline", "Nothing recorded yet"))

    # A note.
    type_select = wait.until(EC.element_to_be_clickable((By.ID, "case-event-type")))
    type_select.send_keys("Note")
    wait.until(EC.visibility_of_element_located((By.ID, "case-event-text")))
    css(By.ID, "case-event-text").send_keys("Solicitor called back")
    css(By.ID, "case-event-save").click()
    wait.until(text_has("#case-timeline", "Solicitor called back"))

    # Detained without where: refused at the field; then with it, the alert linked.
    type_select.send_keys("Detained")
    wait.until(EC.visibility_of_element_located((By.ID, "case-event-where")))
    css(By.ID, "case-event-save").click()
    wait.until(EC.visibility_of_element_located((By.ID, "case-event-where-error")))
    shoot("case-event-error")
    css(By.ID, "case-event-where").send_keys("Colnbrook IRC")
    css(By.ID, "case-event-save").click()
    wait.until(EC.element_to_be_clickable((By.ID, "case-alert-link")))
    wait.until(text_has("#case-timeline", "Colnbrook IRC"))
    wait.until(text_has("#case-timeline", "Detention"))
    shoot("case")

    # Released: the alert is resolved.
    type_select.send_keys("Released")
    css(By.ID, "case-event-save").click()
    wait.until(text_has("#case-event-status", "Recorded: Released"))
    timeline = api.ok("GET", f"{base}/cases/{kase['id']}/timeline", token=token)["timeline"]
    alerts = [e for e in timeline if e["type"] == "alert"]
    assert alerts and alerts[0]["status"] == "resolved", timeline

    # Removal directions three days ahead: the removal alert, and its asks scheduled back from the
    # flight in the timeline (the default schedule: at once, 72h, 24h, 6h before, 1h after).
    type_select.send_keys("Removal directions")
    deadline = wait.until(EC.visibility_of_element_located((By.ID, "case-event-deadline")))
    driver.execute_script("""const d = new Date(Date.now() + 3 * 86400000 + 3600000);
      const p = (n) => String(n).padStart(2, '0');
      arguments[0].value = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;""",
                          deadline)
    css(By.ID, "case-event-details").send_keys("flight KQ101")
    css(By.ID, "case-event-save").click()
    wait.until(text_has("#case-event-status", "asks scheduled"))
    wait.until(text_has("#case-timeline", "72h before the flight"))
    assert "to come" in css(By.ID, "case-timeline").text
    shoot("case-schedule")
    type_select.send_keys("Removal cancelled")
    css(By.ID, "case-event-save").click()
    wait.until(text_has("#case-timeline", "cancelled"))

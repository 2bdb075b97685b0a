"""The reports queue and the cases screens of the console (issue 14), driven by console_test.py
after its other screens: two pending reports (a raid being verified, an `other` waiting for a
coordinator), each one's timeline opened, the raid confirmed (its alert raised at once, a link to
it), the other dismissed after the question; a case opened from the list, a note recorded, a
`detained` event without its place refused at the field, then recorded (the detention alert
linked), then `released` (the alert resolved). Every wait is for a condition in the page."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC


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

    # Cases: one with a member as its family contact.
    amira = next(m for m in api.ok("GET", f"{base}/members?limit=500", token=token)["members"]
                 if m["name"].startswith("Amira"))
    kase = api.ok("POST", f"{base}/cases", {"name": "Demo Person", "pseudonym": "B. (browser)",
                                            "areas": ["SE15"], "language": "en"}, token)
    api.ok("POST", f"{base}/cases/{kase['id']}/contacts", {"role": "family", "member": amira["id"]}, token)
    go(driver, wait, "#/cases")
    wait.until(text_has("#case-list", "B. (browser)"))
    shoot("cases")
    css(By.CSS_SELECTOR, f"li[data-case='{kase['id']}'] a").click()
    wait.until(text_has("#case-timeline", "Nothing recorded yet"))
    assert "Family" in css(By.ID, "case-contacts").text

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

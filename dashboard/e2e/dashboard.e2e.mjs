// The dashboard in headless Chromium (Debian's, via playwright-core) against the local stack.
// Started by tests/e2e/dashboard/test_dashboard.py, which prepares the stack and passes:
// DASHBOARD_URL, DASHBOARD_CHROMIUM, SCREENSHOTS, PROFILE_DIR, LOT, OTHER_LOT, NODE, EVENT_SLOT,
// OVERRIDE_SLOT, ADMIN_EMAIL/PASSWORD, OPERATOR_EMAIL/PASSWORD, PUBLISH ({argv, stdin}),
// PAYMENT (a pending pay-desk payment at LOT), RULE and WEBHOOK (to create), OPERATOR_CODE.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run through tests/e2e/dashboard)`);
  return value;
};
const URL_ = env("DASHBOARD_URL");
const LOT = env("LOT");
const OTHER_LOT = env("OTHER_LOT");
const EVENT_SLOT = env("EVENT_SLOT");
const OVERRIDE_SLOT = env("OVERRIDE_SLOT");
const SHOTS = env("SCREENSHOTS");
const WAIT = 30_000;
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

let context;
let page;
const problems = []; // uncaught page errors fail the run

before(async () => {
  const profile = env("PROFILE_DIR");
  rmSync(profile, { recursive: true, force: true });
  mkdirSync(profile, { recursive: true });
  mkdirSync(SHOTS, { recursive: true });
  context = await chromium.launchPersistentContext(profile, {
    executablePath: env("DASHBOARD_CHROMIUM"),
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(WAIT);
  page.on("pageerror", (error) => problems.push(String(error)));
});

after(async () => {
  await context?.close();
});

const shot = (name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
const slot = (code, status) => page.locator(`button.slot[data-slot="${code}"]${status ? `[data-status="${status}"]` : ""}`);
const freeCount = async () => Number(await page.getByTestId("free-count").innerText());

async function login(email, password) {
  await page.goto(URL_);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByTestId("who").filter({ hasText: email }).waitFor();
}

async function navigate(label, heading) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: label, exact: true }).click();
  await page.getByRole("heading", { level: 1, name: heading }).waitFor();
}

test("an admin logs in and sees every lot with free/total and node health", async () => {
  await login(env("ADMIN_EMAIL"), env("ADMIN_PASSWORD"));
  const card = page.locator(`li.card[data-lot="${LOT}"]`);
  await card.getByTestId(`free-${LOT}`).waitFor();
  assert.match(await card.getByTestId(`free-${LOT}`).innerText(), /\d+ free of 24/);
  await page.locator(`li.card[data-lot="${OTHER_LOT}"]`).waitFor();
  await card.locator(".node-health").waitFor();
  await page.waitForLoadState("networkidle");
  await shot("01-overview");
});

test("the lot view shows the slot grid, live", async () => {
  await page.locator(`li.card[data-lot="${LOT}"] h2 a`).click();
  await slot(EVENT_SLOT, "free").waitFor();
  await page.getByTestId("link-state").filter({ hasText: /^live$/ }).waitFor();
  // The forecast for 15, 30 and 60 minutes, and what it rests on (a fresh stack: persistence).
  const forecast = page.getByRole("region", { name: "Forecast" });
  await forecast.locator('li[data-minutes="60"]').waitFor();
  assert.deepEqual(await forecast.locator("li").evaluateAll((items) => items.map((li) => li.dataset.minutes)), ["15", "30", "60"]);
  assert.match(await forecast.locator("li").first().innerText(), /^In 15 min: \d+ of \d+ free/);
  await forecast.getByTestId("forecast-basis").filter({ hasText: /^(Based on this lot's usual week|Too little history yet)/ }).waitFor();
  await shot("02-lot");
});

test("a slot changes colour when its node reports it occupied, without a reload", async () => {
  await page.evaluate(() => {
    window.__sameDocument = true;
  });
  const before = await freeCount();
  const { argv, stdin } = JSON.parse(env("PUBLISH"));
  const published = spawnSync(argv[0], argv.slice(1), { input: stdin, encoding: "utf8", timeout: 30_000 });
  assert.equal(published.status, 0, `mosquitto_pub failed: ${published.stderr}`);
  await slot(EVENT_SLOT, "occupied").waitFor();
  assert.equal(await slot(EVENT_SLOT).getAttribute("aria-label"), `Slot ${EVENT_SLOT}: Occupied`);
  assert.notEqual(
    await slot(EVENT_SLOT).evaluate((el) => getComputedStyle(el).backgroundImage),
    await slot(OVERRIDE_SLOT).evaluate((el) => getComputedStyle(el).backgroundImage),
    "occupied and free slots look the same",
  );
  await page.waitForFunction((n) => Number(document.querySelector("[data-testid=free-count]")?.textContent) === n - 1, before);
  assert.equal(await page.evaluate(() => window.__sameDocument), true, "the page reloaded");
  await shot("03-lot-event");
});

test("an override (keyboard-driven) closes a slot and availability drops; clearing restores it", async () => {
  const before = await freeCount();
  await slot(OVERRIDE_SLOT, "free").focus();
  await page.keyboard.press("Enter");
  const panel = page.getByRole("complementary", { name: `Slot ${OVERRIDE_SLOT}` });
  await panel.getByRole("heading", { name: `Slot ${OVERRIDE_SLOT}` }).waitFor();
  await panel.getByRole("button", { name: "Set override" }).click();
  await panel.getByText("Say why (kept in the audit log).").waitFor(); // validation, nothing sent
  await panel.getByLabel("Force status").selectOption("closed");
  await panel.getByLabel("Reason").fill("cones: resurfacing (e2e)");
  await panel.getByRole("button", { name: "Set override" }).click();
  await panel.getByText(`Override set on ${OVERRIDE_SLOT}.`).waitFor();
  await slot(OVERRIDE_SLOT, "closed").waitFor();
  await page.waitForFunction((n) => Number(document.querySelector("[data-testid=free-count]")?.textContent) === n - 1, before);
  await shot("04-override");
  await panel.getByRole("button", { name: "Clear override" }).click();
  await slot(OVERRIDE_SLOT, "free").waitFor();
  await page.waitForFunction((n) => Number(document.querySelector("[data-testid=free-count]")?.textContent) === n, before);
});

test("the lot view works at phone width", async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await slot(EVENT_SLOT).waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page is ${overflow}px wider than the phone`);
  await shot("10-phone-lot");
  await page.setViewportSize({ width: 1280, height: 900 });
});

test("nodes: the node that just reported is online, with its software", async () => {
  await navigate("Nodes", "Camera nodes");
  const row = page.locator(`tr[data-node="${env("NODE")}"]`);
  await row.filter({ hasText: "online" }).waitFor();
  assert.match(await row.innerText(), /dashboard-e2e\/1/);
  await shot("05-nodes");
});

test("alerts: an admin creates a rule for the lot and a webhook whose secret is shown once", async () => {
  await navigate(/^Alerts/, "Alerts");
  await page.getByRole("heading", { name: "Open alerts" }).waitFor();
  const rule = page.getByRole("form", { name: "New alert rule" });
  await rule.getByRole("button", { name: "Create rule" }).click();
  await rule.getByText("Give the rule a name").waitFor(); // checked here, nothing sent
  await rule.getByLabel("Name", { exact: true }).fill(env("RULE"));
  await rule.getByLabel("Kind", { exact: true }).selectOption("lot_free_below");
  await rule.getByLabel("Lot", { exact: true }).selectOption(LOT);
  await rule.getByLabel("Fire when fewer slots are free than").fill("2");
  await rule.getByRole("button", { name: "Create rule" }).click();
  await rule.getByText(`Rule "${env("RULE")}" created.`).waitFor();
  await page.locator(`tr[data-rule="${env("RULE")}"]`).filter({ hasText: "free_below 2" }).waitFor();
  const hook = page.getByRole("form", { name: "New webhook" });
  await hook.getByLabel("URL").fill(env("WEBHOOK"));
  await hook.getByLabel("Operator (code)").fill(env("OPERATOR_CODE"));
  await hook.getByRole("button", { name: "Create webhook" }).click();
  await hook.getByText("Copy the signing secret now: it is shown only this once.").waitFor();
  assert.ok((await hook.getByLabel("Secret").inputValue()).length >= 20, "no secret shown");
  await page.locator(`li[data-webhook="${env("WEBHOOK")}"]`).waitFor();
  await shot("14-alerts");
  await hook.getByRole("button", { name: "I have stored it" }).click();
  assert.equal(await hook.getByLabel("Secret").count(), 0, "the secret is still on screen");
});

test("a lot's settings: a changed tariff is the new version in force; opening hours are checked", async () => {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Lots", exact: true }).click();
  await page.locator(`li.card[data-lot="${LOT}"] h2 a`).click();
  await page.getByRole("link", { name: "Tariff and opening hours" }).click();
  await page.getByRole("heading", { level: 1, name: /^Settings of / }).waitFor();
  const form = page.getByRole("form", { name: "Edit the tariff" });
  await form.getByLabel("Free minutes at the start of a stay").fill("17");
  await form.getByLabel(/^Daily cap/).fill("19.5");
  await form.getByRole("button", { name: "Save the tariff" }).click();
  const saved = form.getByRole("status").filter({ hasText: /^Saved as version \d+\.$/ });
  await saved.waitFor();
  const version = /version (\d+)/.exec(await saved.innerText())[1];
  const newest = page.getByRole("table", { name: /Tariff versions/ }).locator("tbody tr").first();
  assert.equal(await newest.getAttribute("data-version"), version);
  assert.match(await newest.innerText(), /in force/);
  const current = page.getByTestId("tariff-current");
  await current.filter({ hasText: `version ${version}` }).waitFor();
  assert.match(await current.innerText(), /First 17 min free/);
  assert.match(await current.innerText(), /19[.,]50/);
  const hours = page.getByLabel(/^Opening hours \(OpenStreetMap syntax/);
  await hours.fill("Mo-Fx 25:00");
  await page.getByRole("button", { name: "Save opening hours" }).click();
  await page.locator(".field-error").filter({ hasText: "invalid opening hours 'Mo-Fx 25:00'" }).waitFor(); // the server's reason
  assert.equal(await hours.getAttribute("aria-invalid"), "true");
  await shot("15-lot-settings");
  await hours.fill("24/7");
  await page.getByRole("button", { name: "Save opening hours" }).click();
  await page.getByTestId("open-now").filter({ hasText: /^Open now/ }).waitFor();
  await hours.fill("");
  await page.getByRole("button", { name: "Save opening hours" }).click();
  await page.getByTestId("open-now").filter({ hasText: "Always open." }).waitFor();
});

test("payments: the pay-desk payment is confirmed, and the selection exported as CSV", async () => {
  await navigate("Payments", "Payments");
  const id = env("PAYMENT");
  const row = page.locator(`tr[data-payment="${id}"]`);
  await row.filter({ hasText: "pending" }).waitFor();
  assert.match(await row.innerText(), /4[.,]50/);
  await row.getByRole("button", { name: `Confirm payment ${id} as paid` }).click();
  await row.filter({ hasText: "succeeded" }).waitFor();
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
  assert.equal(download.suggestedFilename(), "payments.csv");
  const csv = readFileSync(await download.path(), "utf8");
  assert.match(csv, new RegExp(`^${id},.*,succeeded,450,EUR,`, "m"));
  await shot("16-payments");
});

test("history: the occupancy chart, session durations and revenue per day", async () => {
  await navigate("History", "History and analytics");
  await page.getByLabel("Lot", { exact: true }).selectOption(LOT);
  await page.locator("figure.chart .recharts-surface").first().waitFor();
  await page.getByRole("heading", { name: "Parking sessions started in this window" }).waitFor();
  await page.getByLabel("Per floor").check();
  await page.locator("figure.chart .recharts-surface").first().waitFor();
  await page.getByRole("heading", { name: "Revenue per day" }).waitFor();
  await page.getByTestId("revenue-total").filter({ hasText: /4[.,]50/ }).waitFor(); // the payment just confirmed
  await shot("06-history");
});

test("the event log, filtered to the slot, shows the event", async () => {
  await navigate("Event log", "Event log");
  await page.getByLabel("Lot", { exact: true }).fill(LOT);
  await page.getByLabel("Slot", { exact: true }).fill(EVENT_SLOT);
  await page.getByRole("button", { name: "Apply" }).click();
  await page.locator("tbody tr").filter({ hasText: "Occupied" }).filter({ hasText: env("NODE") }).first().waitFor();
  await shot("07-events");
});

test("the audit log has the override and its clearing", async () => {
  await navigate("Audit", "Audit log");
  await page.getByText("slot.override_set").first().waitFor();
  await page.getByText("slot.override_clear").first().waitFor();
  await shot("08-audit");
});

test("dead letters and broker pages answer (data or a clear error)", async () => {
  await navigate("Dead letters", "Dead letters");
  await page.locator("ul.log, .state.empty, .state.error").first().waitFor();
  await shot("11-dead-letters");
  await navigate("Broker", "Broker");
  await page.locator("dl.figures, .state.error").first().waitFor();
  await shot("12-broker");
});

test("an operator sees only their operator's lots and is refused another's", async () => {
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByRole("button", { name: "Log in" }).waitFor();
  await login(env("OPERATOR_EMAIL"), env("OPERATOR_PASSWORD"));
  await page.locator(`li.card[data-lot="${LOT}"]`).waitFor();
  assert.equal(await page.locator(`li.card[data-lot="${OTHER_LOT}"]`).count(), 0, "an operator sees another operator's lot");
  const nav = page.getByRole("navigation", { name: "Main" });
  assert.equal(await nav.getByRole("link", { name: "Broker" }).count(), 0, "operators get the admin-only Broker page");
  await shot("13-operator-overview");
  await page.goto(`${URL_}#/lots/${OTHER_LOT}`);
  const refusal = page.getByRole("alert").filter({ hasText: "You do not have access to this." });
  await refusal.waitFor();
  assert.match(await refusal.innerText(), /HTTP 403/);
  assert.equal(await page.locator("button.slot").count(), 0);
  await shot("09-operator-denied");
  await page.goto(`${URL_}#/lots/${OTHER_LOT}/settings`);
  await page.getByRole("alert").filter({ hasText: `Could not load the tariff of ${OTHER_LOT}. You do not have access to this.` }).waitFor();
  assert.equal(await page.getByRole("button", { name: "Save the tariff" }).count(), 0, "an operator may edit another operator's tariff");
});

test("no uncaught errors in the page", () => {
  assert.deepEqual(problems, []);
});

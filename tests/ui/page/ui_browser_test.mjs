// The web view end to end in a real headless Chromium, against kubectl
// sluice ui serving a real API server with the operator running (the C++
// test ui_it.cpp sets that up and checks the cluster afterwards).
// Opens the printed URL, loads the first execution, checks the graph's
// nodes and colours, selects Train + Evaluate on the graph, previews the
// plan (Preprocess reused from the first execution), starts it and waits
// until the page shows it Succeeded. Writes screenshots to OUT_DIR and
// prints "NEW_EXECUTION=<name>" for the caller.
//   usage: node ui_browser_test.mjs WEB_DIR URL FIRST_EXECUTION OUT_DIR
import path from "node:path";
import { createRequire } from "node:module";

const [webDir, url, first, outDir] = process.argv.slice(2);
if (!webDir || !url || !first || !outDir) {
  console.error("usage: node ui_browser_test.mjs WEB_DIR URL FIRST_EXECUTION OUT_DIR");
  process.exit(2);
}
const puppeteer = createRequire(path.join(path.resolve(webDir), "package.json"))("puppeteer-core");

let failures = 0;
function check(what, ok, detail = "") {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${ok || !detail ? "" : `: ${detail}`}`);
  if (!ok) failures++;
}

// --no-sandbox: the tests run as root, where Chromium's sandbox refuses to start.
const browser = await puppeteer.launch({
  executablePath: process.env.SLUICE_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
const page = await browser.newPage();
await page.setViewport({ width: 1400, height: 1000 });
const problems = [];
page.on("pageerror", (e) => problems.push(String(e)));
page.on("console", (m) => { if (m.type() === "error") problems.push(m.text()); });
const base = new URL(url).origin;
// The page redraws the graph when the execution changes (server-sent
// events): a node handle may go stale between finding and clicking it, so
// clicks on the graph find the node again.
async function clickNode(step) {
  for (let attempt = 1; ; attempt++) {
    try {
      await page.click(`g.node[data-step="${step}"]`);
      return;
    } catch (e) {
      if (attempt >= 5 || !String(e).includes("detached")) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
const shot = (name) => page.screenshot({ path: path.join(outDir, name), fullPage: true });

try {
  // The token URL sets the session cookie and redirects to the list.
  await page.goto(url);
  check("the token URL lands on the page without the token", page.url() === `${base}/`, page.url());
  await page.waitForSelector(`#executions tr[data-execution="${first}"]`, { timeout: 20000 });
  check("the list shows the first execution Succeeded",
    (await page.$eval(`#executions tr[data-execution="${first}"]`, (r) => r.getAttribute("data-phase"))) === "Succeeded");

  await page.click(`#executions tr[data-execution="${first}"] a.exec-link`);
  await page.waitForSelector('g.node[data-step="Evaluate"]', { timeout: 20000 });
  const nodes = await page.$$eval("g.node", (ns) => ns.map((n) => [n.getAttribute("data-step"), n.getAttribute("data-phase")]));
  const phases = Object.fromEntries(nodes);
  check("the graph has the six Abalone steps",
    JSON.stringify(Object.keys(phases).sort()) === JSON.stringify(["Evaluate", "FailNotify", "MSECheck", "Preprocess", "Register", "Train"]),
    JSON.stringify(nodes));
  for (const s of ["Preprocess", "Train", "Evaluate", "MSECheck", "Register"])
    check(`${s} is Succeeded`, phases[s] === "Succeeded", phases[s]);
  check("FailNotify is Skipped (the gate passed)", phases.FailNotify === "Skipped", phases.FailNotify);
  const fill = (step) => page.$eval(`g.node[data-step="${step}"] .shape`, (s) => s.getAttribute("fill"));
  check("Succeeded steps are green", (await fill("Train")) === "#c8e6c9", await fill("Train"));
  check("Skipped steps are grey", (await fill("FailNotify")) === "#f5f5f5", await fill("FailNotify"));
  check("MSECheck shows its outcome: the if branch",
    (await page.$eval('g.node[data-step="MSECheck"] .outcome', (n) => n.textContent)) === "→ if");
  check("edges carry if/else",
    (await page.$$eval(".edge-label", (l) => l.map((x) => x.textContent).sort().join(","))) === "else,if");

  // Step panel with the properties the operator recorded.
  await clickNode("Evaluate");
  await page.waitForFunction(() => document.querySelector("#step-panel h2")?.textContent === "Evaluate");
  check("the step panel shows Evaluate's mse",
    (await page.$eval("#step-panel", (p) => p.textContent)).includes("4.37"));

  // Select Train + Evaluate on the graph, change a parameter, preview.
  await page.click("#select-mode");
  await clickNode("Train");
  await clickNode("Evaluate");
  check("the selection is Train, Evaluate",
    (await page.$$eval("#selected-steps li", (l) => l.map((x) => x.getAttribute("data-step")).join(","))) === "Train,Evaluate");
  await page.$eval("#param-XGBNumRounds", (i) => { i.value = "150"; i.dispatchEvent(new Event("input", { bubbles: true })); });
  await page.click("#preview-plan");
  await page.waitForSelector("#plan .plan-accepted, #plan .plan-refused", { timeout: 20000 });
  const plan = await page.$$eval("#plan tr[data-step]", (rows) =>
    rows.map((r) => ({ step: r.getAttribute("data-step"), action: r.getAttribute("data-action"), producer: r.getAttribute("data-producer") })));
  const row = (s) => plan.find((p) => p.step === s) || {};
  check("the plan is accepted", !!(await page.$("#plan .plan-accepted")), await page.$eval("#plan", (p) => p.textContent));
  check(`the plan reuses Preprocess from ${first}`, row("Preprocess").action === "reuse" && row("Preprocess").producer === first,
    JSON.stringify(row("Preprocess")));
  check("the plan runs Train and Evaluate", row("Train").action === "run" && row("Evaluate").action === "run", JSON.stringify(plan));
  check("the plan skips Register (not selected)", row("Register").action === "skip", JSON.stringify(row("Register")));
  check("the graph marks Preprocess reused and Train run",
    !!(await page.$('g.node.plan-reuse[data-step="Preprocess"]')) && !!(await page.$('g.node.plan-run[data-step="Train"]')));
  await shot("plan-preview.png");

  // Start it and watch it succeed, live (server-sent events redraw the page).
  await page.click("#start-run");
  await page.waitForFunction((f) => location.hash.startsWith("#/executions/") && location.hash !== `#/executions/${f}`, { timeout: 20000 }, first);
  const created = decodeURIComponent(new URL(page.url()).hash.replace("#/executions/", ""));
  check("starting navigates to the new execution", created.length > 0, page.url());
  await page.waitForFunction(() => document.querySelector(".title-row [data-phase]")?.getAttribute("data-phase") === "Succeeded",
    { timeout: 90000 });
  check("the new execution is shown Succeeded", true);
  check("its Preprocess is drawn reused",
    !!(await page.$('g.node[data-step="Preprocess"] .reused')) &&
    (await page.$eval('g.node[data-step="Preprocess"] .reused', (m) => m.getAttribute("data-target"))) === first);
  const rounds = await page.$eval('#parameters tr[data-param="XGBNumRounds"]', (t) => t.textContent);
  check("XGBNumRounds shows 150, changed from the source's 120",
    rounds.includes("150") && (await page.$eval('#parameters tr[data-param="XGBNumRounds"] td.changed', (t) => t.textContent)) === "was 120",
    rounds);
  await shot("execution.png");
  console.log(`NEW_EXECUTION=${created}`);
} catch (e) {
  check(`exception: ${e}`, false);
  await shot("failure.png").catch(() => {});
}
check(`no errors in the page (${problems.join(" | ")})`, problems.length === 0);
await browser.close();
console.log(failures ? `${failures} FAILED` : "all passed");
process.exit(failures ? 1 : 0);

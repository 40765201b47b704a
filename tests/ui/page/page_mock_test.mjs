// The page on its own (unit tier): the built bundle against canned answers
// of the web view's own JSON API (not the Kubernetes API), in headless
// Chromium under the server's Content-Security-Policy. Checks the DOM hooks
// the real-cluster browser test relies on, that server text is never parsed
// as HTML, the read-only mode, and that the page raises no errors.
//   usage: node page_mock_test.mjs WEB_DIR BUNDLE_JS [--read-only]
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const [webDir, bundle] = process.argv.slice(2).map((a) => (a.startsWith("--") ? a : path.resolve(a)));
if (!webDir || !bundle) {
  console.error("usage: node page_mock_test.mjs WEB_DIR BUNDLE_JS [--read-only]");
  process.exit(2);
}
// puppeteer-core comes from the web view's node_modules (npm ci of its lock file).
const puppeteer = createRequire(path.join(webDir, "package.json"))("puppeteer-core");
const readOnly = process.argv.includes("--read-only");
const posts = [];
const sse = [];

const step = (name, extra) => ({
  name, kind: "Container", dependsOn: [], branch: null, phase: "Succeeded", reason: "", message: "",
  startTime: "2026-12-04T05:00:00Z", endTime: "2026-12-04T05:01:05Z", attempts: 1, jobName: `job-${name}`,
  reusedFrom: null, cacheHit: null, conditionOutcome: null, outputs: [], properties: [], image: "img:1", ...extra,
});
let trainPhase = "Failed";
const execution = () => ({
  name: "abalone-x7k2p", namespace: "team-a", pipeline: "abalone", phase: "Executing", created: "2026-12-04T05:00:00Z",
  startTime: "2026-12-04T05:00:00Z", endTime: null, failureReason: "Train <b>failed</b>", conditions: [],
  source: "abalone-first", selectedSteps: ["Train"],
  order: ["Preprocess", "Train", "CheckMSE", "Register", "FailIt"],
  steps: [
    step("Preprocess", { reusedFrom: "abalone-first", outputs: [{ name: "data", uri: "s3://b/p/data", size: 123456, sha256: "abc" }] }),
    step("Train", { dependsOn: ["Preprocess"], phase: trainPhase, cacheHit: "abalone-old", properties: [{ name: "mse", value: "4.3" }] }),
    step("CheckMSE", { kind: "Condition", dependsOn: ["Train"], conditionOutcome: "True", phase: "Pending" }),
    step("Register", { dependsOn: ["CheckMSE"], branch: { condition: "CheckMSE", branch: "if" }, phase: "Pending" }),
    step("FailIt", { kind: "Fail", dependsOn: ["CheckMSE"], branch: { condition: "CheckMSE", branch: "else" }, phase: "Skipped" }),
  ],
  parameters: [
    { name: "XGBNumRounds", value: "150", source: "Override", type: "Integer", sourceValue: "100", changed: true },
    { name: "Threshold", value: "6", source: "Default", type: "Float", sourceValue: "6", changed: false },
  ],
});

function json(res, status, body) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://x");
  const p = url.pathname;
  // The same policy the C++ server sends (operator/ui/server.cpp addSecurityHeaders).
  const csp = { "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'" };
  if (p === "/" ) { res.writeHead(200, { ...csp, "Content-Type": "text/html" }); return res.end(fs.readFileSync(path.join(webDir, "index.html"))); }
  if (p === "/app.css") { res.writeHead(200, { ...csp, "Content-Type": "text/css" }); return res.end(fs.readFileSync(path.join(webDir, "app.css"))); }
  if (p === "/app.js") { res.writeHead(200, { ...csp, "Content-Type": "text/javascript" }); return res.end(fs.readFileSync(bundle)); }
  if (p === "/api/session") return json(res, 200, { namespace: "team-a", context: "kind-x", readOnly, csrfToken: "tok" });
  if (req.method === "POST") {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      posts.push({ path: p, csrf: req.headers["x-sluice-csrf"], type: req.headers["content-type"], body: JSON.parse(body) });
      if (p.endsWith("/plan")) {
        const b = JSON.parse(body);
        const refuse = b.parameters.XGBNumRounds === "0";
        return json(res, 200, {
          formatVersion: 1, pipeline: "abalone", namespace: "team-a",
          verdict: { accepted: !refuse, phase: refuse ? "Failed" : "Executing", reason: refuse ? "InvalidParameter" : "Executing", message: refuse ? "XGBNumRounds must be > 0" : "" },
          warnings: ["StaleReuse: <i>x</i>"], sourceExecution: "abalone-x7k2p", selectedSteps: b.selectedSteps, parameters: [],
          steps: [
            { name: "Preprocess", kind: "Container", action: "reuse", startsImmediately: false, waitsFor: [], onBranchOf: [], producer: "abalone-first", reason: "", message: "", outputs: [] },
            { name: "Train", kind: "Container", action: "run", startsImmediately: true, waitsFor: [], onBranchOf: [], reason: "", message: "", outputs: [] },
            { name: "CheckMSE", kind: "Condition", action: "run", startsImmediately: false, waitsFor: ["Train"], onBranchOf: [], reason: "", message: "", outputs: [] },
          ],
        });
      }
      if (p.endsWith("/executions")) return json(res, 201, { name: "abalone-9xk2q" });
      if (p.endsWith("/stop")) return json(res, 409, { error: "cannot stop <now>" });
      return json(res, 404, { error: "no" });
    });
    return;
  }
  if (p === "/api/namespaces/team-a/pipelines") return json(res, 200, { items: [{ name: "abalone", description: "Abalone <script>", steps: 5, parameters: [], executions: 4 }] });
  if (p === "/api/namespaces/team-a/executions") {
    const phase = url.searchParams.get("phase");
    const items = [
      { name: "abalone-x7k2p", pipeline: "abalone", phase: "Executing", created: "2026-12-04T05:00:00Z", startTime: null, endTime: null, progress: "1/5", source: "abalone-first", selectedSteps: ["Train"] },
      { name: "abalone-first", pipeline: "abalone", phase: "Succeeded", created: "2026-12-03T05:00:00Z", startTime: null, endTime: null, progress: "5/5", source: null, selectedSteps: null },
    ].filter((e) => !phase || e.phase === phase);
    return json(res, 200, { items });
  }
  if (p === "/api/namespaces/team-a/executions/abalone-x7k2p") return json(res, 200, execution());
  if (p.startsWith("/api/namespaces/team-a/executions/abalone-x7k2p/steps/")) {
    return p.includes("/Train/") ? json(res, 200, { pod: "abalone-x-train-abc", lines: ["epoch 1", "<b>epoch 2</b>"] }) : json(res, 200, { pod: null, lines: [] });
  }
  if (p === "/api/namespaces/team-a/watch") {
    res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
    res.write(": hi\n\n");
    sse.push(res);
    return;
  }
  json(res, 404, { error: `no such thing: ${p}` });
});

await new Promise((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${server.address().port}`;
// --no-sandbox: the tests run as root, where Chromium's sandbox refuses to start.
const browser = await puppeteer.launch({ executablePath: process.env.SLUICE_CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
const page = await browser.newPage();
const problems = [];
page.on("console", (m) => { if (m.type() === "error" && !m.text().includes("409")) problems.push(m.text()); });
page.on("pageerror", (e) => problems.push(String(e)));
let failures = 0;
function check(what, ok) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures++;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

try {
  await page.goto(`${base}/#/`);
  await page.waitForSelector("#executions tbody tr");
  check("list shows two executions", (await page.$$("#executions tbody tr[data-execution]")).length === 2);
  check("pipeline description is text", (await page.$eval("#pipelines", (t) => t.textContent)).includes("Abalone <script>"));
  check("pipeline filter has abalone", (await page.$$eval("#pipeline-filter option", (o) => o.map((x) => x.value))).includes("abalone"));
  await page.select("#phase-filter", "Succeeded");
  await sleep(200);
  check("phase filter narrows list", (await page.$$("#executions tbody tr[data-execution]")).length === 1);

  await page.goto(`${base}/#/executions/abalone-x7k2p`);
  await page.waitForSelector("g.node");
  check("five nodes", (await page.$$("g.node")).length === 5);
  check("condition drawn as polygon", !!(await page.$('g.node[data-step="CheckMSE"] polygon')));
  check("phase fill", (await page.$eval('g.node[data-step="Train"] rect', (r) => r.getAttribute("fill"))) === "#ffcdd2");
  check("reused marker", !!(await page.$('g.node[data-step="Preprocess"] .reused')));
  check("cache-hit marker", !!(await page.$('g.node[data-step="Train"] .cache-hit')));
  check("if/else edge labels", (await page.$$eval(".edge-label", (l) => l.map((x) => x.textContent).sort().join(","))) === "else,if");
  check("stop button present", readOnly ? !(await page.$("#stop-execution")) : !!(await page.$("#stop-execution")));
  check("changed param cell", (await page.$eval("#parameters td.changed", (t) => t.textContent)) === "was 100");
  check("failureReason as text", (await page.$eval(".failure-reason", (t) => t.textContent)) === "Train <b>failed</b>");
  check("param inputs prefilled", (await page.$eval("#param-XGBNumRounds", (i) => i.value)) === "150");

  if (!readOnly) {
    await page.click("#stop-execution");
    await page.waitForSelector(".error:not([hidden])");
    check("stop error shown", (await page.$eval(".error:not([hidden])", (e) => e.textContent)) === "cannot stop <now>");
  }

  await page.click('g.node[data-step="Train"]');
  await page.waitForFunction(() => document.querySelector("#step-panel pre.log")?.textContent?.includes("epoch 2"));
  check("panel shows logs", (await page.$eval("#step-panel pre.log", (p) => p.textContent)) === "epoch 1\n<b>epoch 2</b>");
  await page.click('g.node[data-step="Register"]');
  await page.waitForFunction(() => document.querySelector("#step-panel pre.log")?.textContent === "no pod");
  check("no pod", true);

  await page.click('g.node[data-step="Train"]');
  await page.waitForFunction(() => document.querySelector("#step-panel h2")?.textContent === "Train");
  await page.click("#rerun-from-here");
  check("rerun from here selects descendants",
    (await page.$$eval("#selected-steps li", (l) => l.map((x) => x.textContent).join(","))) === "Train,CheckMSE,Register,FailIt");
  check("selected nodes marked", (await page.$$("g.node.selected")).length === 4);

  await page.click("#select-mode");
  await page.click('g.node[data-step="FailIt"]');
  check("select mode toggles off FailIt", (await page.$$("g.node.selected")).length === 3);

  // An SSE event for this execution re-renders but keeps the selection and panel.
  trainPhase = "Executing";
  for (const r of sse) r.write(`event: execution\ndata: ${JSON.stringify({ type: "MODIFIED", name: "abalone-x7k2p", pipeline: "abalone", phase: "Executing" })}\n\n`);
  await page.waitForFunction(() => document.querySelector('g.node[data-step="Train"]')?.getAttribute("data-phase") === "Executing");
  check("watch re-render keeps selection", (await page.$$("g.node.selected")).length === 3);
  check("watch re-render keeps panel", !(await page.$eval("#step-panel", (p) => p.hidden)));

  check("start disabled before preview", await page.$eval("#start-run", (b) => b.disabled));
  await page.click("#preview-plan");
  await page.waitForSelector("#plan .plan-accepted");
  check("plan rows", (await page.$$("#plan tr[data-step]")).length === 3);
  check("plan producer attr", (await page.$eval('#plan tr[data-step="Preprocess"]', (r) => r.getAttribute("data-producer"))) === "abalone-first");
  check("plan warning", (await page.$eval(".plan-warning", (w) => w.textContent)) === "StaleReuse: <i>x</i>");
  // SHOT=dir writes a screenshot of the execution page for a visual check.
  if (process.env.SHOT) {
    await page.setViewport({ width: 1400, height: 1100 });
    await page.screenshot({ path: path.join(process.env.SHOT, "execution.png"), fullPage: true });
  }
  check("graph plan classes", !!(await page.$('g.node.plan-run[data-step="Train"]')) && !!(await page.$('g.node.plan-reuse[data-step="Preprocess"]')));
  const planPost = posts.find((x) => x.path.endsWith("/plan"));
  check("plan POST headers", planPost.csrf === "tok" && planPost.type === "application/json");
  check("plan body", JSON.stringify(planPost.body) === JSON.stringify({ pipeline: "abalone", source: "abalone-x7k2p", selectedSteps: ["Train", "CheckMSE", "Register"], fromSteps: [], fromFailure: false, parameters: {} }));
  check("start enabled after accepted preview", readOnly ? await page.$eval("#start-run", (b) => b.disabled && b.hidden) : !(await page.$eval("#start-run", (b) => b.disabled)));

  await page.$eval("#param-XGBNumRounds", (i) => { i.value = "0"; i.dispatchEvent(new Event("input")); });
  check("start disabled after edit", await page.$eval("#start-run", (b) => b.disabled));
  await page.click("#preview-plan");
  await page.waitForSelector("#plan .plan-refused");
  check("refusal shows reason", (await page.$eval(".plan-refused", (p) => p.textContent)).includes("XGBNumRounds must be > 0"));
  check("start disabled after refused", await page.$eval("#start-run", (b) => b.disabled));

  await page.click("#from-failure");
  check("from failure clears selection", (await page.$$("#selected-steps li")).length === 0);
  await page.$eval("#param-XGBNumRounds", (i) => { i.value = "200"; i.dispatchEvent(new Event("input")); });
  await page.click("#preview-plan");
  await page.waitForSelector("#plan .plan-accepted");
  const last = posts.filter((x) => x.path.endsWith("/plan")).pop();
  check("fromFailure body", last.body.fromFailure === true && last.body.selectedSteps.length === 0 && last.body.parameters.XGBNumRounds === "200");
  if (!readOnly) {
    await page.click("#start-run");
    await page.waitForFunction(() => location.hash === "#/executions/abalone-9xk2q");
    check("start navigates to new execution", true);
    check("create body equals plan body", JSON.stringify(posts.pop().body) === JSON.stringify(last.body));
  }
} catch (e) {
  check(`exception: ${e}`, false);
}
check(`no console/page errors (${problems.join(" | ")})`, problems.filter((p) => !p.includes("404")).length === 0);
await browser.close();
for (const r of sse) r.end();
server.close();
console.log(failures ? `${failures} FAILED` : "all passed");
process.exit(failures ? 1 : 0);

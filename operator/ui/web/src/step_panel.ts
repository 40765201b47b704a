// Side panel with one step's details and its latest log lines.
import { describeError, getStepLogs } from "./api";
import { button, errorBox, executionLink, h, table } from "./dom";
import type { Child } from "./dom";
import { formatDuration, formatSize, phaseBadge, timeCell } from "./format";
import type { Execution, StepStatus } from "./types";

export interface StepPanel {
  element: HTMLElement;
  /** The step being shown, or null when closed. */
  current(): string | null;
  show(exec: Execution, step: string): void;
  /** Re-renders the open step from a fresh copy of the execution. */
  refresh(exec: Execution): void;
  close(): void;
}

const LOG_TAIL = 50;

function row(label: string, value: Child): HTMLElement[] {
  return [h("dt", null, label), h("dd", null, value)];
}

function details(step: StepStatus): HTMLElement {
  const items: HTMLElement[] = [
    ...row("Phase", phaseBadge(step.phase)),
    ...row("Kind", step.kind),
  ];
  if (step.reason) items.push(...row("Reason", step.reason));
  if (step.message) items.push(...row("Message", h("span", { class: "message" }, step.message)));
  items.push(
    ...row("Started", timeCell(step.startTime)),
    ...row("Ended", timeCell(step.endTime)),
    ...row("Duration", formatDuration(step.startTime, step.endTime)),
    ...row("Attempts", String(step.attempts)),
    ...row("Job", step.jobName || "—"),
    ...row("Image", step.image ? h("code", null, step.image) : "—"),
  );
  if (step.conditionOutcome) items.push(...row("Condition outcome", step.conditionOutcome));
  if (step.branch) items.push(...row("Runs on", `${step.branch.condition} / ${step.branch.branch}`));
  if (step.reusedFrom) items.push(...row("Reused from", h("span", { class: "reused" }, executionLink(step.reusedFrom))));
  if (step.cacheHit) items.push(...row("Cache hit of", h("span", { class: "cache-hit" }, executionLink(step.cacheHit))));
  return h("dl", { class: "details" }, ...items);
}

function outputsTable(step: StepStatus): HTMLElement {
  if (step.outputs.length === 0) return h("p", { class: "muted" }, "No outputs.");
  return table(["Name", "URI", "Size", "SHA-256"], step.outputs.map((o) => h("tr", null,
    h("td", null, o.name),
    h("td", null, h("code", { class: "uri" }, o.uri)),
    h("td", null, formatSize(o.size)),
    h("td", null, h("code", { class: "sha" }, o.sha256 || "—")))), { class: "outputs" });
}

function propertiesTable(step: StepStatus): HTMLElement {
  if (step.properties.length === 0) return h("p", { class: "muted" }, "No properties.");
  return table(["Name", "Value"], step.properties.map((p) => h("tr", null,
    h("td", null, p.name), h("td", null, h("code", null, p.value)))), { class: "properties" });
}

export function createStepPanel(onRerunFrom: (step: string) => void): StepPanel {
  const element = h("aside", { id: "step-panel", class: "step-panel", hidden: true });
  const logError = errorBox();
  // The log elements survive re-renders so a refresh does not blank the log while it reloads.
  const logCaption = h("p", { class: "log-caption muted" });
  const logPre = h("pre", { class: "log" });
  let exec: Execution | null = null;
  let stepName: string | null = null;
  let logRequest = 0;

  async function loadLogs(execution: string, step: string): Promise<void> {
    const seq = ++logRequest;
    try {
      const logs = await getStepLogs(execution, step, LOG_TAIL);
      if (seq !== logRequest) return; // the panel moved on to another step
      logError.clear();
      if (logs.pod === null) {
        logCaption.textContent = "";
        logPre.textContent = "no pod";
        logPre.classList.add("empty");
      } else {
        logCaption.textContent = `Last ${LOG_TAIL} lines of pod ${logs.pod}`;
        logPre.textContent = logs.lines.length ? logs.lines.join("\n") : "(no output)";
        logPre.classList.toggle("empty", logs.lines.length === 0);
      }
    } catch (e) {
      if (seq === logRequest) logError.show(`Logs: ${describeError(e)}`);
    }
  }

  function render(): void {
    const step = exec?.steps.find((st) => st.name === stepName);
    if (!exec || !step) {
      close();
      return;
    }
    element.replaceChildren(
      h("div", { class: "panel-head" },
        h("h2", null, step.name),
        button("×", { class: "close", "aria-label": "Close step panel" }, () => close())),
      h("div", { class: "panel-actions" },
        button("Re-run from here", { id: "rerun-from-here" }, () => onRerunFrom(step.name))),
      details(step),
      h("h3", null, "Outputs"),
      outputsTable(step),
      h("h3", null, "Properties"),
      propertiesTable(step),
      h("h3", null, "Log"),
      logError.element,
      logCaption,
      logPre,
    );
    element.hidden = false;
  }

  function close(): void {
    stepName = null;
    logRequest++;
    element.hidden = true;
    element.replaceChildren();
  }

  return {
    element,
    current: () => stepName,
    show(e, step) {
      const changed = step !== stepName;
      exec = e;
      stepName = step;
      if (changed) {
        logPre.textContent = "loading…";
        logCaption.textContent = "";
        logError.clear();
      }
      render();
      void loadLogs(e.name, step);
    },
    refresh(e) {
      if (stepName === null) return;
      exec = e;
      render();
      if (stepName !== null) void loadLogs(e.name, stepName);
    },
    close,
  };
}

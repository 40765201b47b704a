// #/executions/NAME: header, step graph, step panel, parameters and re-run form.
import { describeError, getExecution, stopExecution } from "./api";
import { button, errorBox, executionLink, h, table } from "./dom";
import { formatDuration, phaseBadge, timeCell } from "./format";
import { renderDag } from "./graph";
import type { DagView } from "./graph";
import type { Page } from "./page";
import { createRerunForm } from "./rerun_form";
import type { RerunForm } from "./rerun_form";
import { createStepPanel } from "./step_panel";
import type { Execution, Session } from "./types";
import { debounce, watchExecutions } from "./watch";

const STOPPABLE = new Set(["Pending", "Executing"]);

function parametersTable(exec: Execution): HTMLElement {
  if (exec.parameters.length === 0) return h("p", { id: "parameters", class: "muted" }, "No parameters.");
  const rows = exec.parameters.map((p) => h("tr", { "data-param": p.name },
    h("td", null, p.name),
    h("td", null, h("code", null, p.value)),
    h("td", null, p.source),
    p.changed
      ? h("td", { class: "changed" }, "was ", h("code", null, p.sourceValue ?? "(unset)"))
      : h("td", null)));
  return table(["Name", "Value", "Source", exec.source ? `In ${exec.source}` : ""], rows, { id: "parameters" });
}

function conditionsList(exec: Execution): HTMLElement | null {
  if (exec.conditions.length === 0) return null;
  return h("details", { class: "conditions" },
    h("summary", null, "Conditions"),
    table(["Type", "Status", "Reason", "Message"], exec.conditions.map((c) => h("tr", null,
      h("td", null, c.type), h("td", null, c.status), h("td", null, c.reason), h("td", null, c.message)))));
}

export function executionPage(root: HTMLElement, session: Session, name: string): Page {
  const errors = errorBox();
  const header = h("section", { class: "exec-header card" }, h("h1", null, name));
  const graphBox = h("div", { class: "graph", id: "graph" });
  const paramsBox = h("div", { class: "params-box" });
  const formSlot = h("div", { class: "form-slot" });
  let exec: Execution | null = null;
  let dag: DagView | null = null;
  let form: RerunForm | null = null;
  let disposed = false;
  let loadSeq = 0;

  const panel = createStepPanel((step) => form?.rerunFrom(step));

  root.replaceChildren(
    h("p", { class: "crumbs" }, h("a", { href: "#/" }, "← All executions")),
    errors.element,
    header,
    h("section", { class: "exec-body" },
      h("div", { class: "graph-card card" }, h("h2", null, "Steps"), graphBox),
      panel.element),
    h("section", { class: "card" }, h("h2", null, "Parameters"), paramsBox),
    formSlot);

  function onNodeClick(step: string): void {
    if (!exec) return;
    if (form?.selectMode()) form.toggle(step);
    else panel.show(exec, step);
  }

  async function stop(btn: HTMLButtonElement): Promise<void> {
    btn.disabled = true;
    try {
      await stopExecution(name);
      errors.clear();
      await load();
    } catch (e) {
      errors.show(describeError(e));
      btn.disabled = false;
    }
  }

  function renderHeader(e: Execution): void {
    const meta = h("dl", { class: "meta" },
      h("dt", null, "Pipeline"), h("dd", null, e.pipeline),
      h("dt", null, "Created"), h("dd", null, timeCell(e.created)),
      h("dt", null, "Started"), h("dd", null, timeCell(e.startTime)),
      h("dt", null, "Ended"), h("dd", null, timeCell(e.endTime)),
      h("dt", null, "Duration"), h("dd", null, formatDuration(e.startTime, e.endTime)));
    if (e.source) meta.append(h("dt", null, "Source"), h("dd", { class: "source" }, executionLink(e.source)));
    if (e.selectedSteps) meta.append(h("dt", null, "Selected steps"), h("dd", null, e.selectedSteps.join(", ")));
    const title = h("div", { class: "title-row" }, h("h1", null, e.name), phaseBadge(e.phase));
    if (STOPPABLE.has(e.phase) && !session.readOnly) {
      const stopBtn = button("Stop", { id: "stop-execution", class: "danger" }, () => void stop(stopBtn));
      title.appendChild(stopBtn);
    }
    header.replaceChildren(
      title,
      meta,
      e.failureReason ? h("p", { class: "failure-reason" }, e.failureReason) : "",
      conditionsList(e) ?? "");
  }

  function render(e: Execution): void {
    renderHeader(e);
    dag = renderDag(e.order
      .map((n) => e.steps.find((st) => st.name === n))
      .filter((st): st is NonNullable<typeof st> => st !== undefined)
      .concat(e.steps.filter((st) => !e.order.includes(st.name))), onNodeClick);
    graphBox.replaceChildren(dag.element);
    paramsBox.replaceChildren(parametersTable(e));
    if (form) form.update(e);
    else {
      form = createRerunForm(e, session.readOnly, () => { if (dag && form) form.applyTo(dag); });
      formSlot.replaceChildren(form.element);
    }
    form.applyTo(dag);
    panel.refresh(e);
  }

  async function load(): Promise<void> {
    const seq = ++loadSeq;
    try {
      const e = await getExecution(name);
      if (disposed || seq !== loadSeq) return; // a newer load or a navigation won
      errors.clear();
      // A watch (re)start replays every execution as ADDED: redraw only on a
      // real change, so the graph under the user's pointer stays put.
      if (exec && JSON.stringify(exec) === JSON.stringify(e)) return;
      exec = e;
      render(e);
    } catch (err) {
      if (!disposed && seq === loadSeq) errors.show(describeError(err));
    }
  }

  const reload = debounce(() => void load(), 150);
  const unwatch = watchExecutions((ev) => {
    if (ev.name === name) reload.call();
  });
  void load();

  return {
    dispose() {
      disposed = true;
      reload.cancel();
      unwatch();
    },
  };
}

// The re-run form: step selection, parameter inputs, plan preview and start.
import { createExecution, describeError, previewPlan } from "./api";
import { button, errorBox, h } from "./dom";
import type { DagView } from "./graph";
import { renderPlan } from "./plan_view";
import type { Execution, PlanAction, PlanRequest } from "./types";

export interface RerunForm {
  element: HTMLElement;
  /** True while graph clicks toggle the selection instead of opening the step panel. */
  selectMode(): boolean;
  toggle(step: string): void;
  /** Selects the step and everything downstream of it. */
  rerunFrom(step: string): void;
  /** Takes a fresh copy of the execution while keeping what the user entered. */
  update(exec: Execution): void;
  /** Draws the selection and the last plan onto a (possibly re-rendered) graph. */
  applyTo(dag: DagView): void;
}

function descendants(exec: Execution, root: string): Set<string> {
  const children = new Map<string, string[]>();
  for (const st of exec.steps) {
    for (const dep of st.dependsOn) children.set(dep, [...(children.get(dep) ?? []), st.name]);
  }
  const out = new Set<string>([root]);
  const queue = [root];
  while (queue.length) {
    for (const c of children.get(queue.shift() as string) ?? []) {
      if (!out.has(c)) {
        out.add(c);
        queue.push(c);
      }
    }
  }
  return out;
}

export function createRerunForm(initial: Execution, readOnly: boolean, onVisualChange: () => void): RerunForm {
  let exec = initial;
  let selectMode = false;
  let fromFailure = false;
  const selection = new Set<string>();
  // The execution's own values; only inputs that differ from these are sent.
  const baseline = new Map<string, string>();
  const inputs = new Map<string, HTMLInputElement>();
  let planActions: Map<string, PlanAction> | null = null;
  // The body of the last preview, and whether the operator would accept it.
  let previewedBody: string | null = null;
  let accepted = false;
  let busy = false;

  const errors = errorBox();
  const selectBtn = button("Select steps to re-run", { id: "select-mode", "aria-pressed": "false" }, () => {
    selectMode = !selectMode;
    changed();
  });
  const failureBtn = button("From failure", { id: "from-failure", "aria-pressed": "false" }, () => {
    fromFailure = true;
    selection.clear();
    changed();
  });
  const clearBtn = button("Clear", { id: "clear-selection" }, () => {
    fromFailure = false;
    selection.clear();
    changed();
  });
  const selectedList = h("ul", { id: "selected-steps", class: "selected-steps" });
  const selectionHint = h("p", { class: "muted selection-hint" });
  const paramBox = h("div", { class: "param-inputs" });
  const previewBtn = button("Preview plan", { id: "preview-plan", class: "primary" }, () => void preview());
  const startBtn = button("Start", { id: "start-run", class: "primary", disabled: true, hidden: readOnly }, () => void start());
  const planBox = h("div", { id: "plan", class: "plan" });

  const element = h("section", { id: "rerun-form", class: "rerun-form card" },
    h("h2", null, "Re-run"),
    h("div", { class: "toolbar" }, selectBtn, failureBtn, clearBtn),
    h("div", { class: "selection" }, h("span", { class: "selection-label" }, "Selected steps:"), selectedList, selectionHint),
    h("h3", null, "Parameters"),
    paramBox,
    h("div", { class: "toolbar" }, previewBtn, startBtn),
    errors.element,
    planBox);

  function body(): PlanRequest {
    const parameters: Record<string, string> = {};
    for (const [name, input] of inputs) {
      if (input.value !== baseline.get(name)) parameters[name] = input.value;
    }
    return {
      pipeline: exec.pipeline,
      source: exec.name,
      selectedSteps: fromFailure ? [] : exec.order.filter((n) => selection.has(n)),
      fromSteps: [],
      fromFailure,
      parameters,
    };
  }

  function updateStart(): void {
    const fresh = previewedBody !== null && previewedBody === JSON.stringify(body());
    startBtn.disabled = readOnly || busy || !fresh || !accepted;
    previewBtn.disabled = busy;
    // A preview that no longer matches the inputs stays visible but is marked stale.
    planBox.classList.toggle("plan-stale", previewedBody !== null && !fresh);
  }

  function renderSelection(): void {
    selectBtn.setAttribute("aria-pressed", String(selectMode));
    selectBtn.classList.toggle("active", selectMode);
    failureBtn.setAttribute("aria-pressed", String(fromFailure));
    failureBtn.classList.toggle("active", fromFailure);
    const names = exec.order.filter((n) => selection.has(n));
    selectedList.replaceChildren(...names.map((n) => h("li", { "data-step": n }, n)));
    if (fromFailure) selectionHint.textContent = "From failure: the operator picks the failed steps and their dependents.";
    else if (names.length === 0) selectionHint.textContent = selectMode ? "Click steps in the graph to select them." : "None.";
    else selectionHint.textContent = "";
    updateStart();
  }

  function changed(): void {
    renderSelection();
    onVisualChange();
  }

  function syncParams(): void {
    const seen = new Set<string>();
    for (const p of exec.parameters) {
      seen.add(p.name);
      let input = inputs.get(p.name);
      if (!input) {
        input = h("input", { id: `param-${p.name}`, name: p.name, type: "text", value: p.value });
        input.addEventListener("input", updateStart);
        inputs.set(p.name, input);
        paramBox.appendChild(h("label", { class: "param", for: `param-${p.name}` },
          h("span", { class: "param-name" }, p.name),
          h("span", { class: "param-type muted" }, p.type),
          input));
      } else if (input.value === baseline.get(p.name)) {
        input.value = p.value; // untouched input follows the execution
      }
      baseline.set(p.name, p.value);
    }
    for (const [name, input] of inputs) {
      if (seen.has(name)) continue;
      input.closest("label")?.remove();
      inputs.delete(name);
      baseline.delete(name);
    }
    if (inputs.size === 0) paramBox.replaceChildren(h("p", { class: "muted" }, "This pipeline has no parameters."));
    else paramBox.querySelector(":scope > p")?.remove();
  }

  async function preview(): Promise<void> {
    const req = body();
    busy = true;
    updateStart();
    try {
      const plan = await previewPlan(req);
      errors.clear();
      planBox.replaceChildren(...renderPlan(plan));
      planActions = new Map(plan.steps.map((st) => [st.name, st.action]));
      previewedBody = JSON.stringify(req);
      accepted = plan.verdict.accepted;
    } catch (e) {
      errors.show(describeError(e));
      planBox.replaceChildren();
      planActions = null;
      previewedBody = null;
      accepted = false;
    } finally {
      busy = false;
      updateStart();
      onVisualChange();
    }
  }

  async function start(): Promise<void> {
    const req = body();
    if (!accepted || previewedBody !== JSON.stringify(req)) return;
    busy = true;
    updateStart();
    try {
      const created = await createExecution(req);
      location.hash = `#/executions/${encodeURIComponent(created.name)}`;
    } catch (e) {
      errors.show(describeError(e));
    } finally {
      busy = false;
      updateStart();
    }
  }

  syncParams();
  renderSelection();

  return {
    element,
    selectMode: () => selectMode,
    toggle(step) {
      fromFailure = false;
      if (!selection.delete(step)) selection.add(step);
      changed();
    },
    rerunFrom(step) {
      fromFailure = false;
      selection.clear();
      for (const n of descendants(exec, step)) selection.add(n);
      changed();
    },
    update(e) {
      exec = e;
      const known = new Set(e.steps.map((st) => st.name));
      for (const n of [...selection]) if (!known.has(n)) selection.delete(n);
      syncParams();
      renderSelection();
    },
    applyTo(dag) {
      dag.element.classList.toggle("selecting", selectMode);
      dag.setSelected(fromFailure ? new Set() : selection);
      dag.setPlan(planActions);
    },
  };
}

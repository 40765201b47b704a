// #/ : pipelines and executions, with phase and pipeline filters.
import { describeError, listExecutions, listPipelines } from "./api";
import { errorBox, executionLink, h, table } from "./dom";
import { phaseBadge, timeCell } from "./format";
import type { Page } from "./page";
import { EXECUTION_PHASES } from "./types";
import type { ExecutionSummary, PipelineSummary } from "./types";
import { debounce, watchExecutions } from "./watch";

// Kept across navigations so coming back from an execution keeps the filters.
const filter = { phase: "", pipeline: "" };

function pipelinesTable(items: PipelineSummary[]): HTMLElement {
  if (items.length === 0) return h("p", { class: "muted" }, "No pipelines in this namespace.");
  return table(["Name", "Description", "Steps", "Executions"], items.map((p) => h("tr", { "data-pipeline": p.name },
    h("td", null, p.name),
    h("td", null, p.description),
    h("td", { class: "num" }, String(p.steps)),
    h("td", { class: "num" }, String(p.executions)))), { id: "pipelines" });
}

function executionsTable(items: ExecutionSummary[]): HTMLElement {
  const rows = items.map((e) => h("tr", { "data-execution": e.name, "data-phase": e.phase },
    h("td", null, executionLink(e.name)),
    h("td", null, e.pipeline),
    h("td", null, phaseBadge(e.phase)),
    h("td", null, e.progress),
    h("td", null, e.source ? executionLink(e.source) : "—"),
    h("td", null, timeCell(e.created))));
  if (rows.length === 0) {
    rows.push(h("tr", { class: "empty" }, h("td", { colspan: 6, class: "muted" }, "No executions match.")));
  }
  return table(["Name", "Pipeline", "Phase", "Progress", "Source", "Created"], rows, { id: "executions" });
}

function options(select: HTMLSelectElement, values: string[], selected: string): void {
  select.replaceChildren(
    h("option", { value: "" }, "All"),
    ...values.map((v) => h("option", { value: v }, v)));
  select.value = selected;
}

export function listPage(root: HTMLElement): Page {
  const errors = errorBox();
  const pipelinesBox = h("div", null, h("p", { class: "muted" }, "Loading…"));
  const executionsBox = h("div", null, h("p", { class: "muted" }, "Loading…"));
  const phaseSelect = h("select", { id: "phase-filter" });
  const pipelineSelect = h("select", { id: "pipeline-filter" });
  options(phaseSelect, [...EXECUTION_PHASES], filter.phase);
  options(pipelineSelect, filter.pipeline ? [filter.pipeline] : [], filter.pipeline);
  let disposed = false;
  let seq = 0;

  root.replaceChildren(
    errors.element,
    h("section", { class: "card" }, h("h2", null, "Pipelines"), pipelinesBox),
    h("section", { class: "card" },
      h("div", { class: "section-head" },
        h("h2", null, "Executions"),
        h("div", { class: "filters" },
          h("label", { for: "phase-filter" }, "Phase ", phaseSelect),
          h("label", { for: "pipeline-filter" }, "Pipeline ", pipelineSelect))),
      executionsBox));

  async function load(): Promise<void> {
    const mine = ++seq;
    try {
      const [pipelines, executions] = await Promise.all([
        listPipelines(),
        listExecutions({ phase: filter.phase, pipeline: filter.pipeline }),
      ]);
      if (disposed || mine !== seq) return;
      errors.clear();
      pipelinesBox.replaceChildren(pipelinesTable(pipelines.items));
      const names = pipelines.items.map((p) => p.name);
      // Keep a filter on a pipeline that has since disappeared selectable, so the UI matches the query.
      if (filter.pipeline && !names.includes(filter.pipeline)) names.push(filter.pipeline);
      options(pipelineSelect, names, filter.pipeline);
      executionsBox.replaceChildren(executionsTable(executions.items));
    } catch (e) {
      if (!disposed && mine === seq) errors.show(describeError(e));
    }
  }

  phaseSelect.addEventListener("change", () => {
    filter.phase = phaseSelect.value;
    void load();
  });
  pipelineSelect.addEventListener("change", () => {
    filter.pipeline = pipelineSelect.value;
    void load();
  });

  const reload = debounce(() => void load(), 150);
  const unwatch = watchExecutions(() => reload.call());
  void load();

  return {
    dispose() {
      disposed = true;
      reload.cancel();
      unwatch();
    },
  };
}

// Renders a /plan answer: verdict, warnings and one row per step.
import { executionLink, h, table } from "./dom";
import type { Child } from "./dom";
import type { Plan, PlanStep } from "./types";

function actionCell(step: PlanStep): Child[] {
  switch (step.action) {
    case "reuse":
      return step.producer ? ["reused from ", executionLink(step.producer)] : ["reuse"];
    case "cacheHit":
      return step.producer ? ["cache hit of ", executionLink(step.producer)] : ["cache hit"];
    default:
      return [step.action];
  }
}

function verdictLine(plan: Plan): HTMLElement {
  const v = plan.verdict;
  if (v.accepted) {
    const from = plan.sourceExecution ? ` from ${plan.sourceExecution}` : "";
    return h("p", { class: "plan-accepted" }, `Accepted${from}: the execution would start ${v.phase}`);
  }
  const why = [v.reason, v.message].filter((t) => t !== "").join(": ");
  return h("p", { class: "plan-refused", role: "alert" }, h("strong", null, "Refused"), why ? ` — ${why}` : "");
}

export function renderPlan(plan: Plan): HTMLElement[] {
  const rows = plan.steps.map((st) => h("tr", {
    "data-step": st.name,
    "data-action": st.action,
    "data-producer": st.producer ?? "",
    class: `action-${st.action.toLowerCase()}`,
  },
  h("td", null, st.name),
  h("td", null, ...actionCell(st)),
  h("td", null, st.startsImmediately ? "starts immediately" : st.waitsFor.join(", ") || "—"),
  h("td", null, [st.reason, st.message].filter((t) => t !== "").join(": "))));
  const parts: HTMLElement[] = [verdictLine(plan)];
  if (plan.warnings.length) {
    parts.push(h("ul", { class: "plan-warnings" }, ...plan.warnings.map((w) => h("li", { class: "plan-warning" }, w))));
  }
  parts.push(table(["Step", "Action", "Waits for", "Reason / message"], rows, { class: "plan-steps" }));
  return parts;
}

// Lays out an execution's steps with dagre and draws them as SVG.
import { Graph, layout } from "@dagrejs/dagre";
import type { EdgeLabel, GraphLabel, NodeLabel } from "@dagrejs/dagre";
import { s } from "./dom";
import type { PlanAction, StepStatus } from "./types";

interface PhaseStyle {
  fill: string;
  stroke: string;
  dash?: string;
}

const PHASE_STYLES: Record<string, PhaseStyle> = {
  Succeeded: { fill: "#c8e6c9", stroke: "#2e7d32" },
  Failed: { fill: "#ffcdd2", stroke: "#c62828" },
  Executing: { fill: "#bbdefb", stroke: "#1565c0" },
  Starting: { fill: "#bbdefb", stroke: "#1565c0" },
  Pending: { fill: "#e0e0e0", stroke: "#757575" },
  Skipped: { fill: "#f5f5f5", stroke: "#9e9e9e", dash: "5 3" },
  Stopped: { fill: "#ffe0b2", stroke: "#e65100" },
  Stopping: { fill: "#ffe0b2", stroke: "#e65100" },
};
const UNKNOWN_STYLE: PhaseStyle = { fill: "#ffffff", stroke: "#757575" };

// Rough glyph width of the node font; SVG text cannot be measured before it is attached.
const CHAR_W = 7.4;

interface NodeData extends NodeLabel {
  step: StepStatus;
}

interface EdgeData extends EdgeLabel {
  branch?: string;
}

export interface DagView {
  element: SVGSVGElement;
  setSelected(names: ReadonlySet<string>): void;
  setPlan(actions: ReadonlyMap<string, PlanAction> | null): void;
}

function markers(step: StepStatus): { text: string; cls: string; target: string }[] {
  const out: { text: string; cls: string; target: string }[] = [];
  if (step.reusedFrom) out.push({ text: `↺ from ${step.reusedFrom}`, cls: "reused", target: step.reusedFrom });
  if (step.cacheHit) out.push({ text: `⚡ cache ${step.cacheHit}`, cls: "cache-hit", target: step.cacheHit });
  return out;
}

function nodeSize(step: StepStatus): { width: number; height: number } {
  const lines = markers(step);
  const longest = Math.max(step.name.length, ...lines.map((m) => m.text.length * 0.85));
  if (step.kind === "Condition") {
    // A diamond only has half its width free at the text line, hence the extra room.
    return { width: Math.max(120, longest * CHAR_W * 1.6 + 30), height: 76 + lines.length * 14 };
  }
  return { width: Math.max(110, longest * CHAR_W + 28), height: 38 + lines.length * 16 };
}

function pathFor(points: { x: number; y: number }[]): string {
  return points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
}

/** Where the segment from a diamond's centre towards `toward` crosses the diamond's outline. */
function diamondPoint(node: NodeData, toward: { x: number; y: number }): { x: number; y: number } {
  const cx = node.x ?? 0;
  const cy = node.y ?? 0;
  const dx = toward.x - cx;
  const dy = toward.y - cy;
  const scale = Math.abs(dx) / (node.width / 2) + Math.abs(dy) / (node.height / 2);
  return scale === 0 ? { x: cx, y: cy } : { x: cx + dx / scale, y: cy + dy / scale };
}

/** dagre clips edges to the bounding box; pull the ends at condition nodes onto the diamond itself. */
function edgePoints(g: Graph<GraphLabel, NodeData, EdgeData>, v: string, w: string, points: { x: number; y: number }[]) {
  if (points.length < 2) return points;
  const out = points.slice();
  const from = g.node(v);
  const to = g.node(w);
  if (from.step.kind === "Condition") out[0] = diamondPoint(from, out[1]);
  if (to.step.kind === "Condition") out[out.length - 1] = diamondPoint(to, out[out.length - 2]);
  return out;
}

function drawNode(data: NodeData, onClick: (name: string) => void): SVGGElement {
  const { step, width: w, height: hgt } = data;
  const style = PHASE_STYLES[step.phase] ?? UNKNOWN_STYLE;
  const x = (data.x ?? 0) - w / 2;
  const y = (data.y ?? 0) - hgt / 2;
  const g = s("g", {
    class: `node kind-${step.kind.toLowerCase()}`,
    "data-step": step.name,
    "data-phase": step.phase,
    transform: `translate(${x.toFixed(1)},${y.toFixed(1)})`,
    tabindex: 0,
    role: "button",
  });
  const shapeAttrs = {
    class: "shape",
    fill: style.fill,
    stroke: style.stroke,
    "stroke-width": 1.5,
    "stroke-dasharray": style.dash,
  };
  if (step.kind === "Condition") {
    g.appendChild(s("polygon", { ...shapeAttrs, points: `${w / 2},0 ${w},${hgt / 2} ${w / 2},${hgt} 0,${hgt / 2}` }));
  } else {
    g.appendChild(s("rect", { ...shapeAttrs, width: w, height: hgt, rx: 6, ry: 6 }));
  }
  const lines = markers(step);
  const nameY = step.kind === "Condition" ? hgt / 2 - (lines.length ? 6 : 0) : 22;
  g.appendChild(s("text", { class: "label", x: w / 2, y: nameY, "text-anchor": "middle" }, step.name));
  let lineY = nameY + 16;
  if (step.kind === "Condition" && step.conditionOutcome) {
    g.appendChild(s("text", {
      class: `outcome outcome-${step.conditionOutcome.toLowerCase()}`, x: w / 2, y: lineY, "text-anchor": "middle",
    }, step.conditionOutcome === "True" ? "→ if" : "→ else"));
    lineY += 14;
  }
  for (const m of lines) {
    const t = s("text", { class: `marker ${m.cls}`, x: w / 2, y: lineY, "text-anchor": "middle", "data-target": m.target }, m.text);
    t.appendChild(s("title", null, `Open ${m.target}`));
    // The marker navigates to the producer instead of opening the step panel.
    t.addEventListener("click", (ev) => {
      ev.stopPropagation();
      location.hash = `#/executions/${encodeURIComponent(m.target)}`;
    });
    g.appendChild(t);
    lineY += 16;
  }
  g.addEventListener("click", () => onClick(step.name));
  g.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" || ev.key === " ") {
      ev.preventDefault();
      onClick(step.name);
    }
  });
  return g;
}

export function renderDag(steps: StepStatus[], onNodeClick: (name: string) => void): DagView {
  const g = new Graph<GraphLabel, NodeData, EdgeData>();
  g.setGraph({ rankdir: "LR", nodesep: 28, ranksep: 64, edgesep: 12, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const step of steps) g.setNode(step.name, { step, ...nodeSize(step) });
  for (const step of steps) {
    for (const dep of step.dependsOn) {
      if (!g.hasNode(dep)) continue;
      const branch = step.branch && step.branch.condition === dep ? step.branch.branch : undefined;
      // Branch labels get real space from dagre so they do not sit on top of nodes.
      g.setEdge(dep, step.name, branch ? { branch, width: 34, height: 16, labelpos: "c" } : {});
    }
  }
  layout(g);

  const { width = 0, height = 0 } = g.graph();
  const svg = s("svg", {
    class: "dag",
    width: Math.ceil(width),
    height: Math.ceil(height),
    viewBox: `0 0 ${Math.ceil(width)} ${Math.ceil(height)}`,
    role: "img",
    "aria-label": "Step graph",
  });
  svg.appendChild(s("defs", null,
    s("marker", {
      id: "dag-arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse",
    }, s("path", { d: "M0,0 L10,5 L0,10 z", class: "arrowhead" }))));

  const edgeLayer = s("g", { class: "edges" });
  for (const e of g.edges()) {
    const data = g.edge(e);
    const edge = s("g", { class: "edge", "data-from": e.v, "data-to": e.w });
    edge.appendChild(s("path", { d: pathFor(edgePoints(g, e.v, e.w, data.points ?? [])), "marker-end": "url(#dag-arrow)", fill: "none" }));
    if (data.branch && data.x !== undefined && data.y !== undefined) {
      edge.classList.add(`branch-${data.branch}`);
      edge.appendChild(s("rect", { class: "edge-label-bg", x: data.x - 17, y: data.y - 9, width: 34, height: 18, rx: 3 }));
      edge.appendChild(s("text", { class: "edge-label", x: data.x, y: data.y + 4, "text-anchor": "middle" }, data.branch));
    }
    edgeLayer.appendChild(edge);
  }
  svg.appendChild(edgeLayer);

  const nodeLayer = s("g", { class: "nodes" });
  const nodes = new Map<string, SVGGElement>();
  for (const name of g.nodes()) {
    const el = drawNode(g.node(name), onNodeClick);
    nodes.set(name, el);
    nodeLayer.appendChild(el);
  }
  svg.appendChild(nodeLayer);

  const planClasses = ["plan-run", "plan-reuse", "plan-skip", "plan-fail"];
  return {
    element: svg,
    setSelected(names) {
      for (const [name, el] of nodes) el.classList.toggle("selected", names.has(name));
    },
    setPlan(actions) {
      for (const [name, el] of nodes) {
        el.classList.remove(...planClasses);
        el.removeAttribute("data-plan-action");
        const action = actions?.get(name);
        if (!action) continue;
        el.setAttribute("data-plan-action", action);
        el.classList.add(action === "cacheHit" ? "plan-reuse" : `plan-${action}`);
      }
    },
  };
}

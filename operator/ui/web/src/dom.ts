// Tiny DOM builders. Text always goes in through text nodes, never markup, so
// server data cannot inject HTML.

export type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined>;

function setAttrs(node: Element, attrs: Attrs | null): void {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    node.setAttribute(k, v === true ? "" : String(v));
  }
}

function append(node: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K, attrs: Attrs | null = null, ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

const SVG_NS = "http://www.w3.org/2000/svg";

export function s<K extends keyof SVGElementTagNameMap>(
  tag: K, attrs: Attrs | null = null, ...children: Child[]
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag) as SVGElementTagNameMap[K];
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

export function button(label: string, attrs: Attrs | null, onClick: (ev: MouseEvent) => void): HTMLButtonElement {
  const b = h("button", { type: "button", ...attrs }, label);
  b.addEventListener("click", onClick);
  return b;
}

/** A visible error box (class "error") that stays hidden while empty. */
export interface ErrorBox {
  element: HTMLElement;
  show(message: string): void;
  clear(): void;
}

export function errorBox(): ErrorBox {
  const element = h("div", { class: "error", role: "alert", hidden: true });
  return {
    element,
    show(message) {
      element.textContent = message;
      element.hidden = false;
    },
    clear() {
      element.textContent = "";
      element.hidden = true;
    },
  };
}

export function executionLink(name: string): HTMLAnchorElement {
  return h("a", { href: `#/executions/${encodeURIComponent(name)}`, class: "exec-link" }, name);
}

export function table(headers: string[], rows: HTMLTableRowElement[], attrs: Attrs | null = null): HTMLTableElement {
  return h("table", attrs,
    h("thead", null, h("tr", null, ...headers.map((t) => h("th", null, t)))),
    h("tbody", null, ...rows));
}

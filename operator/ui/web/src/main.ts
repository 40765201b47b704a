// Entry point: loads the session, then routes on the URL hash.
import { describeError, loadSession } from "./api";
import { errorBox, h } from "./dom";
import { executionPage } from "./execution_page";
import { listPage } from "./list_page";
import type { Page } from "./page";
import type { Session } from "./types";

let page: Page | null = null;

function route(root: HTMLElement, session: Session): void {
  page?.dispose();
  page = null;
  const path = location.hash.replace(/^#/, "") || "/";
  const exec = /^\/executions\/([^/]+)$/.exec(path);
  if (path === "/") {
    page = listPage(root);
  } else if (exec) {
    let name: string;
    try {
      name = decodeURIComponent(exec[1]);
    } catch {
      name = exec[1]; // a hand-typed malformed escape; let the API report it
    }
    page = executionPage(root, session, name);
  } else {
    root.replaceChildren(h("section", { class: "card" },
      h("h1", null, "Not found"),
      h("p", null, "No page at ", h("code", null, path), ". ", h("a", { href: "#/" }, "Back to the list"), ".")));
  }
  window.scrollTo(0, 0);
}

function showSession(session: Session): void {
  const info = document.getElementById("session-info");
  if (!info) return;
  info.replaceChildren(
    h("span", { class: "ns" }, `namespace ${session.namespace}`),
    // The context is known only when the user named one (--context).
    session.context ? h("span", { class: "ctx" }, `context ${session.context}`) : "",
    session.readOnly ? h("span", { class: "badge read-only" }, "read-only") : "");
}

async function start(): Promise<void> {
  const root = document.getElementById("app");
  if (!root) return;
  let session: Session;
  try {
    session = await loadSession();
  } catch (e) {
    const box = errorBox();
    box.show(`Could not load the session: ${describeError(e)}`);
    root.replaceChildren(box.element);
    return;
  }
  document.body.classList.toggle("read-only", session.readOnly);
  showSession(session);
  window.addEventListener("hashchange", () => route(root, session));
  route(root, session);
}

void start();

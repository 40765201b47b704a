// Typed wrappers around the same-origin JSON API. The session must be loaded
// first: it supplies the namespace and the CSRF token every POST needs.
import type {
  Created, Execution, ExecutionSummary, ItemList, PipelineSummary, Plan, PlanRequest, Session, StepLogs,
} from "./types";

export class ApiError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

let session: Session | null = null;

function current(): Session {
  if (!session) throw new Error("session not loaded");
  return session;
}

const enc = encodeURIComponent;

function nsPath(): string {
  return `/api/namespaces/${enc(current().namespace)}`;
}

function errorMessage(body: unknown): string | null {
  if (typeof body === "object" && body !== null && "error" in body) {
    const e = (body as { error: unknown }).error;
    if (typeof e === "string" && e !== "") return e;
  }
  return null;
}

async function request<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (method === "POST") {
    headers["Content-Type"] = "application/json";
    headers["X-Sluice-CSRF"] = current().csrfToken;
  }
  const res = await fetch(path, {
    method,
    credentials: "same-origin",
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text === "" ? null : JSON.parse(text);
  } catch {
    // A proxy or crash page may answer with non-JSON; fall through to the status line.
  }
  if (!res.ok) {
    throw new ApiError(errorMessage(data) ?? `${res.status} ${res.statusText || "request failed"}`, res.status);
  }
  return data as T;
}

export async function loadSession(): Promise<Session> {
  session = await request<Session>("GET", "/api/session");
  return session;
}

export function listPipelines(): Promise<ItemList<PipelineSummary>> {
  return request("GET", `${nsPath()}/pipelines`);
}

export function listExecutions(filter: { pipeline?: string; phase?: string }): Promise<ItemList<ExecutionSummary>> {
  const q = new URLSearchParams();
  if (filter.pipeline) q.set("pipeline", filter.pipeline);
  if (filter.phase) q.set("phase", filter.phase);
  const qs = q.toString();
  return request("GET", `${nsPath()}/executions${qs ? `?${qs}` : ""}`);
}

export function getExecution(name: string): Promise<Execution> {
  return request("GET", `${nsPath()}/executions/${enc(name)}`);
}

export function getStepLogs(execution: string, step: string, tail = 50): Promise<StepLogs> {
  return request("GET", `${nsPath()}/executions/${enc(execution)}/steps/${enc(step)}/logs?tail=${tail}`);
}

export function previewPlan(body: PlanRequest): Promise<Plan> {
  return request("POST", `${nsPath()}/plan`, body);
}

export function createExecution(body: PlanRequest): Promise<Created> {
  return request("POST", `${nsPath()}/executions`, body);
}

export function stopExecution(name: string): Promise<Created> {
  return request("POST", `${nsPath()}/executions/${enc(name)}/stop`, {});
}

export function watchUrl(): string {
  return `${nsPath()}/watch`;
}

export function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

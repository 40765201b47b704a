// Server-sent execution change events. EventSource reconnects on its own.
import { watchUrl } from "./api";
import type { WatchEvent } from "./types";

function isWatchEvent(v: unknown): v is WatchEvent {
  if (typeof v !== "object" || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.type === "string" && typeof o.name === "string";
}

/** Subscribes to execution events; returns the unsubscribe function. */
export function watchExecutions(onEvent: (ev: WatchEvent) => void): () => void {
  const source = new EventSource(watchUrl(), { withCredentials: false });
  source.addEventListener("execution", (msg: MessageEvent) => {
    let data: unknown;
    try {
      data = JSON.parse(String(msg.data));
    } catch {
      return; // a malformed event is not worth breaking the page over
    }
    if (isWatchEvent(data)) onEvent(data);
  });
  return () => source.close();
}

/** Collapses bursts of calls (one watch event per status write) into one. */
export function debounce(fn: () => void, ms: number): { call(): void; cancel(): void } {
  let timer: number | undefined;
  return {
    call() {
      window.clearTimeout(timer);
      timer = window.setTimeout(fn, ms);
    },
    cancel() {
      window.clearTimeout(timer);
    },
  };
}

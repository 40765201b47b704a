// Display formatting shared by the pages.
import { h } from "./dom";

const KNOWN_PHASES = new Set([
  "Pending", "Starting", "Executing", "Stopping", "Stopped", "Failed", "Succeeded", "Skipped",
]);

/** CSS class suffix for a phase; unknown values get a neutral style rather than an arbitrary class. */
export function phaseClass(phase: string): string {
  return KNOWN_PHASES.has(phase) ? `phase-${phase.toLowerCase()}` : "phase-unknown";
}

export function phaseBadge(phase: string): HTMLSpanElement {
  return h("span", { class: `badge ${phaseClass(phase)}`, "data-phase": phase }, phase);
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function timeCell(iso: string | null | undefined): HTMLTimeElement {
  return h("time", iso ? { datetime: iso, title: iso } : null, formatTime(iso));
}

/** Duration between two timestamps; a running step counts up to now. */
export function formatDuration(start: string | null, end: string | null): string {
  if (!start) return "—";
  const from = Date.parse(start);
  const to = end ? Date.parse(end) : Date.now();
  if (Number.isNaN(from) || Number.isNaN(to)) return "—";
  let secs = Math.max(0, Math.round((to - from) / 1000));
  const hours = Math.floor(secs / 3600);
  secs -= hours * 3600;
  const mins = Math.floor(secs / 60);
  secs -= mins * 60;
  if (hours > 0) return `${hours}h ${mins}m ${secs}s`;
  if (mins > 0) return `${mins}m ${secs}s`;
  return `${secs}s`;
}

export function formatSize(size: number | null): string {
  if (size === null) return "—";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = size;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

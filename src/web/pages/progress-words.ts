/** An audit's live progress in words (the event stream's labels, in the viewer's language). Pure. */
import type { ProgressPhase } from "../../monitor/progress.js";
import { type Lang, type MessageKey, t } from "../i18n.js";

const phaseKey: Record<ProgressPhase | "running", MessageKey> = {
  queued: "runQueued",
  running: "runRunning",
  discovering: "phaseDiscovering",
  probing: "phaseProbing",
  storing: "phaseStoring",
  done: "runDone",
  failed: "runFailed",
};

export function progressLabel(
  lang: Lang,
  event: {
    readonly phase: ProgressPhase | "running";
    readonly done?: number;
    readonly total?: number;
    readonly what?: string;
  },
): string {
  const word = t(lang, phaseKey[event.phase]);
  const count = event.phase === "probing" && event.total ? ` ${event.done ?? 0}/${event.total}` : "";
  const what = event.what && event.phase !== "failed" ? ` — ${event.what}` : "";
  return `${word}${count}${what}`;
}

/**
 * Who holds a run or a lease: `host:pid:nonce`. On the same host a holder whose process is gone is dead
 * at once (kill -9, a crash); on another host only its lease's expiry tells.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";

export function newHolder(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** True when `holder` names another process of this host that no longer runs. */
export function holderIsDead(holder: string, self: string): boolean {
  if (holder === self) return false;
  const parts = holder.split(":");
  const nonce = parts.pop();
  const pid = Number(parts.pop());
  const host = parts.join(":");
  if (!nonce || !Number.isInteger(pid) || pid <= 0 || host !== hostname()) return false;
  if (pid === process.pid) return false; // this process: its own queues release what they hold
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as { code?: string }).code === "ESRCH";
  }
}

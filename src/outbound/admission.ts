/**
 * Who may open a session on the listener: connections at once overall and per address, and new
 * connections per address per window. Pure bookkeeping with the time as a parameter; the listener
 * asks before the greeting and answers 421 (RFC 5321 §3.8: "service not available") to a refusal.
 */

export interface AdmissionLimits {
  readonly maxConnections: number;
  readonly maxConnectionsPerIp: number;
  readonly connectionsPerIpPerWindow: number;
  readonly rateWindowMs: number;
  readonly rateTrackedAddresses: number;
}

export type Admitted =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: "too-many-connections" | "too-many-from-address" | "rate-limited";
    };

export class Admission {
  private open = 0;
  private readonly openByIp = new Map<string, number>();
  /** Start times of recent connections per address (Map order = least recently seen first). */
  private readonly recent = new Map<string, number[]>();

  constructor(private readonly limits: AdmissionLimits) {}

  admit(ip: string, now: number): Admitted {
    if (this.open >= this.limits.maxConnections) return { ok: false, reason: "too-many-connections" };
    if ((this.openByIp.get(ip) ?? 0) >= this.limits.maxConnectionsPerIp)
      return { ok: false, reason: "too-many-from-address" };
    const since = now - this.limits.rateWindowMs;
    const times = (this.recent.get(ip) ?? []).filter((t) => t > since);
    if (times.length >= this.limits.connectionsPerIpPerWindow) {
      this.remember(ip, times);
      return { ok: false, reason: "rate-limited" };
    }
    times.push(now);
    this.remember(ip, times);
    this.open += 1;
    this.openByIp.set(ip, (this.openByIp.get(ip) ?? 0) + 1);
    return { ok: true };
  }

  /** A session admitted earlier has ended. */
  release(ip: string): void {
    const n = this.openByIp.get(ip) ?? 0;
    if (n === 0) return;
    this.open -= 1;
    if (n === 1) this.openByIp.delete(ip);
    else this.openByIp.set(ip, n - 1);
  }

  get connections(): number {
    return this.open;
  }

  private remember(ip: string, times: number[]): void {
    this.recent.delete(ip);
    this.recent.set(ip, times);
    // The oldest addresses are forgotten first: memory stays bounded under a spoofed-source flood.
    while (this.recent.size > this.limits.rateTrackedAddresses) {
      const oldest = this.recent.keys().next().value;
      if (oldest === undefined) break;
      this.recent.delete(oldest);
    }
  }
}

/**
 * The open server-sent event streams, bounded per session and in all (src/core/limits.ts
 * liveProgressLimits), and closed together when the server stops (before it waits for its
 * connections, which a stream would otherwise hold open).
 */
export interface StreamSlot {
  /** Frees the slot (idempotent). */
  release(): void;
}

export type OpenOutcome =
  | { readonly ok: true; readonly slot: StreamSlot }
  | { readonly ok: false; readonly reason: "per_session" | "total" | "closing" };

export class EventStreams {
  private readonly open = new Map<symbol, { key: string; close: () => void }>();
  private closing = false;

  constructor(
    private readonly perSession: number,
    private readonly total: number,
  ) {}

  get size(): number {
    return this.open.size;
  }

  countFor(key: string): number {
    let n = 0;
    for (const s of this.open.values()) if (s.key === key) n++;
    return n;
  }

  /** A slot for one stream of `key` (a session), or why not; `close` ends the stream on shutdown. */
  acquire(key: string, close: () => void): OpenOutcome {
    if (this.closing) return { ok: false, reason: "closing" };
    if (this.open.size >= this.total) return { ok: false, reason: "total" };
    if (this.countFor(key) >= this.perSession) return { ok: false, reason: "per_session" };
    const id = Symbol(key);
    this.open.set(id, { key, close });
    return { ok: true, slot: { release: () => void this.open.delete(id) } };
  }

  /** Ends every open stream and refuses new ones (the server is stopping). */
  closeAll(): void {
    this.closing = true;
    for (const [id, s] of [...this.open]) {
      this.open.delete(id);
      s.close();
    }
  }
}

/**
 * The session lines of a Postfix log, relayed from the thread that reads the file to the threads
 * that join them into sessions (parallel-summary.ts). The reading thread splits every line and scans
 * every frame once (its stamp's time and year included); of the lines of smtp, smtpd and tlsproxy
 * it passes on the bytes, the frame it found and the service, in order, and the joining thread
 * reads only those, exactly as one thread would have read them after that same scan
 * (PostfixSessions.relayed).
 *
 * Lines go in batches (their bytes copied into one buffer, their frames into an index, the times
 * they share written once), each batch transferred, not copied, to the worker. At most `inFlight`
 * batches are on their way to a worker at a time: the reader waits for it to acknowledge one before
 * it sends more, so memory stays bounded however far behind the worker falls.
 */
import type { MessagePort, Transferable } from "node:worker_threads";
import type { SyslogFrame } from "./syslog-line.js";

/** Per line in the index: offset and end in the batch's bytes, the frame's offsets, its time, its service. */
const fields = 12;
/** Far more than a line (LineSplitter cuts a line at logLimits.lineBytes, 16 KiB). */
const batchBytes = 1024 * 1024;
const batchLines = 8192;
const inFlight = 4;

export interface RelayBatch {
  readonly kind: "lines";
  readonly bytes: Uint8Array;
  readonly index: Int32Array;
  readonly count: number;
  readonly times: readonly string[];
}
export type RelayMessage = RelayBatch | { readonly kind: "end" };

/** A relayed line's frame: its offsets are those of the decoded line's characters. */
export type RelayLine = (
  bytes: Buffer,
  start: number,
  end: number,
  frame: SyslogFrame,
  service: "smtp" | "smtpd" | "tlsproxy",
) => void;
const services = ["smtp", "smtpd", "tlsproxy"] as const;
const serviceNumber = (service: string) => (service === "smtp" ? 0 : service === "smtpd" ? 1 : 2);

/** A batch read, acknowledged: its buffers come back to be filled again. */
interface Ack {
  readonly kind: "ack";
  readonly bytes: ArrayBuffer;
  readonly index: ArrayBuffer;
}

/** Where batches go: a Worker, or one end of a MessageChannel. */
export interface RelayPort {
  on(event: "message", listener: (message: Ack | { readonly kind: string }) => void): unknown;
  postMessage(value: unknown, transfer?: readonly Transferable[]): void;
}

/** The reading thread's side. */
export class RelaySender {
  private bytes: Uint8Array<ArrayBuffer> = new Uint8Array(batchBytes);
  private index: Int32Array<ArrayBuffer> = new Int32Array(batchLines * fields);
  private count = 0;
  private used = 0;
  private times: string[] = [];
  private sent = 0;
  private acknowledged = 0;
  private waiting: (() => void) | null = null;
  private failure: Error | null = null;
  /** Buffers of batches read, to fill again (no new megabyte, nothing for the collector). */
  private readonly free: { bytes: Uint8Array<ArrayBuffer>; index: Int32Array<ArrayBuffer> }[] = [];

  constructor(private readonly worker: RelayPort) {
    worker.on("message", (m) => {
      if (m.kind !== "ack") return;
      const ack = m as Ack;
      this.free.push({ bytes: new Uint8Array(ack.bytes), index: new Int32Array(ack.index) });
      this.acknowledged++;
      this.wake();
    });
  }

  /** The worker failed or ended early: nothing more is sent, and pace() and end() say why. */
  fail(error: Error): void {
    this.failure ??= error;
    this.wake();
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = null;
    w?.();
  }

  /** One line (`bytes[start, end)`, its frame's offsets from `start`). */
  line: RelayLine = (bytes, start, end, frame, service) => {
    const length = end - start;
    if (this.count === batchLines || this.used + length > batchBytes) this.flush();
    this.bytes.set(bytes.subarray(start, end), this.used);
    const times = this.times;
    if (times.length === 0 || times[times.length - 1] !== frame.time) times.push(frame.time);
    const i = this.count * fields;
    const x = this.index;
    x[i] = this.used;
    x[i + 1] = this.used + length;
    x[i + 2] = frame.hostStart;
    x[i + 3] = frame.hostEnd;
    x[i + 4] = frame.programStart;
    x[i + 5] = frame.programEnd;
    x[i + 6] = frame.serviceStart;
    x[i + 7] = frame.pidStart;
    x[i + 8] = frame.pidEnd;
    x[i + 9] = frame.textStart;
    x[i + 10] = times.length - 1;
    x[i + 11] = serviceNumber(service);
    this.used += length;
    this.count++;
  };

  private flush(): void {
    if (this.count === 0 || this.failure) {
      this.count = 0;
      this.used = 0;
      this.times = [];
      return;
    }
    const batch: RelayBatch = {
      kind: "lines",
      bytes: this.bytes.subarray(0, this.used),
      index: this.index,
      count: this.count,
      times: this.times,
    };
    this.worker.postMessage(batch, [this.bytes.buffer, this.index.buffer]);
    this.sent++;
    const next = this.free.pop();
    this.bytes = next?.bytes ?? new Uint8Array(batchBytes);
    this.index = next?.index ?? new Int32Array(batchLines * fields);
    this.count = 0;
    this.used = 0;
    this.times = [];
  }

  /** After a chunk of the file: waits while too many batches are on their way. */
  async pace(): Promise<void> {
    while (!this.failure && this.sent - this.acknowledged >= inFlight)
      await new Promise<void>((wake) => {
        this.waiting = wake;
      });
    if (this.failure) throw this.failure;
  }

  /** The last batch, then the end. */
  end(): void {
    this.flush();
    if (!this.failure) this.worker.postMessage({ kind: "end" } satisfies RelayMessage);
  }
}

/** The frame of a relayed line, rewritten for each line read (the receiving side's). */
const frame: SyslogFrame = {
  time: "",
  hostStart: 0,
  hostEnd: 0,
  programStart: 0,
  programEnd: 0,
  serviceStart: 0,
  pidStart: 0,
  pidEnd: 0,
  textStart: 0,
};

/**
 * The worker's side: each batch's lines decoded and handed to `read` with their frames, in order;
 * the batch acknowledged once read.
 */
export function readBatch(
  batch: RelayBatch,
  port: MessagePort,
  read: (raw: string, frame: SyslogFrame, service: "smtp" | "smtpd" | "tlsproxy") => void,
): void {
  const bytes = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
  const x = batch.index;
  for (let n = 0; n < batch.count; n++) {
    const i = n * fields;
    frame.hostStart = x[i + 2] as number;
    frame.hostEnd = x[i + 3] as number;
    frame.programStart = x[i + 4] as number;
    frame.programEnd = x[i + 5] as number;
    frame.serviceStart = x[i + 6] as number;
    frame.pidStart = x[i + 7] as number;
    frame.pidEnd = x[i + 8] as number;
    frame.textStart = x[i + 9] as number;
    frame.time = batch.times[x[i + 10] as number] as string;
    read(
      bytes.toString("utf8", x[i] as number, x[i + 1] as number),
      frame,
      services[x[i + 11] as number] as "smtp" | "smtpd" | "tlsproxy",
    );
  }
  const ack: Ack = {
    kind: "ack",
    bytes: batch.bytes.buffer as ArrayBuffer,
    index: batch.index.buffer as ArrayBuffer,
  };
  port.postMessage(ack, [ack.bytes, ack.index]);
}

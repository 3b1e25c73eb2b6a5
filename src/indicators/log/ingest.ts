/**
 * Reading MTA logs into session records (the I/O around the pure parsers): files read from their
 * stored cursor (offset + the file's identity, so a second run reads only what was appended, and a
 * rotated, truncated or rewritten file is read from its start), stdin, and `--follow` (the file is watched; on rotation the
 * old file is read to its end before the new one is opened). Sessions are committed in batches with
 * the cursor (log-store.ts): the memory used is one chunk, one batch and the bounded join state.
 */

import { hash } from "node:crypto";
import { type FileHandle, open, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { MailcharterError } from "../../core/errors.js";
import { logLimits } from "../../core/limits.js";
import type { PartyDirectory } from "../links/parties.js";
import { LineSplitter } from "./line-reader.js";
import type { RelayLine } from "./line-relay.js";
import type { LogStore } from "./log-store.js";
import { type LineParser, type LogFormat, lineParser } from "./parser.js";
import type { SessionSide } from "./postfix-sessions.js";
import type { SessionRecord } from "./session.js";
import { addSession, emptySummary, type LogSummary } from "./summary.js";

export interface IngestOptions {
  readonly format: LogFormat;
  readonly organisationId: number | null;
  readonly directory: PartyDirectory | null;
  /** null: summarise only, store nothing (no cursor either). */
  readonly store: LogStore | null;
  /** `--follow`: keep reading until the signal aborts. */
  readonly follow?: { readonly signal: AbortSignal; readonly pollMs?: number };
  readonly now?: () => Date;
  /** Sessions per committed batch (default logLimits.batchSessions). */
  readonly batchSessions?: number;
  /** A summary (no store) of one direction's sessions only (parallel-summary.ts). */
  readonly sessions?: SessionSide;
  /**
   * The lines of the services `sessions` leaves out handed to other threads (line-relay.ts),
   * waited for after each chunk while they are too far behind.
   */
  readonly relay?: { readonly line: RelayLine; pace(): Promise<void> };
  /** A file is read up to this offset only (not with `follow`). */
  readonly limit?: number;
  /** For the year of syslog stamps, instead of the file's mtime. */
  readonly reference?: Date;
}

const chunkBytes = 1024 * 1024;

const empty = Buffer.alloc(0);
const lengthAt = (position: number, limit: number | undefined) =>
  limit === undefined ? chunkBytes : Math.min(chunkBytes, limit - position);

/**
 * Chunks of a file read one ahead: while a chunk is read into lines, the next one is already being
 * read into the other buffer (a log in the page cache is otherwise waited for a tenth of the time).
 * A read ahead is used only if it is the one asked for next (same file, same offset and length);
 * otherwise it is waited for and dropped, so no read ever writes into a buffer being read.
 */
class ChunkReader {
  private readonly buffers = [Buffer.allocUnsafe(chunkBytes), Buffer.allocUnsafe(chunkBytes)];
  private next = 0;
  private ahead: {
    handle: FileHandle;
    position: number;
    length: number;
    buffer: Buffer;
    read: Promise<number>;
  } | null = null;

  private start(handle: FileHandle, position: number, length: number, buffer: Buffer) {
    const read = handle.read(buffer, 0, length, position).then((r) => r.bytesRead);
    // Waited for later, or dropped with the file: never an unhandled rejection meanwhile.
    read.catch(() => undefined);
    return { handle, position, length, buffer, read };
  }

  /**
   * The chunk at `position` (empty at the end of the file or at `limit`, an offset it never reads
   * past); valid until the next call.
   */
  async read(handle: FileHandle, position: number, limit?: number): Promise<Buffer> {
    const length = lengthAt(position, limit);
    if (length <= 0) return empty;
    let current = this.ahead;
    this.ahead = null;
    if (
      current &&
      (current.handle !== handle || current.position !== position || current.length !== length)
    ) {
      await current.read.catch(() => undefined);
      current = null;
    }
    if (current === null) {
      const buffer = this.buffers[this.next] as Buffer;
      this.next = 1 - this.next;
      current = this.start(handle, position, length, buffer);
    }
    const bytesRead = await current.read;
    // A full chunk: there is likely more; the next one is read meanwhile into the other buffer.
    const nextLength = lengthAt(position + bytesRead, limit);
    if (bytesRead === length && nextLength > 0) {
      const buffer = this.buffers[this.next] as Buffer;
      this.next = 1 - this.next;
      this.ahead = this.start(handle, position + bytesRead, nextLength, buffer);
    }
    return current.buffer.subarray(0, bytesRead);
  }

  /** Before the file is closed: a read still running is waited for. */
  async settle(): Promise<void> {
    const ahead = this.ahead;
    this.ahead = null;
    if (ahead) await ahead.read.catch(() => undefined);
  }
}

class Batch {
  sessions: SessionRecord[] = [];
  readonly size: number;
  constructor(
    private readonly options: IngestOptions,
    readonly summary: LogSummary,
    readonly parser: LineParser,
  ) {
    this.size = options.batchSessions ?? logLimits.batchSessions;
  }
  feed = (bytes: Buffer, start: number, end: number, overlong: boolean): void => {
    this.summary.lines += 1;
    if (overlong) {
      this.summary.unparsed += 1;
      return;
    }
    const result = this.parser.lineBytes(bytes, start, end);
    if (result.kind === "unparsed") this.summary.unparsed += 1;
    else if (result.kind === "sessions")
      for (const s of result.sessions) {
        addSession(this.summary, s);
        if (this.options.store) this.sessions.push(s);
      }
  };
  async commit(cursor: { path: string; inode: string; offset: number } | null): Promise<void> {
    const { store } = this.options;
    if (!store) return;
    await store.commit(
      this.options.organisationId,
      this.sessions,
      this.options.directory,
      cursor && {
        ...cursor,
        format: this.options.format,
        organisationId: this.options.organisationId,
        state: this.parser.snapshot(),
      },
      this.options.now?.(),
    );
    this.sessions = [];
  }
}

const inodeOf = (s: { dev: number; ino: number }) => `${s.dev}:${s.ino}`;

/**
 * A file's identity in its cursor: `DEV:INO/K:DIGEST`, the inode and a digest of the file's first K
 * bytes (K = what it had, up to 1 KiB, when first read). The inode alone is not enough: a log
 * truncated in place (logrotate's `copytruncate`) or rewritten by an editor keeps its inode, and once
 * it has grown past the old offset, resuming there would start in the middle of a line of other
 * content. Its first line has changed: it is read from its start. Cursors of older versions (the
 * inode alone) are still honoured.
 */
const headBytes = 1024;
async function headDigest(handle: FileHandle, length: number): Promise<string> {
  const head = Buffer.alloc(length);
  const { bytesRead } = await handle.read(head, 0, length, 0);
  return hash("sha256", head.subarray(0, bytesRead), "hex").slice(0, 32);
}
async function identityOf(handle: FileHandle, inode: string, size: number): Promise<string> {
  const k = Math.min(size, headBytes);
  return k === 0 ? inode : `${inode}/${k}:${await headDigest(handle, k)}`;
}
/** An identity taken of a file that was empty gets its digest once the file has bytes. */
const completed = (identity: string, handle: FileHandle, inode: string, size: number) =>
  identity.includes("/") || size === 0 ? identity : identityOf(handle, inode, size);
/** Whether `stored` (a cursor's identity) is this open file's, as far as the file still reaches. */
async function sameFile(handle: FileHandle, inode: string, size: number, stored: string): Promise<boolean> {
  const slash = stored.indexOf("/");
  if (slash < 0) return stored === inode;
  if (stored.slice(0, slash) !== inode) return false;
  const [k, digest] = stored.slice(slash + 1).split(":");
  const length = Number(k);
  if (!Number.isInteger(length) || length <= 0 || length > headBytes || size < length) return false;
  return (await headDigest(handle, length)) === digest;
}

async function openLog(
  path: string,
): Promise<{ handle: FileHandle; inode: string; size: number; mtime: Date }> {
  let handle: FileHandle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    throw new MailcharterError(
      "config",
      `${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
  const s = await handle.stat();
  if (!s.isFile()) {
    await handle.close();
    throw new MailcharterError("config", `${path}: not a regular file`);
  }
  return { handle, inode: inodeOf(s), size: s.size, mtime: s.mtime };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((done) => {
    if (signal.aborted) return done();
    const timer = setTimeout(done, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        done();
      },
      { once: true },
    );
  });

/** Reads `file` from its cursor (or its start); with `follow`, until the signal aborts. */
export async function ingestFile(file: string, options: IngestOptions): Promise<LogSummary> {
  const path = resolve(file);
  let { handle, inode, size, mtime } = await openLog(path);
  const summary = emptySummary();
  const chunks = new ChunkReader();
  try {
    const cursor = options.store ? await options.store.cursor(path) : null;
    if (cursor && (cursor.format !== options.format || cursor.organisationId !== options.organisationId))
      throw new MailcharterError(
        "usage",
        `${path}: was read before as ${cursor.format} logs of another --org or format; it is not read again under another`,
      );
    const resume =
      cursor !== null && cursor.offset <= size && (await sameFile(handle, inode, size, cursor.inode));
    // The identity the cursor keeps: the stored one when resuming (its K bytes are unchanged).
    let identity = resume ? cursor.inode : await identityOf(handle, inode, size);
    let position = resume ? cursor.offset : 0;
    const parser = lineParser(options.format, options.reference ?? mtime, resume ? cursor.state : undefined, {
      numberRepeats: options.store !== null,
      ...(options.sessions ? { sessions: options.sessions } : {}),
      ...(options.relay ? { relay: options.relay.line } : {}),
    });
    const batch = new Batch(options, summary, parser);
    let splitter = new LineSplitter();
    let base = position;
    let rotated = false;
    for (;;) {
      const chunk = await chunks.read(handle, position, options.limit);
      const bytesRead = chunk.length;
      if (bytesRead > 0) {
        position += bytesRead;
        splitter.push(chunk, batch.feed);
        if (options.relay) await options.relay.pace();
        if (batch.sessions.length >= batch.size) {
          identity = await completed(identity, handle, inode, position);
          await batch.commit({ path, inode: identity, offset: base + splitter.lineEnd });
        }
        continue;
      }
      identity = await completed(identity, handle, inode, position);
      await batch.commit({ path, inode: identity, offset: base + splitter.lineEnd });
      const follow = options.follow;
      if (!follow || follow.signal.aborted) break;
      if (rotated) {
        // The old file is read to its end (after the rename, the MTA may have written to it until it
        // reopened its log): its unterminated last line ends there. Now the new file, from its start.
        splitter.finish(batch.feed);
        await chunks.settle();
        await handle.close();
        ({ handle, inode, mtime } = await openLog(path));
        identity = inode;
        rotated = false;
        position = 0;
        base = 0;
        splitter = new LineSplitter();
        continue;
      }
      await sleep(follow.pollMs ?? logLimits.followPollMs, follow.signal);
      if (follow.signal.aborted) break;
      const now = await stat(path).catch(() => null);
      if (now && inodeOf(now) !== inode) rotated = true;
      else if (now && now.size < position) {
        // Truncated in place (copytruncate): read again from the start.
        identity = inode;
        position = 0;
        base = 0;
        splitter = new LineSplitter();
      }
    }
  } finally {
    await chunks.settle();
    await handle.close();
  }
  return summary;
}

/** Reads a stream (stdin) to its end; no cursor. */
export async function ingestStream(
  stream: AsyncIterable<Buffer | string>,
  options: IngestOptions,
): Promise<LogSummary> {
  const summary = emptySummary();
  const parser = lineParser(options.format, options.now?.() ?? new Date(), undefined, {
    numberRepeats: options.store !== null,
  });
  const batch = new Batch(options, summary, parser);
  const splitter = new LineSplitter();
  for await (const chunk of stream) {
    splitter.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk, batch.feed);
    if (batch.sessions.length >= batch.size) await batch.commit(null);
  }
  splitter.finish(batch.feed);
  await batch.commit(null);
  return summary;
}

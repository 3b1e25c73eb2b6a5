/**
 * An MTA log uploaded through either door — the page's file part (/indicators/logs) or the API's body
 * (`POST /api/v1/organisations/:id/mta-logs`) —, read as it arrives: the bytes are counted and
 * refused past the upload cap, a gzip file (recognised by its magic bytes, RFC 1952 §2.3.1, not by its
 * name) is inflated as it streams, and the inflated bytes are refused past their own cap and past a
 * ratio to the compressed bytes read (a gzip bomb stops after at most `floor` or `ratio ×` what was
 * sent, never at its full size). Nothing is buffered whole: the chunks go on to the same ingestion as
 * the API's upload (indicators-port.ts, ingestStream), which commits sessions in batches.
 *
 * A refused upload stops the ingestion: sessions of batches committed before the refusal (a batch is
 * logLimits.batchSessions sessions) stay stored, and reading the same lines again stores nothing twice
 * (log-store.ts skips a line already stored), so the operator can send the log again, split.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type { Principal } from "../../accounts/principal.js";
import { logLimits } from "../../core/limits.js";
import type { LogFormat } from "../../indicators/log/parser.js";
import type { LogSummary } from "../../indicators/log/summary.js";
import { ApiError, notFound } from "../api-error.js";
import { actsForOrganisation } from "../authorization.js";
import type { ServiceContext } from "../context.js";

export interface UploadLimits {
  /** Bytes of the file as sent (compressed or not). */
  readonly uploadBytes: number;
  /** Bytes a gzip file may inflate to. */
  readonly inflatedBytes: number;
  /** Inflated bytes per compressed byte read so far, past `ratioFloorBytes`. */
  readonly inflateRatio: number;
  readonly ratioFloorBytes: number;
}

/** Both doors' caps (their reasons beside them in core/limits.ts). */
export const uploadLimits: UploadLimits = {
  uploadBytes: logLimits.uploadBytes,
  inflatedBytes: logLimits.uploadInflatedBytes,
  inflateRatio: logLimits.uploadInflateRatio,
  ratioFloorBytes: logLimits.uploadRatioFloorBytes,
};

export type UploadRefusal = "too_large" | "inflated_too_large" | "ratio_exceeded" | "bad_gzip";

/** Why an upload stopped; the page shows it under the file field. */
export class UploadRefused extends Error {
  constructor(
    readonly reason: UploadRefusal,
    message: string,
  ) {
    super(message);
    this.name = "UploadRefused";
  }
}

/** The HTTP status of a refusal at either door: a cap passed is 413, a body that is not gzip 400. */
export const refusalStatus = (reason: UploadRefusal): 400 | 413 => (reason === "bad_gzip" ? 400 : 413);

const mib = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;

/** The file's chunks, counted (into `sent.bytes`) against the upload cap. */
async function* capped(source: AsyncIterable<Buffer>, limits: UploadLimits, sent: { bytes: number }) {
  for await (const chunk of source) {
    sent.bytes += chunk.length;
    if (sent.bytes > limits.uploadBytes)
      throw new UploadRefused("too_large", `the file is larger than ${mib(limits.uploadBytes)}`);
    yield chunk;
  }
}

/** What was read of an upload, for the result page. */
export interface UploadMeasure {
  /** Bytes received. */
  bytes: number;
  /** Whether the file was gzip-compressed (then `inflatedBytes` is what it inflated to). */
  gzip: boolean;
  inflatedBytes: number;
}

/**
 * The log's text bytes: the file as sent, or inflated if it starts with the gzip magic. Throws
 * UploadRefused as soon as a cap is passed (the source is then destroyed, unread past that point).
 * `expectGzip` (the sender said so: `Content-Encoding: gzip`, `application/gzip`) refuses a body
 * that is not gzip rather than reading compressed-looking garbage as log lines.
 */
export async function* logBytes(
  source: AsyncIterable<Buffer>,
  measure: UploadMeasure,
  limits: UploadLimits = uploadLimits,
  expectGzip = false,
): AsyncGenerator<Buffer> {
  const raw = capped(source, limits, measure);
  // The first two bytes decide; a first chunk of one byte waits for the next.
  let head = Buffer.alloc(0);
  let first = await raw.next();
  while (!first.done && head.length + first.value.length < 2) {
    head = Buffer.concat([head, first.value]);
    first = await raw.next();
  }
  if (!first.done) head = Buffer.concat([head, first.value]);
  measure.gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  if (!measure.gzip && expectGzip && head.length > 0)
    throw new UploadRefused(
      "bad_gzip",
      "the body was declared gzip but does not start with the gzip magic (1f 8b)",
    );
  if (!measure.gzip) {
    if (head.length > 0) yield head;
    if (first.done) return;
    yield* raw;
    return;
  }
  async function* compressed() {
    yield head;
    yield* raw;
  }
  const gunzip = createGunzip({ chunkSize: 64 * 1024 });
  const feeding = pipeline(Readable.from(compressed()), gunzip).catch((error: unknown) => {
    gunzip.destroy(error as Error);
  });
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      measure.inflatedBytes += chunk.length;
      if (measure.inflatedBytes > limits.inflatedBytes)
        throw new UploadRefused(
          "inflated_too_large",
          `the gzip file inflates past ${mib(limits.inflatedBytes)}`,
        );
      if (measure.inflatedBytes > Math.max(limits.ratioFloorBytes, measure.bytes * limits.inflateRatio))
        throw new UploadRefused(
          "ratio_exceeded",
          `the gzip file inflates more than ${limits.inflateRatio} times (${mib(measure.bytes)} past ${mib(measure.inflatedBytes)}): not a log`,
        );
      yield chunk;
    }
  } catch (error) {
    if (error instanceof UploadRefused) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? "";
    if (code.startsWith("Z_") || code === "ERR_STREAM_PREMATURE_CLOSE")
      throw new UploadRefused("bad_gzip", `not a valid gzip file (${(error as Error).message})`);
    throw error;
  } finally {
    gunzip.destroy();
    await feeding;
  }
}

/** The organisations the viewer may upload for (the agency: any; an operator: its own). */
export function uploadTargets(
  viewer: Principal,
  names: ReadonlyMap<number, string>,
): { readonly id: number; readonly name: string }[] {
  return [...names]
    .filter(([id]) => actsForOrganisation(viewer, id))
    .map(([id, name]) => ({ id, name }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Both doors' upload: the viewer must act for the organisation (403 otherwise: the form offers only
 * its own; the API says 404 before calling this), which must be a signatory (404); the stream is
 * read through `logBytes`, and the summary comes back once the last batch is committed.
 */
export async function ingestUploadedLog(
  ctx: ServiceContext,
  viewer: Principal,
  organisationId: number,
  format: LogFormat,
  file: AsyncIterable<Buffer>,
  measure: UploadMeasure,
  limits: UploadLimits = uploadLimits,
  expectGzip = false,
): Promise<LogSummary> {
  if (!ctx.indicators)
    throw new ApiError(503, "unavailable", "the indicators are not available in this server");
  if (!actsForOrganisation(viewer, organisationId))
    throw new ApiError(403, "forbidden", "an operator uploads the logs of its own organisation only");
  const names = (await ctx.indicators.directory()).names;
  if (!names.has(organisationId)) throw notFound(`organisation ${organisationId}`);
  return ctx.indicators.ingestLog(
    organisationId,
    format,
    logBytes(file, measure, limits, expectGzip),
    ctx.now(),
  );
}

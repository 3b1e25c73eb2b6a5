/**
 * Gzip, bounded (RFC 8460 §5.3: `application/tlsrpt+gzip`, RFC 1952). Two guards, both before the
 * report is whole in memory: the gzip trailer's ISIZE (RFC 1952 §2.3.1, the inflated size mod 2^32)
 * refuses a declared bomb without inflating a byte; the streaming inflate stops as soon as the output
 * passes the cap or the ratio (ISIZE can lie), so a bomb costs at most the cap, never its full size.
 */
import { createGunzip } from "node:zlib";
import { tlsrptLimits } from "../../core/limits.js";
import type { RejectReason } from "./outcome.js";

export interface InflateLimits {
  readonly maxReportBytes: number;
  readonly maxInflateRatio: number;
  readonly inflateRatioFloorBytes: number;
}

export type Inflated =
  | { readonly ok: true; readonly bytes: Buffer }
  | { readonly ok: false; readonly reason: RejectReason; readonly detail: string };

/** RFC 1952 §2.3.1: ID1 ID2 = 1f 8b. */
export const isGzip = (bytes: Uint8Array): boolean =>
  bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/** The most a compressed body of `compressed` bytes may inflate to. */
export function inflateCap(compressed: number, limits: InflateLimits = tlsrptLimits): number {
  return Math.min(
    limits.maxReportBytes,
    Math.max(limits.inflateRatioFloorBytes, compressed * limits.maxInflateRatio),
  );
}

function tooBig(size: number, compressed: number, limits: InflateLimits): Inflated {
  return size > limits.maxReportBytes
    ? {
        ok: false,
        reason: "inflated_too_large",
        detail: `inflates past ${limits.maxReportBytes} bytes (the report cap)`,
      }
    : {
        ok: false,
        reason: "ratio_exceeded",
        detail: `${compressed} bytes inflate past ${size} bytes (more than ${limits.maxInflateRatio}× allowed)`,
      };
}

export async function gunzipBounded(
  compressed: Buffer,
  limits: InflateLimits = tlsrptLimits,
): Promise<Inflated> {
  const cap = inflateCap(compressed.length, limits);
  // ISIZE of the last member; a single-member file (what senders write) states its whole size.
  if (compressed.length >= 18) {
    const declared = compressed.readUInt32LE(compressed.length - 4);
    if (declared > cap) return tooBig(declared, compressed.length, limits);
  }
  return new Promise((resolve) => {
    const gunzip = createGunzip({ chunkSize: 16 * 1024 });
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: Inflated) => {
      if (done) return;
      done = true;
      gunzip.destroy();
      resolve(result);
    };
    gunzip.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > cap) finish(tooBig(size, compressed.length, limits));
      else chunks.push(chunk);
    });
    gunzip.on("error", (error) =>
      finish({ ok: false, reason: "bad_gzip", detail: `not a valid gzip stream (${error.message})` }),
    );
    gunzip.on("end", () => finish({ ok: true, bytes: Buffer.concat(chunks, size) }));
    gunzip.end(compressed);
  });
}

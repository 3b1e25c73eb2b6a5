/**
 * The upload's byte stream (src/web/app/log-upload.ts) with small caps: a file past the cap fails
 * before its end (a chunked upload has no Content-Length to refuse it by), gzip is recognised by its
 * magic bytes even split across chunks, and a bomb stops at the inflated cap or the ratio.
 */
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  logBytes,
  type UploadLimits,
  type UploadMeasure,
  UploadRefused,
} from "../../../src/web/app/log-upload.js";

const limits: UploadLimits = {
  uploadBytes: 1000,
  inflatedBytes: 5000,
  inflateRatio: 10,
  ratioFloorBytes: 100,
};

async function* chunks(bytes: Buffer, size: number) {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function read(source: AsyncIterable<Buffer>, l: UploadLimits = limits) {
  const measure: UploadMeasure = { bytes: 0, gzip: false, inflatedBytes: 0 };
  const out: Buffer[] = [];
  try {
    for await (const c of logBytes(source, measure, l)) out.push(c);
    return { text: Buffer.concat(out).toString(), measure, error: null };
  } catch (error) {
    return { text: Buffer.concat(out).toString(), measure, error: error as Error };
  }
}

const text = Buffer.from("Dec  1 10:00:00 mx postfix/smtp[1]: a line\n".repeat(40));

describe("the upload's bytes", () => {
  it("plain text passes unchanged, counted", async () => {
    const r = await read(chunks(text.subarray(0, 900), 7));
    expect(r.error).toBeNull();
    expect(r.text).toBe(text.subarray(0, 900).toString());
    expect(r.measure).toEqual({ bytes: 900, gzip: false, inflatedBytes: 0 });
  });

  it("one byte past the cap fails, before the stream's end", async () => {
    const r = await read(chunks(text.subarray(0, 1001), 100));
    expect(r.error).toBeInstanceOf(UploadRefused);
    expect((r.error as UploadRefused).reason).toBe("too_large");
    expect(r.text.length).toBe(1000);
  });

  it("gzip split one byte per chunk is still gzip, and inflates to the text", async () => {
    const small = text.subarray(0, 300);
    const r = await read(chunks(gzipSync(small), 1), { ...limits, inflateRatio: 1000 });
    expect(r.error).toBeNull();
    expect(r.text).toBe(small.toString());
    expect(r.measure.gzip).toBe(true);
    expect(r.measure.inflatedBytes).toBe(300);
  });

  it("a one-byte file and an empty one", async () => {
    expect((await read(chunks(Buffer.from("x"), 1))).text).toBe("x");
    const empty = await read(chunks(Buffer.alloc(0), 1));
    expect(empty.error).toBeNull();
    expect(empty.measure.bytes).toBe(0);
  });

  it("a bomb stops at the ratio; a big honest gzip at the inflated cap", async () => {
    const roomy = { ...limits, uploadBytes: 100_000, inflatedBytes: 10_000_000 };
    const bomb = await read(chunks(gzipSync(Buffer.alloc(1_000_000)), 64), roomy);
    expect((bomb.error as UploadRefused).reason).toBe("ratio_exceeded");
    expect(bomb.measure.inflatedBytes).toBeLessThanOrEqual(64 * 1024);
    const capped = await read(chunks(gzipSync(Buffer.alloc(1_000_000)), 64), {
      ...roomy,
      inflatedBytes: 200_000,
      inflateRatio: 100_000,
    });
    expect((capped.error as UploadRefused).reason).toBe("inflated_too_large");
    expect(capped.measure.inflatedBytes).toBeLessThanOrEqual(200_000 + 64 * 1024);
  });

  it("gzip magic then garbage, and a truncated gzip", async () => {
    const garbage = await read(chunks(Buffer.from([0x1f, 0x8b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 4));
    expect((garbage.error as UploadRefused).reason).toBe("bad_gzip");
    const whole = gzipSync(text.subarray(0, 500));
    const truncated = await read(chunks(whole.subarray(0, whole.length - 10), 16), {
      ...limits,
      inflateRatio: 1000,
    });
    expect((truncated.error as UploadRefused).reason).toBe("bad_gzip");
  });
});

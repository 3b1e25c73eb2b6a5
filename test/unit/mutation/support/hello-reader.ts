/**
 * An independent reader of the ClientHellos we build (RFC 5246 §7.4.1.2, RFC 8446 §4.1.2): every
 * field and every extension body, with lengths checked against what encloses them. Independent of
 * src/ on purpose, so that a builder and a reader cannot share one mistake.
 */
export interface ReadHello {
  readonly recordType: number;
  readonly recordVersion: number;
  readonly handshakeType: number;
  readonly clientVersion: number;
  readonly random: Buffer;
  readonly sessionId: Buffer;
  readonly suites: number[];
  readonly compression: number[];
  /** null when the hello has no extensions block at all (SSL 3.0). */
  readonly extensions: { type: number; body: Buffer }[] | null;
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`malformed ClientHello: ${what}`);
}

export function readHello(data: Buffer): ReadHello {
  check(data.length >= 9, "short");
  const recordLength = data.readUInt16BE(3);
  check(data.length === 5 + recordLength, "record length");
  const handshakeLength = data.readUIntBE(6, 3);
  check(recordLength === 4 + handshakeLength, "handshake length");
  let p = 9;
  const clientVersion = data.readUInt16BE(p);
  p += 2;
  const random = data.subarray(p, p + 32);
  p += 32;
  const sessionLength = data[p] ?? 0;
  const sessionId = data.subarray(p + 1, p + 1 + sessionLength);
  p += 1 + sessionLength;
  const suitesLength = data.readUInt16BE(p);
  check(suitesLength % 2 === 0, "odd suites length");
  p += 2;
  const suites: number[] = [];
  for (let i = 0; i < suitesLength; i += 2) suites.push(data.readUInt16BE(p + i));
  p += suitesLength;
  const compressionLength = data[p] ?? 0;
  const compression = [...data.subarray(p + 1, p + 1 + compressionLength)];
  p += 1 + compressionLength;
  let extensions: { type: number; body: Buffer }[] | null = null;
  if (p < data.length) {
    const total = data.readUInt16BE(p);
    p += 2;
    check(p + total === data.length, "extensions length");
    extensions = [];
    while (p < data.length) {
      const type = data.readUInt16BE(p);
      const length = data.readUInt16BE(p + 2);
      check(p + 4 + length <= data.length, `extension ${type} length`);
      extensions.push({ type, body: Buffer.from(data.subarray(p + 4, p + 4 + length)) });
      p += 4 + length;
    }
  }
  return {
    recordType: data[0] ?? -1,
    recordVersion: data.readUInt16BE(1),
    handshakeType: data[5] ?? -1,
    clientVersion,
    random: Buffer.from(random),
    sessionId: Buffer.from(sessionId),
    suites,
    compression,
    extensions,
  };
}

/** A u16 list with its u16 length prefix, as in supported_groups and signature_algorithms. */
export function u16List(body: Buffer): number[] {
  const length = body.readUInt16BE(0);
  if (length !== body.length - 2) throw new Error("list length");
  const out: number[] = [];
  for (let i = 2; i < body.length; i += 2) out.push(body.readUInt16BE(i));
  return out;
}

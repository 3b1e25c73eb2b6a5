/**
 * A ClientHello reader written from RFC 5246 §7.4.1.2 and RFC 8446 §4.1.2 alone, sharing no code
 * or constants with src/: the property tests read the prober's hellos back with it.
 */
export interface ReadHello {
  readonly recordVersion: number;
  readonly clientVersion: number;
  readonly sessionIdLength: number;
  readonly suites: readonly number[];
  readonly compression: readonly number[];
  /** Extension types in order (none for an SSL 3.0 hello without an extensions block). */
  readonly extensionTypes: readonly number[];
  /** supported_versions (43), supported_groups (10), server_name (0) when present. */
  readonly supportedVersions: readonly number[] | null;
  readonly groups: readonly number[] | null;
  readonly serverName: string | null;
}

class Reader {
  private at = 0;
  constructor(private readonly bytes: Buffer) {}
  get left() {
    return this.bytes.length - this.at;
  }
  take(n: number): Buffer {
    if (n > this.left) throw new Error(`needs ${n} bytes at ${this.at}, ${this.left} left`);
    const part = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return part;
  }
  u8 = () => this.take(1)[0] as number;
  u16 = () => this.take(2).readUInt16BE(0);
  u24 = () => this.take(3).readUIntBE(0, 3);
  vec8 = () => new Reader(this.take(this.u8()));
  vec16 = () => new Reader(this.take(this.u16()));
  list16(): number[] {
    const out: number[] = [];
    while (this.left > 0) out.push(this.u16());
    return out;
  }
}

/** Reads one hello record; throws on any inconsistency (lengths, trailing bytes, message type). */
export function readClientHello(bytes: Buffer): ReadHello {
  const record = new Reader(bytes);
  if (record.u8() !== 22) throw new Error("not a handshake record");
  const recordVersion = record.u16();
  const fragment = record.vec16();
  if (record.left !== 0) throw new Error("bytes after the record");
  if (fragment.u8() !== 1) throw new Error("not a client_hello");
  const body = new Reader(fragment.take(fragment.u24()));
  if (fragment.left !== 0) throw new Error("bytes after the handshake message");
  const clientVersion = body.u16();
  body.take(32); // random
  const sessionIdLength = body.vec8().left;
  const suitesVector = body.vec16();
  const suites = suitesVector.list16();
  const compressionVector = body.vec8();
  const compression = [...compressionVector.take(compressionVector.left)];
  const extensionTypes: number[] = [];
  let supportedVersions: number[] | null = null;
  let groups: number[] | null = null;
  let serverName: string | null = null;
  if (body.left > 0) {
    const block = body.vec16();
    while (block.left > 0) {
      const type = block.u16();
      const data = block.vec16();
      extensionTypes.push(type);
      if (type === 43) {
        const list = data.vec8();
        supportedVersions = list.list16();
      } else if (type === 10) {
        groups = data.vec16().list16();
      } else if (type === 0) {
        const list = data.vec16();
        if (list.u8() !== 0) throw new Error("server_name of another type than host_name");
        const name = list.vec16();
        serverName = name.take(name.left).toString("latin1");
      }
    }
  }
  if (body.left !== 0) throw new Error("bytes after the extensions");
  return {
    recordVersion,
    clientVersion,
    sessionIdLength,
    suites,
    compression,
    extensionTypes,
    supportedVersions,
    groups,
    serverName,
  };
}

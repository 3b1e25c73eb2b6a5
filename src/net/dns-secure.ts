/**
 * DNS queries with DNSSEC awareness (part of the network seam): the DO bit set (RFC 3225) and the AD
 * bit asked for (RFC 6840 §5.7), over UDP with a fall-back to TCP on truncation (RFC 7766). The AD
 * bit is the resolver's word that the answer validated; mailcharter trusts the resolver it is told
 * to use (`--resolver`), as Postfix does for DANE (RFC 7672 §2.2.1).
 */
import { createSocket } from "node:dgram";
import { connect, isIP } from "node:net";
import dnsPacket from "dns-packet";
import type { DnsAnswer } from "./resolver.js";

export interface TlsaRecord {
  readonly usage: number;
  readonly selector: number;
  readonly matchingType: number;
  readonly data: Buffer;
}

export interface SecureAnswer {
  /** The resolver validated the answer (AD bit). */
  readonly authenticated: boolean;
  readonly rcode: string;
  readonly tlsa: readonly TlsaRecord[];
  /** Number of records of the asked type (0: NODATA or NXDOMAIN). */
  readonly count: number;
}

function parseServer(server: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(server);
  if (bracketed) return { host: bracketed[1] ?? "", port: Number(bracketed[2]) };
  if (isIP(server)) return { host: server, port: 53 };
  const [host = "", port = "53"] = server.split(":");
  return { host, port: Number(port) };
}

function query(name: string, type: "TLSA" | "MX" | "A" | "TXT"): Buffer {
  return dnsPacket.encode({
    type: "query",
    id: Math.floor(Math.random() * 65535),
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.AUTHENTIC_DATA,
    questions: [{ type, name }],
    additionals: [
      { type: "OPT", name: ".", udpPayloadSize: 1232, flags: dnsPacket.DNSSEC_OK } as dnsPacket.Answer,
    ],
  });
}

function answerOf(packet: dnsPacket.DecodedPacket, type: string): SecureAnswer {
  const records = (packet.answers ?? []).filter((a) => a.type === type);
  const tlsa = records.flatMap((a) =>
    a.type === "TLSA"
      ? [
          {
            usage: a.data.usage,
            selector: a.data.selector,
            matchingType: a.data.matchingType,
            data: Buffer.from(a.data.certificate),
          },
        ]
      : [],
  );
  return {
    authenticated: packet.flag_ad,
    rcode: (packet as { rcode?: string }).rcode ?? "NOERROR",
    tlsa,
    count: records.length,
  };
}

function overUdp(host: string, port: number, message: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIP(host) === 6 ? "udp6" : "udp4");
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once("message", (reply) => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    });
    socket.send(message, port, host);
  });
}

function overTcp(host: string, port: number, message: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once("connect", () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(message.length);
      socket.write(Buffer.concat([length, message]));
    });
    socket.on("data", (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (data.length > 65_537) socket.destroy(new Error("reply too large"));
      if (data.length >= 2 && data.length >= 2 + data.readUInt16BE(0)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(data.subarray(2, 2 + data.readUInt16BE(0)));
      }
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

export async function secureQuery(
  server: string,
  name: string,
  type: "TLSA" | "MX" | "A" | "TXT",
  timeoutMs: number,
): Promise<DnsAnswer<SecureAnswer>> {
  const { host, port } = parseServer(server);
  const message = query(name, type);
  try {
    let reply = dnsPacket.decode(await overUdp(host, port, message, timeoutMs));
    if (reply.flag_tc) reply = dnsPacket.decode(await overTcp(host, port, message, timeoutMs));
    const answer = answerOf(reply, type);
    if (answer.rcode === "NXDOMAIN") return { ok: false, reason: "not_found", message: `${name}: NXDOMAIN` };
    if (answer.rcode !== "NOERROR")
      return {
        ok: false,
        reason: answer.rcode === "REFUSED" ? "refused" : "error",
        message: `${name}: ${answer.rcode}`,
      };
    return { ok: true, value: answer };
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      reason: /no answer/.test(text) ? "timeout" : "error",
      message: `${type} ${name} via ${server}: ${text}`,
    };
  }
}

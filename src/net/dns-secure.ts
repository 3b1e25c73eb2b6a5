/**
 * DNS queries with DNSSEC awareness (part of the network seam): the DO bit set (RFC 3225) and the AD
 * bit asked for (RFC 6840 §5.7), over UDP with a fall-back to TCP on truncation (RFC 7766). The AD
 * bit is the resolver's word that the answer validated; mailcharter trusts the resolver it is told
 * to use (`--resolver`), as Postfix does for DANE (RFC 7672 §2.2.1).
 *
 * Since that trust rests on the answer really coming from the resolver, a reply is accepted only when
 * it comes from the server's address and port, carries our random query id and repeats our question
 * (RFC 5452 §9.1); any other datagram is ignored and counted, and the wait goes on until the step
 * timeout. A truncated UDP answer (TC bit) is asked again over TCP (RFC 7766 §5), checked alike.
 */
import { randomInt } from "node:crypto";
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

type QueryType = "TLSA" | "MX" | "A" | "TXT";

interface Query {
  readonly id: number;
  readonly name: string;
  readonly type: QueryType;
  readonly bytes: Buffer;
}

function query(name: string, type: QueryType): Query {
  // RFC 5452 §9.2: the id must be unpredictable.
  const id = randomInt(0, 65536);
  const bytes = dnsPacket.encode({
    type: "query",
    id,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.AUTHENTIC_DATA,
    questions: [{ type, name }],
    additionals: [
      { type: "OPT", name: ".", udpPayloadSize: 1232, flags: dnsPacket.DNSSEC_OK } as dnsPacket.Answer,
    ],
  });
  return { id, name, type, bytes };
}

/** IPv6 addresses compare in their canonical text form ("2001:db8:0::1" is "2001:db8::1"). */
const canonical = (address: string) =>
  isIP(address) === 6 ? new URL(`http://[${address}]/`).hostname.slice(1, -1) : address;

const bareName = (name: string) => name.toLowerCase().replace(/\.$/, "");

/**
 * The reply to `asked`, decoded, or why it is not (RFC 5452 §9.1: same id, same question; a
 * response, not a query). Names compare case-insensitively (RFC 4343).
 */
export function matchReply(
  reply: Buffer,
  asked: Pick<Query, "id" | "name" | "type">,
): { readonly packet: dnsPacket.DecodedPacket } | { readonly ignored: string } {
  if (reply.length < 12) return { ignored: `${reply.length}-byte datagram` };
  if (reply.readUInt16BE(0) !== asked.id) return { ignored: `id ${reply.readUInt16BE(0)} is not ours` };
  let packet: dnsPacket.DecodedPacket;
  try {
    packet = dnsPacket.decode(reply);
  } catch (error) {
    return { ignored: `undecodable reply (${error instanceof Error ? error.message : error})` };
  }
  if (packet.type !== "response") return { ignored: "not a response" };
  const [question, ...more] = packet.questions ?? [];
  if (
    !question ||
    more.length > 0 ||
    bareName(question.name) !== bareName(asked.name) ||
    question.type !== asked.type ||
    (question.class ?? "IN") !== "IN"
  ) {
    const seen = question ? `${question.name} ${question.type}` : "no question";
    return { ignored: `question ${seen} is not ${asked.name} ${asked.type}` };
  }
  return { packet };
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

class DnsError extends Error {
  constructor(
    message: string,
    readonly timeout: boolean,
  ) {
    super(message);
  }
}

const ignoredText = (ignored: readonly string[]) =>
  ignored.length === 0
    ? ""
    : `; ${ignored.length} reply(ies) ignored: ${[...new Set(ignored)].slice(0, 3).join("; ")}`;

function overUdp(
  host: string,
  port: number,
  asked: Query,
  timeoutMs: number,
): Promise<dnsPacket.DecodedPacket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIP(host) === 6 ? "udp6" : "udp4");
    const ignored: string[] = [];
    const done = (finish: () => void) => {
      clearTimeout(timer);
      socket.removeAllListeners("message");
      socket.close();
      finish();
    };
    const timer = setTimeout(() => {
      done(() => reject(new DnsError(`no answer within ${timeoutMs} ms${ignoredText(ignored)}`, true)));
    }, timeoutMs);
    socket.on("message", (reply, from) => {
      // RFC 5452 §9.1: only the server we asked may answer.
      if (canonical(from.address) !== canonical(host) || from.port !== port) {
        ignored.push(`datagram from ${from.address}:${from.port}`);
        return;
      }
      const match = matchReply(reply, asked);
      if ("ignored" in match) ignored.push(match.ignored);
      else done(() => resolve(match.packet));
    });
    socket.once("error", (error) => done(() => reject(error)));
    socket.send(asked.bytes, port, host);
  });
}

/** RFC 7766 §8: a two-byte length, then the message. One answer is read, at most 64 KiB. */
function overTcp(
  host: string,
  port: number,
  asked: Query,
  timeoutMs: number,
): Promise<dnsPacket.DecodedPacket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let data = Buffer.alloc(0);
    const done = (finish: () => void) => {
      clearTimeout(timer);
      socket.removeAllListeners("data");
      socket.destroy();
      finish();
    };
    const timer = setTimeout(() => {
      done(() => reject(new DnsError(`no answer over TCP within ${timeoutMs} ms`, true)));
    }, timeoutMs);
    socket.once("connect", () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(asked.bytes.length);
      socket.write(Buffer.concat([length, asked.bytes]));
    });
    socket.on("data", (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (data.length < 2 || data.length < 2 + data.readUInt16BE(0)) return;
      const match = matchReply(data.subarray(2, 2 + data.readUInt16BE(0)), asked);
      done(() =>
        "ignored" in match
          ? reject(new DnsError(`TCP answer refused: ${match.ignored}`, false))
          : resolve(match.packet),
      );
    });
    socket.once("error", (error) => done(() => reject(error)));
    socket.once("end", () =>
      done(() => reject(new DnsError("TCP connection closed before the answer", false))),
    );
  });
}

export async function secureQuery(
  server: string,
  name: string,
  type: QueryType,
  timeoutMs: number,
): Promise<DnsAnswer<SecureAnswer>> {
  const { host, port } = parseServer(server);
  const asked = query(name, type);
  try {
    let reply = await overUdp(host, port, asked, timeoutMs);
    // RFC 7766 §5: a truncated answer is asked again over TCP.
    if (reply.flag_tc) reply = await overTcp(host, port, asked, timeoutMs);
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
      reason: error instanceof DnsError && error.timeout ? "timeout" : "error",
      message: `${type} ${name} via ${server}: ${text}`,
    };
  }
}

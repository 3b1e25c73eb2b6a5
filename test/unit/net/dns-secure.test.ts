/**
 * The DNSSEC-aware DNS client against a scripted UDP + TCP DNS server on loopback: spoofed ids,
 * wrong questions and datagrams from another address are ignored (the real answer still wins), a
 * truncated answer is asked again over TCP, and only forgeries end in a timeout that says so.
 */
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from "node:dgram";
import { createServer, type Server } from "node:net";
import dnsPacket from "dns-packet";
import { afterEach, describe, expect, it } from "vitest";
import { matchReply, secureQuery } from "../../../src/net/dns-secure.js";

type Decoded = dnsPacket.DecodedPacket;
type Reply = (query: Decoded) => Buffer;

/** What the UDP side does with one query: answer, forge, or several datagrams in a row. */
type UdpScript = (
  query: Decoded,
  from: RemoteInfo,
  send: (bytes: Buffer, viaOther?: boolean) => void,
) => void;

interface ScriptedDns {
  readonly server: string;
  udpQueries: number;
  tcpQueries: number;
  close(): Promise<void>;
}

let open: ScriptedDns[] = [];
afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
});

const tlsaData = Buffer.from("aa".repeat(32), "hex");

function answer(query: Decoded, options: { truncated?: boolean; id?: number; name?: string } = {}): Buffer {
  const question = query.questions?.[0] ?? { name: "x", type: "A" };
  const name = options.name ?? question.name;
  return dnsPacket.encode({
    type: "response",
    id: options.id ?? query.id,
    flags:
      dnsPacket.RECURSION_DESIRED |
      dnsPacket.RECURSION_AVAILABLE |
      dnsPacket.AUTHENTIC_DATA |
      (options.truncated ? dnsPacket.TRUNCATED_RESPONSE : 0),
    questions: [{ type: question.type, name }],
    answers: options.truncated
      ? []
      : [
          {
            type: "TLSA",
            name,
            ttl: 300,
            data: { usage: 3, selector: 1, matchingType: 1, certificate: tlsaData },
          } as dnsPacket.Answer,
        ],
  });
}

/** UDP and TCP on the same port number: the ephemeral UDP port may be taken on TCP, so try again. */
async function scriptedDns(udp: UdpScript, tcp: Reply = (q) => answer(q)): Promise<ScriptedDns> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await scriptedDnsOnce(udp, tcp);
    } catch (error) {
      if (attempt >= 20 || (error as { code?: string }).code !== "EADDRINUSE") throw error;
    }
  }
}

async function scriptedDnsOnce(udp: UdpScript, tcp: Reply): Promise<ScriptedDns> {
  const socket: UdpSocket = createSocket("udp4");
  const other: UdpSocket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  // Another loopback address plays the off-path attacker.
  await new Promise<void>((resolve) => other.bind(0, "127.0.0.2", resolve));
  const port = socket.address().port;
  const state = { udpQueries: 0, tcpQueries: 0 };
  socket.on("message", (message, from) => {
    state.udpQueries++;
    udp(dnsPacket.decode(message), from, (bytes, viaOther) =>
      (viaOther ? other : socket).send(bytes, from.port, from.address),
    );
  });
  const tcpServer: Server = createServer((conn) => {
    let data = Buffer.alloc(0);
    conn.on("error", () => {});
    conn.on("data", (chunk) => {
      data = Buffer.concat([data, chunk]);
      if (data.length < 2 || data.length < 2 + data.readUInt16BE(0)) return;
      state.tcpQueries++;
      const reply = tcp(dnsPacket.decode(data.subarray(2, 2 + data.readUInt16BE(0))));
      const length = Buffer.alloc(2);
      length.writeUInt16BE(reply.length);
      // Split in two writes: the client must reassemble.
      conn.write(Buffer.concat([length, reply.subarray(0, 5)]));
      setTimeout(() => conn.end(reply.subarray(5)), 5);
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      tcpServer.once("error", reject);
      tcpServer.listen(port, "127.0.0.1", resolve);
    });
  } catch (error) {
    socket.close();
    other.close();
    throw error;
  }
  const scripted: ScriptedDns = {
    server: `127.0.0.1:${port}`,
    get udpQueries() {
      return state.udpQueries;
    },
    get tcpQueries() {
      return state.tcpQueries;
    },
    close: async () => {
      socket.close();
      other.close();
      await new Promise<void>((resolve) => tcpServer.close(() => resolve()));
    },
  } as ScriptedDns;
  open.push(scripted);
  return scripted;
}

const name = "_25._tcp.mx.example.test";

describe("secureQuery: only the resolver's answer to our question", () => {
  it("accepts a straight answer (AD bit, TLSA data)", async () => {
    const dns = await scriptedDns((q, _from, send) => send(answer(q)));
    const result = await secureQuery(dns.server, name, "TLSA", 2000);
    expect(result).toMatchObject({ ok: true, value: { authenticated: true, count: 1 } });
    if (result.ok) expect(result.value.tlsa[0]?.data.equals(tlsaData)).toBe(true);
    expect(dns.tcpQueries).toBe(0);
  });

  it("ignores a reply with another id and takes the real one after it", async () => {
    const dns = await scriptedDns((q, _from, send) => {
      send(answer(q, { id: ((q.id ?? 0) + 1) % 65536, name: "forged.example.test" }));
      setTimeout(() => send(answer(q)), 20);
    });
    const result = await secureQuery(dns.server, name, "TLSA", 2000);
    expect(result).toMatchObject({ ok: true, value: { count: 1 } });
  });

  it("ignores a reply with our id but another question", async () => {
    const dns = await scriptedDns((q, _from, send) => {
      send(answer(q, { name: "other.example.test" }));
      setTimeout(() => send(answer(q)), 20);
    });
    const result = await secureQuery(dns.server, name, "TLSA", 2000);
    expect(result.ok).toBe(true);
  });

  it("ignores a reply with the right id and question from another address", async () => {
    let forgedSent = false;
    const dns = await scriptedDns((q, _from, send) => {
      send(answer(q, { truncated: false }), true);
      forgedSent = true;
      setTimeout(() => send(answer(q, { truncated: true })), 30);
    });
    const result = await secureQuery(dns.server, name, "TLSA", 2000);
    // Had the forged datagram been taken, no TCP query would have followed the real (truncated) one.
    expect(forgedSent).toBe(true);
    expect(dns.tcpQueries).toBe(1);
    expect(result.ok).toBe(true);
  });

  it("asks again over TCP when the UDP answer is truncated (TC bit)", async () => {
    const dns = await scriptedDns((q, _from, send) => send(answer(q, { truncated: true })));
    const result = await secureQuery(dns.server, name, "TLSA", 2000);
    expect(dns.udpQueries).toBe(1);
    expect(dns.tcpQueries).toBe(1);
    expect(result).toMatchObject({ ok: true, value: { authenticated: true, count: 1 } });
  });

  it("refuses a TCP answer with another id", async () => {
    const dns = await scriptedDns(
      (q, _from, send) => send(answer(q, { truncated: true })),
      (q) => answer(q, { id: ((q.id ?? 0) + 7) % 65536 }),
    );
    const result = await secureQuery(dns.server, name, "TLSA", 2000);
    expect(result).toMatchObject({ ok: false, reason: "error" });
    if (!result.ok) expect(result.message).toMatch(/TCP answer refused: id \d+ is not ours/);
  });

  it("only forgeries: a timeout that says how many replies were ignored and why", async () => {
    const dns = await scriptedDns((q, _from, send) => {
      send(answer(q, { id: ((q.id ?? 0) + 1) % 65536 }));
      send(answer(q, { name: "x.example.test" }));
      send(Buffer.from("garbage!garbage!"));
    });
    const result = await secureQuery(dns.server, name, "TLSA", 300);
    expect(result).toMatchObject({ ok: false, reason: "timeout" });
    if (!result.ok) {
      expect(result.message).toContain("3 reply(ies) ignored");
      expect(result.message).toContain("is not ours");
    }
  });
});

describe("matchReply", () => {
  const asked = { id: 4242, name: "Example.TEST.", type: "TLSA" as const };
  const reply = (fields: Partial<dnsPacket.Packet>) =>
    dnsPacket.encode({
      type: "response",
      id: 4242,
      questions: [{ type: "TLSA", name: "example.test" }],
      ...fields,
    } as dnsPacket.Packet);
  it("matches names case-insensitively, with or without the final dot", () => {
    expect(
      "packet" in matchReply(reply({ questions: [{ type: "TLSA", name: "EXAMPLE.test" }] }), asked),
    ).toBe(true);
  });
  it.each([
    ["another type", reply({ questions: [{ type: "A", name: "example.test" }] }), "is not"],
    ["no question", reply({ questions: [] }), "no question"],
    ["a query, not a response", reply({ type: "query" }), "not a response"],
    ["a short datagram", Buffer.from([0x10, 0x92, 0]), "3-byte"],
  ])("ignores %s", (_what, bytes, why) => {
    const match = matchReply(bytes, asked);
    expect("ignored" in match && match.ignored).toContain(why);
  });
});

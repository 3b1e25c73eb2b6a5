/**
 * A fake authoritative DNS server over UDP for the fleet tests and benchmark (dns-packet): A and MX
 * records from plain data, NODATA for other types of a known name, NXDOMAIN for the rest. Enough for
 * audits of thousands of domains whose mail goes to a farm of MX hosts; it counts the questions.
 */
import { createSocket } from "node:dgram";
import * as packet from "dns-packet";

export interface FakeZoneData {
  readonly a: ReadonlyMap<string, string>;
  readonly mx: ReadonlyMap<string, string>;
}

export interface FakeDns {
  readonly address: string;
  readonly port: number;
  queries: number;
  close(): Promise<void>;
}

export async function startDns(address: string, port: number, zone: FakeZoneData): Promise<FakeDns> {
  const socket = createSocket("udp4");
  const state = { queries: 0 };
  socket.on("message", (message, from) => {
    let query: packet.Packet;
    try {
      query = packet.decode(message);
    } catch {
      return;
    }
    state.queries++;
    const question = query.questions?.[0];
    if (!question) return;
    const name = question.name.toLowerCase().replace(/\.$/, "");
    const answers: packet.Answer[] = [];
    const a = zone.a.get(name);
    const mx = zone.mx.get(name);
    if (question.type === "A" && a) answers.push({ type: "A", name: question.name, ttl: 300, data: a });
    if (question.type === "MX" && mx)
      answers.push({ type: "MX", name: question.name, ttl: 300, data: { preference: 10, exchange: mx } });
    const known = a !== undefined || mx !== undefined;
    const edns = query.additionals?.find((r) => r.type === "OPT");
    const response = packet.encode({
      id: query.id,
      type: "response",
      flags:
        packet.AUTHORITATIVE_ANSWER |
        ((query.flags ?? 0) & packet.RECURSION_DESIRED) |
        packet.RECURSION_AVAILABLE,
      rcode: known ? "NOERROR" : "NXDOMAIN",
      questions: [question],
      answers,
      ...(edns
        ? { additionals: [{ type: "OPT", name: ".", udpPayloadSize: 1232, flags: 0 } as packet.Answer] }
        : {}),
    } as packet.Packet);
    socket.send(response, from.port, from.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(port, address, () => resolve());
  });
  return {
    address,
    port,
    get queries() {
      return state.queries;
    },
    set queries(v: number) {
      state.queries = v;
    },
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

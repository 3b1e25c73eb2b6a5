/** Hands one message to an MTA over plain SMTP on loopback (the proofs' client), with a timeout. */
import { connect } from "node:net";

export function submitMessage(options: {
  readonly address: string;
  readonly from: string;
  readonly to: string;
  readonly port?: number;
  /** The client's own address (default: the system's choice, 127.0.0.1). */
  readonly localAddress?: string;
}): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: options.address,
      port: options.port ?? 25,
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    });
    const script = [
      "EHLO client.lab.test",
      `MAIL FROM:<${options.from}>`,
      `RCPT TO:<${options.to}>`,
      "DATA",
      `Subject: charter proof\r\n\r\nhello ${options.to}\r\n.`,
      "QUIT",
    ];
    let buffer = "";
    let failed = false;
    socket.setTimeout(10_000, () => socket.destroy(new Error("SMTP submission timed out")));
    socket.on("data", (chunk) => {
      buffer += chunk.toString();
      // One command per complete final reply line ("NNN text").
      for (let match = /^(\d{3}) .*\r?\n/m.exec(buffer); match; match = /^(\d{3}) .*\r?\n/m.exec(buffer)) {
        buffer = buffer.slice(match.index + match[0].length);
        if (Number(match[1]) >= 400) {
          failed = true;
          socket.destroy(new Error(`submission refused: ${match[0].trim()}`));
          return;
        }
        const next = script.shift();
        if (next === undefined) {
          socket.end();
          return;
        }
        socket.write(`${next}\r\n`);
      }
    });
    socket.on("error", reject);
    socket.on("close", () => {
      if (failed) return;
      if (script.length > 0) reject(new Error(`connection closed before: ${script[0]}`));
      else resolve();
    });
  });
}

/**
 * Scripted servers that are slow on purpose, for the deadline tests: an IMAP server whose greeting
 * comes late (then STARTTLS with a real TLS handshake, CAPABILITY, LOGOUT), on loopback port 0.
 */
import type { Socket } from "node:net";
import { type FakeServer, fakeServer, nextLine, sleep, tlsServerSide } from "./fake-server.js";
import type { Issued } from "./pki.js";

export function slowGreetingImap(greetingMs: number, cert: Issued): Promise<FakeServer> {
  return fakeServer(async (socket: Socket) => {
    await sleep(greetingMs);
    socket.write("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n");
    for (;;) {
      const line = await nextLine(socket);
      const tag = line.split(" ")[0];
      if (/CAPABILITY/i.test(line)) {
        socket.write(`* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n${tag} OK done\r\n`);
      } else if (/STARTTLS/i.test(line)) {
        socket.write(`${tag} OK go ahead\r\n`);
        const secure = await tlsServerSide(socket, cert.keyPem, cert.pem);
        secure.on("error", () => {});
        for (;;) {
          const l = await nextLine(secure);
          const t = l.split(" ")[0];
          if (/CAPABILITY/i.test(l)) secure.write(`* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n${t} OK done\r\n`);
          else if (/LOGOUT/i.test(l)) {
            secure.end(`* BYE\r\n${t} OK bye\r\n`);
            return;
          } else secure.write(`${t} BAD\r\n`);
        }
      } else if (/LOGOUT/i.test(line)) {
        socket.end(`* BYE\r\n${tag} OK bye\r\n`);
        return;
      } else socket.write(`${tag} BAD\r\n`);
    }
  });
}

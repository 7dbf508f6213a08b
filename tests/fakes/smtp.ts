import net from "node:net";

/**
 * A local SMTP server (RFC 5321, plain text, no TLS offered so clients stay in the clear):
 * EHLO, optional AUTH PLAIN/LOGIN accepted as given, MAIL FROM, RCPT TO, DATA with dot-unstuffing,
 * RSET, NOOP, QUIT. Keeps every message it accepts.
 */
export interface FakeSmtp {
  url: string;
  messages: Array<{ from: string; to: string[]; data: string }>;
  close(): Promise<void>;
}

export async function startFakeSmtp(): Promise<FakeSmtp> {
  const messages: FakeSmtp["messages"] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.setEncoding("utf8");
    let buffer = "";
    let inData = false;
    let authStep = 0;
    let mail: { from: string; to: string[]; lines: string[] } = { from: "", to: [], lines: [] };
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply("220 fake.smtp ESMTP ready");
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf("\r\n"); end >= 0; end = buffer.indexOf("\r\n")) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (inData) {
          if (line === ".") {
            inData = false;
            messages.push({ from: mail.from, to: mail.to, data: mail.lines.join("\r\n") });
            mail = { from: "", to: [], lines: [] };
            reply("250 2.0.0 queued");
          } else mail.lines.push(line.startsWith("..") ? line.slice(1) : line);
          continue;
        }
        if (authStep) {
          authStep = authStep === 1 ? 2 : 0;
          reply(authStep ? "334 UGFzc3dvcmQ6" : "235 2.7.0 authenticated");
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO") reply("250-fake.smtp\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME");
        else if (verb === "HELO") reply("250 fake.smtp");
        else if (verb === "AUTH") {
          if (/^AUTH LOGIN$/i.test(line)) {
            authStep = 1;
            reply("334 VXNlcm5hbWU6");
          } else reply("235 2.7.0 authenticated");
        } else if (verb === "MAIL") {
          mail.from = line.slice(line.indexOf("<") + 1, line.indexOf(">"));
          reply("250 2.1.0 ok");
        } else if (verb === "RCPT") {
          mail.to.push(line.slice(line.indexOf("<") + 1, line.indexOf(">")));
          reply("250 2.1.5 ok");
        } else if (verb === "DATA") {
          inData = true;
          reply("354 end with <CRLF>.<CRLF>");
        } else if (verb === "RSET") {
          mail = { from: "", to: [], lines: [] };
          reply("250 ok");
        } else if (verb === "NOOP") reply("250 ok");
        else if (verb === "QUIT") {
          reply("221 bye");
          socket.end();
        } else reply("502 5.5.2 command not recognized");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `smtp://alerts:secret@127.0.0.1:${port}`,
    messages,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

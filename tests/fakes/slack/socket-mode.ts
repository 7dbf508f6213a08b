import { createHash, randomBytes } from "node:crypto";
import type http from "node:http";
import type { Socket } from "node:net";
import { type SlackState, safeJson } from "./state.ts";
import type { FakeSlack } from "./types.ts";
import { err, type Handler, ok } from "./web-api.ts";
import { WsConnection } from "./websocket.ts";

/**
 * Socket Mode: apps.connections.open hands out a WebSocket URL (app token only), the socket
 * says hello, and envelopes (events, slash commands, interactions) go down it; the client's
 * acknowledgement resolves the envelope's promise.
 */

type Ack = { envelopeId: string; payload: any; seq: number };

export function socketModeMethods(state: SlackState): Record<string, Handler> {
  return {
    "apps.connections.open": (_a, token) => {
      if (token !== state.appToken) return err("invalid_auth");
      return ok({
        url: `${state.base.replace(/^http/, "ws")}/link/?ticket=${randomBytes(8).toString("hex")}&app_id=${state.appId}`,
      });
    },
  };
}

/** Serves `/link` upgrades on the fake's server; returns the tests' handle on the sockets. */
export function attachSocketMode(
  state: SlackState,
  server: http.Server,
): { socket: FakeSlack["socket"]; destroyAll(): void } {
  const sockets = new Set<WsConnection>();
  const acks = new Map<string, (ack: Ack) => void>();
  let onConnect: Array<() => void> = [];

  server.on("upgrade", (req, socket: Socket) => {
    if (!req.url?.startsWith("/link") || req.headers.upgrade?.toLowerCase() !== "websocket")
      return void socket.destroy();
    const key = String(req.headers["sec-websocket-key"] ?? "");
    const accept = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    const conn = new WsConnection(socket, (text) => {
      const msg = safeJson(text) as { envelope_id?: string; payload?: unknown } | null;
      if (msg?.envelope_id)
        acks.get(msg.envelope_id)?.({
          envelopeId: msg.envelope_id,
          payload: msg.payload,
          seq: state.nextSeq(),
        });
    });
    sockets.add(conn);
    socket.on("close", () => sockets.delete(conn));
    conn.sendText(
      JSON.stringify({
        type: "hello",
        num_connections: sockets.size,
        debug_info: { host: "fake-slack", build_number: 1, approximate_connection_time: 18_060 },
        connection_info: { app_id: state.appId },
      }),
    );
    const waiting = onConnect;
    onConnect = [];
    for (const w of waiting) w();
  });

  const socket: FakeSlack["socket"] = {
    connected: () => (sockets.size ? Promise.resolve() : new Promise<void>((r) => onConnect.push(r))),
    connections: () => sockets.size,
    send(type, payload, opts = {}) {
      const conn = [...sockets][0];
      if (!conn) return Promise.reject(new Error("no socket mode connection"));
      const envelopeId = opts.envelopeId ?? randomBytes(16).toString("hex");
      const acked = new Promise<Ack>((resolve) => acks.set(envelopeId, resolve));
      conn.sendText(
        JSON.stringify({
          envelope_id: envelopeId,
          payload,
          type,
          accepts_response_payload: type !== "events_api",
          ...(type === "events_api"
            ? { retry_attempt: opts.retryAttempt ?? 0, retry_reason: opts.retryReason ?? "" }
            : {}),
        }),
      );
      return acked;
    },
    dropAll() {
      for (const c of sockets) c.close(1001, "going away");
    },
  };
  return {
    socket,
    destroyAll() {
      for (const c of sockets) c.destroy();
    },
  };
}

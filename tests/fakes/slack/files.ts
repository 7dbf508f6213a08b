import type http from "node:http";
import type { SlackState } from "./state.ts";
import { err, type Handler, ok, readArgs } from "./web-api.ts";

/**
 * files.uploadV2's three steps as the SDK makes them: files.getUploadURLExternal, the upload
 * itself (`POST /upload/v1/<id>`), then files.completeUploadExternal sharing it in a channel.
 */

export function fileMethods(state: SlackState): Record<string, Handler> {
  return {
    "files.getUploadURLExternal": (a) => {
      if (!a.filename) return err("invalid_arguments");
      const length = Number(a.length);
      if (!Number.isInteger(length) || length <= 0) return err("invalid_arguments");
      const id = state.newId("F");
      state.files.push({ id, filename: String(a.filename), content: "", completed: false });
      return ok({ upload_url: `${state.base}/upload/v1/${id}`, file_id: id });
    },
    "files.completeUploadExternal": (a) => {
      const list = Array.isArray(a.files) ? (a.files as Array<{ id: string; title?: string }>) : [];
      if (!list.length) return err("invalid_arguments");
      const channel = a.channel_id ? state.channelOf(String(a.channel_id)) : undefined;
      if (channel && state.knobs.notInChannel.includes(channel)) return err("not_in_channel");
      const out = [];
      for (const f of list) {
        const file = state.files.find((x) => x.id === f.id);
        if (!file?.content) return err("file_not_found");
        Object.assign(file, { title: f.title, channel, threadTs: a.thread_ts, completed: true });
        out.push({
          id: file.id,
          name: file.filename,
          title: f.title ?? file.filename,
          mimetype: "text/markdown",
          size: Buffer.byteLength(file.content),
        });
      }
      return ok({ files: out });
    },
  };
}

/** The upload step: stores the file's content and records the call as method "upload". */
export async function upload(
  state: SlackState,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  id: string,
  raw: Buffer,
): Promise<void> {
  const file = state.files.find((f) => f.id === id);
  if (!file) return void res.writeHead(404).end();
  const args = await readArgs(req, raw);
  file.content = typeof args?.body === "string" ? args.body : raw.toString("utf8");
  state.calls.push({
    seq: state.nextSeq(),
    method: "upload",
    contentType: String(req.headers["content-type"] ?? ""),
    args: { file: file.id },
    token: null,
    at: Date.now(),
    status: 200,
    response: {},
  });
  res.writeHead(200, { "content-type": "text/plain" });
  res.end(`OK - ${Buffer.byteLength(file.content)}`);
}

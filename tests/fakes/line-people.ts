import { randomBytes } from "node:crypto";
import type http from "node:http";
import { z } from "zod";

/**
 * The parts of the fake LINE Messaging API about people and the rich menu, as LINE answers
 * them: group and room member profiles, group summaries, mark-as-read by token, text v2
 * validation, and the rich menu endpoints (create, validate, list, get, delete, upload image
 * on the api-data host, set/get/cancel the default) with LINE's limits. tests/fakes/line.ts
 * routes these paths here.
 *
 * https://developers.line.biz/en/reference/messaging-api/
 */

export type PeopleEndpoint =
  | "member_profile"
  | "group_summary"
  | "mark_as_read"
  | "richmenu_create"
  | "richmenu_validate"
  | "richmenu_list"
  | "richmenu_get"
  | "richmenu_delete"
  | "richmenu_image"
  | "richmenu_default_set"
  | "richmenu_default_get"
  | "richmenu_default_cancel";

export interface FakeRichMenu {
  richMenuId: string;
  size: { width: number; height: number };
  selected: boolean;
  name: string;
  chatBarText: string;
  areas: {
    bounds: { x: number; y: number; width: number; height: number };
    action: Record<string, unknown>;
  }[];
  image: { contentType: string; bytes: Buffer } | null;
}

export interface FakePeople {
  /** A member's profile as the group/room member endpoints answer it (null: 404). */
  setMemberProfile(chatId: string, userId: string, profile: { displayName: string } | null): void;
  setGroupName(groupId: string, name: string | null): void;
  /** A read token as LINE puts it in a message event (`message.markAsReadToken`). */
  issueReadToken(): string;
  /** Tokens the bot marked as read, in order. */
  markedAsRead: string[];
  richMenus(): FakeRichMenu[];
  defaultRichMenuId(): string | null;
}

export interface PeopleAnswer {
  endpoint: PeopleEndpoint;
  status: number;
  body: unknown;
  /** What the call is recorded with (JSON body, or a description of an upload). */
  recorded: unknown;
}

const USER_ID = /^U[0-9a-f]{32}$/;
const RICH_MENU_SIZES = ["2500x1686", "2500x843", "1200x810", "1200x405", "800x540", "800x270"];

export function fakePeople(): FakePeople & {
  handle(method: string, path: string, body: Buffer, headers: http.IncomingHttpHeaders): PeopleAnswer | null;
} {
  const members = new Map<string, { displayName: string } | null>();
  const groupNames = new Map<string, string | null>();
  const readTokens = new Set<string>();
  const markedAsRead: string[] = [];
  const menus = new Map<string, FakeRichMenu>();
  let defaultMenu: string | null = null;

  const answer = (
    endpoint: PeopleEndpoint,
    status: number,
    body: unknown,
    recorded?: unknown,
  ): PeopleAnswer => ({
    endpoint,
    status,
    body,
    recorded,
  });

  function handle(
    method: string,
    path: string,
    raw: Buffer,
    headers: http.IncomingHttpHeaders,
  ): PeopleAnswer | null {
    const json = () => {
      try {
        return JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
      } catch {
        return null;
      }
    };
    const member = /^\/v2\/bot\/(group|room)\/([^/]+)\/member\/([^/]+)$/.exec(path);
    if (method === "GET" && member) {
      const [, , chatId, userId] = member;
      const key = `${chatId}:${userId}`;
      const profile = members.has(key)
        ? members.get(key)
        : USER_ID.test(userId!)
          ? { displayName: `Member ${userId!.slice(1, 7)}` }
          : null;
      if (!profile) return answer("member_profile", 404, { message: "Not found" });
      return answer("member_profile", 200, {
        displayName: profile.displayName,
        userId,
        pictureUrl: "https://profile.line-scdn.net/fake",
      });
    }
    const summary = /^\/v2\/bot\/group\/([^/]+)\/summary$/.exec(path);
    if (method === "GET" && summary) {
      const groupId = summary[1]!;
      const name = groupNames.has(groupId) ? groupNames.get(groupId) : `Group ${groupId.slice(1, 7)}`;
      if (!name) return answer("group_summary", 404, { message: "Not found" });
      return answer("group_summary", 200, { groupId, groupName: name, pictureUrl: "https://fake" });
    }
    if (method === "POST" && path === "/v2/bot/chat/markAsRead") {
      const body = json();
      const token = body?.markAsReadToken;
      if (typeof token !== "string" || !token)
        return answer("mark_as_read", 400, invalid("markAsReadToken", "Must not be empty"), body);
      if (!readTokens.has(token)) return answer("mark_as_read", 400, { message: "Invalid token" }, body);
      markedAsRead.push(token);
      return answer("mark_as_read", 200, {}, body);
    }

    if (method === "POST" && (path === "/v2/bot/richmenu" || path === "/v2/bot/richmenu/validate")) {
      const body = json();
      const endpoint = path.endsWith("validate") ? "richmenu_validate" : "richmenu_create";
      const problem = validateRichMenu(body);
      if (problem) return answer(endpoint, 400, problem, body);
      if (endpoint === "richmenu_validate") return answer(endpoint, 200, {}, body);
      if (menus.size >= 1000)
        return answer(endpoint, 400, { message: "Maximum number of rich menus reached" });
      const richMenuId = `richmenu-${randomBytes(16).toString("hex")}`;
      menus.set(richMenuId, {
        ...(body as Omit<FakeRichMenu, "richMenuId" | "image">),
        richMenuId,
        image: null,
      });
      return answer(endpoint, 200, { richMenuId }, body);
    }
    if (method === "GET" && path === "/v2/bot/richmenu/list")
      return answer("richmenu_list", 200, { richmenus: [...menus.values()].map(withoutImage) });
    const content = /^\/v2\/bot\/richmenu\/([^/]+)\/content$/.exec(path);
    if (method === "POST" && content) {
      const menu = menus.get(content[1]!);
      const type = String(headers["content-type"] ?? "");
      const recorded = { contentType: type, bytes: raw.length };
      if (!menu) return answer("richmenu_image", 404, { message: "Not found" }, recorded);
      if (menu.image)
        return answer(
          "richmenu_image",
          400,
          { message: "An image has already been uploaded to the richmenu" },
          recorded,
        );
      if (type !== "image/png" && type !== "image/jpeg")
        return answer(
          "richmenu_image",
          415,
          { message: "Content-Type must be image/png or image/jpeg" },
          recorded,
        );
      if (raw.length > 1024 * 1024)
        return answer("richmenu_image", 413, { message: "The image must be at most 1 MB" }, recorded);
      const size = type === "image/png" ? pngSize(raw) : null;
      if (
        type === "image/png" &&
        (!size || size.width !== menu.size.width || size.height !== menu.size.height)
      )
        return answer(
          "richmenu_image",
          400,
          { message: "The image size must match the rich menu's size" },
          recorded,
        );
      menu.image = { contentType: type, bytes: raw };
      return answer("richmenu_image", 200, {}, recorded);
    }
    const one = /^\/v2\/bot\/richmenu\/(richmenu-[0-9a-f]+)$/.exec(path);
    if (one && (method === "GET" || method === "DELETE")) {
      const menu = menus.get(one[1]!);
      const endpoint = method === "GET" ? "richmenu_get" : "richmenu_delete";
      if (!menu) return answer(endpoint, 404, { message: "Not found" });
      if (method === "GET") return answer(endpoint, 200, withoutImage(menu));
      menus.delete(menu.richMenuId);
      if (defaultMenu === menu.richMenuId) defaultMenu = null;
      return answer(endpoint, 200, {});
    }
    const setDefault = /^\/v2\/bot\/user\/all\/richmenu\/([^/]+)$/.exec(path);
    if (method === "POST" && setDefault) {
      const menu = menus.get(setDefault[1]!);
      if (!menu) return answer("richmenu_default_set", 404, { message: "Not found" });
      if (!menu.image)
        return answer("richmenu_default_set", 400, {
          message: "must upload richmenu image before applying it to user",
        });
      defaultMenu = menu.richMenuId;
      return answer("richmenu_default_set", 200, {});
    }
    if (path === "/v2/bot/user/all/richmenu" && method === "GET")
      return defaultMenu
        ? answer("richmenu_default_get", 200, { richMenuId: defaultMenu })
        : answer("richmenu_default_get", 404, { message: "no default richmenu" });
    if (path === "/v2/bot/user/all/richmenu" && method === "DELETE") {
      defaultMenu = null;
      return answer("richmenu_default_cancel", 200, {});
    }
    return null;
  }

  return {
    handle,
    setMemberProfile: (chatId, userId, profile) => void members.set(`${chatId}:${userId}`, profile),
    setGroupName: (groupId, name) => void groupNames.set(groupId, name),
    issueReadToken() {
      const token = randomBytes(12).toString("base64url");
      readTokens.add(token);
      return token;
    },
    markedAsRead,
    richMenus: () => [...menus.values()],
    defaultRichMenuId: () => defaultMenu,
  };
}

function withoutImage({ image: _image, ...menu }: FakeRichMenu) {
  return menu;
}

function invalid(property: string, message: string) {
  return { message: "The request body has 1 error(s)", details: [{ message, property }] };
}

/** Width and height from a PNG's IHDR, or null when it is not a PNG. */
function pngSize(bytes: Buffer): { width: number; height: number } | null {
  if (
    bytes.length < 24 ||
    bytes.toString("latin1", 1, 4) !== "PNG" ||
    bytes.toString("latin1", 12, 16) !== "IHDR"
  )
    return null;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** LINE's rules for a rich menu object. */
function validateRichMenu(body: Record<string, unknown> | null): object | null {
  if (!body) return { message: "The request body could not be parsed as JSON" };
  const size = body.size as { width?: unknown; height?: unknown } | undefined;
  if (!size || !RICH_MENU_SIZES.includes(`${size.width}x${size.height}`))
    return invalid("size", "Must be one of 2500x1686, 2500x843, 1200x810, 1200x405, 800x540, 800x270");
  if (typeof body.selected !== "boolean") return invalid("selected", "Must be a boolean");
  if (typeof body.name !== "string" || body.name.length < 1 || body.name.length > 300)
    return invalid("name", "Length must be between 1 and 300");
  if (
    typeof body.chatBarText !== "string" ||
    [...body.chatBarText].length < 1 ||
    [...body.chatBarText].length > 14
  )
    return invalid("chatBarText", "Length must be between 1 and 14");
  const areas = body.areas;
  if (!Array.isArray(areas) || areas.length < 1 || areas.length > 20)
    return invalid("areas", "Size must be between 1 and 20");
  const width = Number(size.width);
  const height = Number(size.height);
  for (const [i, area] of areas.entries()) {
    const b = area?.bounds as Record<string, unknown> | undefined;
    const ok =
      b &&
      [b.x, b.y, b.width, b.height].every((v) => Number.isInteger(v)) &&
      Number(b.x) >= 0 &&
      Number(b.y) >= 0 &&
      Number(b.width) >= 1 &&
      Number(b.height) >= 1 &&
      Number(b.x) + Number(b.width) <= width &&
      Number(b.y) + Number(b.height) <= height;
    if (!ok) return invalid(`areas[${i}].bounds`, "Must lie within the rich menu");
    const a = area.action as Record<string, unknown> | undefined;
    if (!a || typeof a.type !== "string") return invalid(`areas[${i}].action`, "Must be an action object");
    if (a.type === "postback") {
      if (typeof a.data !== "string" || a.data.length < 1 || a.data.length > 300)
        return invalid(`areas[${i}].action.data`, "Length must be between 1 and 300");
      if (a.displayText !== undefined && (typeof a.displayText !== "string" || a.displayText.length > 300))
        return invalid(`areas[${i}].action.displayText`, "Length must be between 1 and 300");
    }
    if (a.label !== undefined && (typeof a.label !== "string" || [...a.label].length > 20))
      return invalid(`areas[${i}].action.label`, "Length must be at most 20");
  }
  return null;
}

const SUBSTITUTION_KEY = /^[A-Za-z0-9_]{1,20}$/;

/**
 * A text v2 message: `{key}` placeholders each with a substitution (a mention of a user or of
 * all, or a LINE emoji), `{{` and `}}` for braces shown as written, 5,000 characters at most.
 *
 * https://developers.line.biz/en/reference/messaging-api/#text-message-v2
 */
const TextV2Schema = z.object({
  text: z.string().min(1).max(5000),
  substitution: z
    .record(
      z.string(),
      z.union([
        z.object({
          type: z.literal("mention"),
          mentionee: z.union([
            z.object({ type: z.literal("user"), userId: z.string().regex(USER_ID) }),
            z.object({ type: z.literal("all") }),
          ]),
        }),
        z.object({ type: z.literal("emoji"), productId: z.string(), emojiId: z.string() }),
      ]),
    )
    .optional(),
  quoteToken: z.string().min(1).optional(),
});

/** LINE's wording for each field a text v2 message can get wrong. */
const TEXT_V2_PROBLEM: Record<string, string> = {
  text: "Length must be between 1 and 5000",
  substitution: "Must be a mention or an emoji",
  quoteToken: "Must be a quote token",
};

export function validateTextV2(msg: unknown, at: string): object | null {
  const parsed = TextV2Schema.safeParse(msg);
  if (!parsed.success) {
    const path = parsed.error.issues[0]?.path ?? [];
    const field = String(path[0] ?? "text");
    return invalid([at, ...path.map(String)].join("."), TEXT_V2_PROBLEM[field] ?? "Invalid value");
  }
  const { text, substitution = {} } = parsed.data;
  const keys = Object.keys(substitution);
  if (keys.length > 100) return invalid(`${at}.substitution`, "Size must be at most 100");
  for (const key of keys)
    if (!SUBSTITUTION_KEY.test(key)) return invalid(`${at}.substitution`, `Invalid key: ${key}`);
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if ((ch === "{" || ch === "}") && text[i + 1] === ch) {
      i++;
      continue;
    }
    if (ch === "}") return invalid(`${at}.text`, "Unmatched '}'");
    if (ch !== "{") continue;
    const end = text.indexOf("}", i);
    const key = end === -1 ? "" : text.slice(i + 1, end);
    if (!SUBSTITUTION_KEY.test(key) || !(key in substitution))
      return invalid(`${at}.text`, `No substitution for the placeholder at ${i}`);
    i = end;
  }
  return null;
}

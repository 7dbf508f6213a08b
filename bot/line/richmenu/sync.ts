import { createHash } from "node:crypto";
import { HTTPFetchError, messagingApi } from "@line/bot-sdk";
import { z } from "zod";
import { MENU_ITEMS, type MenuItem, menuData } from "../actions.ts";
import { MENU_CHAT_BAR, MENU_LABELS } from "../copy.ts";
import { MENU_SIZE, menuImage } from "./image.ts";

/**
 * `npm run line:richmenu`: the Official Account's default rich menu, made to match this code.
 * The menu's name carries a hash of its definition and picture, so a run finds the menu it
 * would create already there and only makes sure it is the default; a changed menu is created
 * anew (LINE's rich menus cannot be edited, and an image cannot be uploaded twice), set as the
 * default, and the bot's older menus are deleted. Menus whose names are not ours are left alone.
 *
 * https://developers.line.biz/en/reference/messaging-api/#rich-menu
 */

export const MENU_NAME_PREFIX = "article-bot menu ";

export type SyncOutcome =
  | { kind: "unchanged"; richMenuId: string }
  /** It existed but was not the default (someone changed the default in between). */
  | { kind: "made_default"; richMenuId: string; removed: number }
  | { kind: "created"; richMenuId: string; removed: number };

export interface RichMenuClients {
  api: messagingApi.MessagingApiClient;
  blob: messagingApi.MessagingApiBlobClient;
}

export function richMenuClients(opts: {
  accessToken: string;
  baseUrl?: string;
  dataBaseUrl?: string;
}): RichMenuClients {
  return {
    api: new messagingApi.MessagingApiClient({ channelAccessToken: opts.accessToken, baseURL: opts.baseUrl }),
    blob: new messagingApi.MessagingApiBlobClient({
      channelAccessToken: opts.accessToken,
      baseURL: opts.dataBaseUrl,
    }),
  };
}

/** The menu this code wants: four equal tiles, each a postback the bot's menu listener answers. */
export function menuDefinition(): { request: messagingApi.RichMenuRequest; image: Buffer; name: string } {
  const tile = MENU_SIZE.width / MENU_ITEMS.length;
  const areas = MENU_ITEMS.map((item: MenuItem, i) => ({
    bounds: { x: Math.round(i * tile), y: 0, width: Math.round(tile), height: MENU_SIZE.height },
    action: {
      type: "postback" as const,
      label: MENU_LABELS[item].en,
      data: menuData(item),
      displayText: `${MENU_LABELS[item].th} · ${MENU_LABELS[item].en}`,
    },
  }));
  const image = menuImage();
  const body = { size: MENU_SIZE, selected: false, chatBarText: MENU_CHAT_BAR, areas };
  const hash = createHash("sha256").update(JSON.stringify(body)).update(image).digest("hex").slice(0, 12);
  const name = `${MENU_NAME_PREFIX}${hash}`;
  return { request: { ...body, name }, image, name };
}

const MenuList = z.object({
  richmenus: z.array(z.object({ richMenuId: z.string(), name: z.string() })),
});

export async function syncRichMenu(clients: RichMenuClients): Promise<SyncOutcome> {
  const wanted = menuDefinition();
  const ours = MenuList.parse(await clients.api.getRichMenuList()).richmenus.filter((m) =>
    m.name.startsWith(MENU_NAME_PREFIX),
  );
  const current = await defaultMenuId(clients.api);
  const existing = ours.find((m) => m.name === wanted.name);
  let id: string;
  let created = false;
  if (existing) {
    id = existing.richMenuId;
  } else {
    await clients.api.validateRichMenuObject(wanted.request);
    id = (await clients.api.createRichMenu(wanted.request)).richMenuId;
    await clients.blob.setRichMenuImage(id, new Blob([new Uint8Array(wanted.image)], { type: "image/png" }));
    created = true;
  }
  if (current !== id) await clients.api.setDefaultRichMenu(id);
  const stale = ours.filter((m) => m.richMenuId !== id);
  for (const m of stale) await clients.api.deleteRichMenu(m.richMenuId);
  if (created) return { kind: "created", richMenuId: id, removed: stale.length };
  if (current !== id) return { kind: "made_default", richMenuId: id, removed: stale.length };
  return { kind: "unchanged", richMenuId: id };
}

/** LINE answers 404 when no default rich menu is set. */
async function defaultMenuId(api: messagingApi.MessagingApiClient): Promise<string | null> {
  try {
    return (await api.getDefaultRichMenuId()).richMenuId;
  } catch (error) {
    if (error instanceof HTTPFetchError && error.status === 404) return null;
    throw error;
  }
}

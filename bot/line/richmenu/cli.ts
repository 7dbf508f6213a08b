/**
 * `npm run line:richmenu`: creates the Official Account's default rich menu (New article · My
 * quota · Help · ภาษา/Language) with the picture drawn in image.ts, or confirms it is already
 * there. Needs LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN; safe to run again.
 */
import { HTTPFetchError } from "@line/bot-sdk";
import { ConfigError, loadConfig } from "../../../core/config.ts";
import { richMenuClients, type SyncOutcome, syncRichMenu } from "./sync.ts";

function describe(o: SyncOutcome): string {
  switch (o.kind) {
    case "unchanged":
      return `Rich menu up to date (${o.richMenuId}); nothing changed.`;
    case "made_default":
      return `Rich menu ${o.richMenuId} set as the default again${o.removed ? `; ${o.removed} older menu(s) deleted` : ""}.`;
    case "created":
      return `Rich menu created and set as the default (${o.richMenuId})${o.removed ? `; ${o.removed} older menu(s) deleted` : ""}.`;
  }
}

async function main(): Promise<number> {
  try {
    const line = loadConfig().line;
    if (!line) {
      console.error("LINE is not configured: set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN");
      return 1;
    }
    const outcome = await syncRichMenu(
      richMenuClients({
        accessToken: line.accessToken,
        baseUrl: line.apiBaseUrl,
        dataBaseUrl: line.apiDataBaseUrl,
      }),
    );
    console.log(describe(outcome));
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) console.error(error.message);
    else if (error instanceof HTTPFetchError)
      console.error(`LINE answered ${error.status}: ${error.body.slice(0, 300)}`);
    else console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
}

process.exitCode = await main();

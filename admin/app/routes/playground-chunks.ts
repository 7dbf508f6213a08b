import { requireAdminUser } from "../auth.server.ts";
import { playgroundState } from "../playground.server.ts";
import type { Route } from "./+types/playground-chunks";

/** What the playground polls while a draft is written: the chunks so far, as JSON. */
export async function loader({ request, params, context }: Route.LoaderArgs) {
  await requireAdminUser(request, context);
  const state = await playgroundState(context.app, params.id);
  if (!state)
    return Response.json(
      { message: "There is no such playground article." },
      { status: 404, headers: { "Cache-Control": "no-store" } },
    );
  return Response.json(state, { headers: { "Cache-Control": "no-store" } });
}

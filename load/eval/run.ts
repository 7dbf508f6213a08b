/**
 * `npm run eval`: the committed request set (load/eval/requests.json, English and Thai) through
 * the real pipeline — parse, quota, queue, retrieval over data/corpus, prompt, generator,
 * delivery, records, checks, judge — in a throwaway embedded database, against the configured
 * model (the offline composer when OPENAI_API_KEY is unset). Prints one row per request and the
 * guide's quality table. Flags:
 *   --limit N             the first N requests only
 *   --json FILE           write every result (checks, score, judge, tokens, cost, time) to FILE
 *   --compare A,B         two models side by side in one run (each request written by both)
 *   --compare FILE.json   this run beside an earlier --json file (another prompt version)
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { closeAppContext, openAppContext } from "../../core/app.ts";
import { ConfigError, loadConfig } from "../../core/config.ts";
import { consoleSink } from "../../core/deliver/console-sink.ts";
import { OFFLINE_MODEL } from "../../core/generate/offline.ts";
import { PROMPT_VERSION } from "../../core/generate/prompt.ts";
import { createLogger } from "../../core/logger.ts";
import { createPipeline } from "../../core/pipeline/index.ts";
import { seed } from "../../prisma/seed.ts";
import {
  type ArmSummary,
  ArmSummarySchema,
  type EvalResult,
  requestTable,
  summarize,
  summaryTable,
} from "./report.ts";
import { collectResult, prepareArm } from "./setup.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(HERE, "..", "..");

const requestSchema = z.array(z.object({ id: z.string(), form: z.record(z.string(), z.unknown()) })).min(1);
const savedSchema = z.object({ promptVersion: z.string(), summaries: z.array(ArmSummarySchema) });

interface Args {
  limit: number | null;
  json: string | null;
  compareModels: string[] | null;
  compareFile: string | null;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { limit: null, json: null, compareModels: null, compareFile: null };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === "--limit" && value && /^\d+$/.test(value)) args.limit = Number(value);
    // npm runs scripts from the package root; a relative path means where the person typed it.
    else if (flag === "--json" && value)
      args.json = path.resolve(process.env.INIT_CWD ?? process.cwd(), value);
    else if (flag === "--compare" && value?.endsWith(".json"))
      args.compareFile = path.resolve(process.env.INIT_CWD ?? process.cwd(), value);
    else if (flag === "--compare" && value && value.split(",").length === 2)
      args.compareModels = value.split(",");
    else usage(`unknown or incomplete option ${flag}`);
    i++;
  }
  return args;
}

function usage(problem: string): never {
  console.error(
    `eval: ${problem}\nusage: npm run eval -- [--limit N] [--json FILE] [--compare modelA,modelB | --compare earlier.json]`,
  );
  process.exit(2);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  // Read before any work: a wrong file is said at once, not after the whole run.
  const earlier = args.compareFile ? await readEarlier(args.compareFile) : [];
  const all = requestSchema.parse(JSON.parse(await readFile(path.join(HERE, "requests.json"), "utf8")));
  const requests = args.limit === null ? all : all.slice(0, args.limit);
  const dataDir = await mkdtemp(path.join(tmpdir(), "ab-eval-"));
  // The configured model and judge; everything else embedded, so an eval never writes into a
  // deployment's database, cache or queue, and every run starts from the same empty state.
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig({
      ...process.env,
      DATA_DIR: dataDir,
      DATABASE_URL: "",
      REDIS_URL: "",
      QDRANT_URL: "",
      PORT: "0",
      ADMIN_PORT: "0",
      QUALITY_JUDGE_SAMPLE_RATE: "1",
    });
  } catch (error) {
    if (error instanceof ConfigError) usage(error.problems.join("; "));
    throw error;
  }
  if (args.compareModels && !config.openai.apiKey)
    usage(
      "--compare modelA,modelB needs OPENAI_API_KEY: the offline composer writes the same outline for any model",
    );
  const app = await openAppContext(config, createLogger("silent"));
  try {
    await app.db.migrate();
    await seed(app.db, config);
    const pipeline = createPipeline(app, { workerConcurrency: 1, sinks: { CONSOLE: consoleSink } });
    const ingested = await pipeline.retrieval.ingestFolder(path.join(ROOT, "data", "corpus"));
    pipeline.startWorker();
    const models = args.compareModels ?? [null];
    // The offline composer ignores any model name: say what really wrote the drafts.
    const armName = (m: string | null) => (config.openai.apiKey ? (m ?? config.openai.model) : OFFLINE_MODEL);
    const judge = config.quality.judgeModel ?? "off";
    console.log(
      `eval: ${requests.length} requests × ${models.length} arm(s); generator ${config.openai.apiKey ? "OpenAI" : "offline composer (no OPENAI_API_KEY)"}; judge ${judge}; prompt ${PROMPT_VERSION}; corpus ${ingested.added + ingested.updated + ingested.unchanged} documents`,
    );
    const results: EvalResult[] = [];
    for (const model of models) {
      const arm = await prepareArm(app, pipeline, armName(model), model);
      for (const r of requests) {
        const generationId = await arm.ask(r.id, r.form);
        results.push(
          await collectResult(app, generationId, r.id, arm.name, Boolean(config.quality.judgeModel)),
        );
        process.stdout.write(".");
      }
    }
    process.stdout.write("\n\n");
    await pipeline.close();

    const summaries = models.map((m) =>
      summarize(
        armName(m),
        results.filter((r) => r.arm === armName(m)),
      ),
    );
    console.log(requestTable(results));
    console.log("");
    console.log(summaryTable([...earlier, ...summaries]));
    if (args.json) {
      await writeFile(
        args.json,
        `${JSON.stringify({ promptVersion: PROMPT_VERSION, judge, generatedAt: new Date().toISOString(), results, summaries }, null, 2)}\n`,
      );
      console.log(
        `\nwrote ${results.length} results to ${path.relative(process.env.INIT_CWD ?? process.cwd(), args.json)}`,
      );
    }
  } finally {
    await closeAppContext(app);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** An earlier run's summaries, relabelled with its prompt version so the columns say which is which. */
async function readEarlier(file: string): Promise<ArmSummary[]> {
  const name = path.relative(process.env.INIT_CWD ?? process.cwd(), file);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    usage(`--compare ${name}: no such file`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    usage(`--compare ${name}: not JSON`);
  }
  const saved = savedSchema.safeParse(parsed);
  if (!saved.success)
    usage(
      `--compare ${name}: not the --json output of an eval (${z.prettifyError(saved.error).split("\n")[0]})`,
    );
  return saved.data.summaries.map((s) => ({
    ...s,
    arm: `${s.arm} (${saved.data.promptVersion}, earlier)`,
  }));
}

await main();

import { readFileSync } from "node:fs";
import wasm from "@prisma/prisma-schema-wasm";
import type { SqlExecutor } from "../../core/db/sql.ts";

/**
 * Two descriptions of the same database, to compare: what schema.prisma says (through Prisma's
 * own schema parser, the DMMF) and what the migrated database actually has (catalog queries).
 */
export interface Shape {
  enums: Record<string, string[]>;
  /** table -> column -> "type null|not null default|no default" */
  columns: Record<string, Record<string, string>>;
  /** index name -> "table(cols) unique|index" */
  indexes: Record<string, string>;
  /** constraint name -> "table(cols) -> table(cols) on delete X on update Y" */
  foreignKeys: Record<string, string>;
}

interface DmmfField {
  name: string;
  kind: "scalar" | "enum" | "object";
  type: string;
  isList: boolean;
  isRequired: boolean;
  isUpdatedAt: boolean;
  hasDefaultValue: boolean;
  default?: unknown;
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
}
interface DmmfModel {
  name: string;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: "id" | "unique" | "normal";
  name?: string;
  dbName?: string;
  fields: { name: string }[];
}

const SCALAR_TYPES: Record<string, string> = {
  String: "text",
  Int: "integer",
  BigInt: "bigint",
  Boolean: "boolean",
  Float: "double precision",
  DateTime: "timestamp(3) without time zone",
  Json: "jsonb",
  Decimal: "numeric(65,30)",
};

function columnType(f: DmmfField): string {
  let base = f.kind === "enum" ? `"${f.type}"` : SCALAR_TYPES[f.type]!;
  if (f.nativeType?.[0] === "Date") base = "date";
  if (f.nativeType?.[0] === "Decimal") base = `numeric(${f.nativeType[1].join(",")})`;
  return f.isList ? `${base}[]` : base;
}

// cuid()/uuid() are made by the client, so they leave no default in the database.
function hasDbDefault(f: DmmfField): boolean {
  if (!f.hasDefaultValue || f.isUpdatedAt) return false;
  const d = f.default as { name?: string } | undefined;
  return !(d && typeof d === "object" && !Array.isArray(d) && (d.name === "cuid" || d.name === "uuid"));
}

export function shapeFromSchema(schemaPath: string): Shape {
  const dmmf = JSON.parse(wasm.get_dmmf(JSON.stringify({ prismaSchema: readFileSync(schemaPath, "utf8") })))
    .datamodel as {
    models: DmmfModel[];
    enums: { name: string; values: { name: string }[] }[];
    indexes: DmmfIndex[];
  };
  const shape: Shape = { enums: {}, columns: {}, indexes: {}, foreignKeys: {} };
  for (const e of dmmf.enums) shape.enums[e.name] = e.values.map((v) => v.name);
  const byModel = new Map(dmmf.models.map((m) => [m.name, m]));
  for (const m of dmmf.models) {
    const cols: Record<string, string> = {};
    for (const f of m.fields.filter((f) => f.kind !== "object")) {
      const notNull = f.isRequired && !f.isList; // Prisma leaves list columns nullable
      cols[f.name] =
        `${columnType(f)} ${notNull ? "not null" : "null"} ${hasDbDefault(f) ? "default" : "no default"}`;
    }
    shape.columns[m.name] = cols;
    for (const f of m.fields.filter((f) => f.kind === "object" && f.relationFromFields?.length)) {
      const from = f.relationFromFields!;
      const required = from.every((name) => m.fields.find((x) => x.name === name)!.isRequired);
      const onDelete = (f.relationOnDelete ?? (required ? "Restrict" : "SetNull"))
        .replace(/([a-z])([A-Z])/g, "$1 $2")
        .toUpperCase();
      byModel.get(f.type); // the referenced model must exist
      shape.foreignKeys[`${m.name}_${from.join("_")}_fkey`] =
        `${m.name}(${from.join(",")}) -> ${f.type}(${f.relationToFields!.join(",")}) on delete ${onDelete} on update CASCADE`;
    }
  }
  for (const ix of dmmf.indexes) {
    const cols = ix.fields.map((f) => f.name);
    const name =
      ix.dbName ??
      `${ix.model}_${ix.type === "id" ? "pkey" : `${cols.join("_")}_${ix.type === "unique" ? "key" : "idx"}`}`;
    shape.indexes[name] = `${ix.model}(${cols.join(",")}) ${ix.type === "normal" ? "index" : "unique"}`;
  }
  return shape;
}

export async function shapeFromDatabase(sql: SqlExecutor): Promise<Shape> {
  const shape: Shape = { enums: {}, columns: {}, indexes: {}, foreignKeys: {} };
  for (const row of await sql.query<{ name: string; labels: string[] | string }>(`
      SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder) AS labels
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public' GROUP BY t.typname`)) {
    shape.enums[row.name] = parseArray(row.labels);
  }
  for (const row of await sql.query<{
    tbl: string;
    col: string;
    type: string;
    notnull: boolean;
    hasdefault: boolean;
  }>(`
      SELECT c.relname AS tbl, a.attname AS col, format_type(a.atttypid, a.atttypmod) AS type,
             a.attnotnull AS notnull, a.atthasdef AS hasdefault
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
        AND c.relname <> '_prisma_migrations'`)) {
    (shape.columns[row.tbl] ??= {})[row.col] =
      `${row.type} ${row.notnull ? "not null" : "null"} ${row.hasdefault ? "default" : "no default"}`;
  }
  for (const row of await sql.query<{
    name: string;
    tbl: string;
    cols: string[] | string;
    isunique: boolean;
  }>(`
      SELECT i.relname AS name, t.relname AS tbl, ix.indisunique AS isunique,
             array_agg(a.attname ORDER BY k.ord) AS cols
      FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
      CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations'
      GROUP BY i.relname, t.relname, ix.indisunique`)) {
    shape.indexes[row.name] =
      `${row.tbl}(${parseArray(row.cols).join(",")}) ${row.isunique ? "unique" : "index"}`;
  }
  const actions: Record<string, string> = {
    a: "NO ACTION",
    r: "RESTRICT",
    c: "CASCADE",
    n: "SET NULL",
    d: "SET DEFAULT",
  };
  for (const row of await sql.query<{
    name: string;
    tbl: string;
    cols: string[] | string;
    ref: string;
    refcols: string[] | string;
    del: string;
    upd: string;
  }>(`
      SELECT con.conname AS name, t.relname AS tbl, r.relname AS ref, con.confdeltype AS del, con.confupdtype AS upd,
             (SELECT array_agg(a.attname ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY k(n, ord)
                JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n) AS cols,
             (SELECT array_agg(a.attname ORDER BY k.ord) FROM unnest(con.confkey) WITH ORDINALITY k(n, ord)
                JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n) AS refcols
      FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid JOIN pg_class r ON r.oid = con.confrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE con.contype = 'f' AND n.nspname = 'public'`)) {
    shape.foreignKeys[row.name] =
      `${row.tbl}(${parseArray(row.cols).join(",")}) -> ${row.ref}(${parseArray(row.refcols).join(",")}) on delete ${actions[row.del]} on update ${actions[row.upd]}`;
  }
  return shape;
}

// Drivers differ: node-postgres parses name[] into an array, PGlite may hand back "{a,b}".
function parseArray(value: string[] | string): string[] {
  if (Array.isArray(value)) return value;
  return value
    .replace(/^\{|\}$/g, "")
    .split(",")
    .filter(Boolean)
    .map((s) => s.replace(/^"|"$/g, ""));
}

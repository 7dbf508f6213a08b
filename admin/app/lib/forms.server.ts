import { data } from "react-router";
import { z } from "zod";

/**
 * Server-side form validation: every console form is parsed with a zod schema here, and a
 * refusal comes back as field errors the page shows beside the inputs (HTTP 400), together
 * with what was typed so nothing has to be entered again.
 */

export type FieldErrors = Record<string, string>;
export type FormValues = Record<string, string>;

export interface FormFailure {
  intent?: string;
  fieldErrors: FieldErrors;
  formError?: string;
  values: FormValues;
  /** Requests to copy, when the refusal is guidance on how to ask. */
  examples?: string[];
}

export type Parsed<T> =
  | { ok: true; data: T; values: FormValues }
  | { ok: false; fieldErrors: FieldErrors; values: FormValues };

export function valuesOf(form: FormData): FormValues {
  const values: FormValues = {};
  for (const [key, value] of form)
    if (typeof value === "string" && !(key in values)) values[key] = value.slice(0, 10_000);
  return values;
}

export function parseForm<S extends z.ZodType>(schema: S, form: FormData): Parsed<z.output<S>> {
  const values = valuesOf(form);
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, data: result.data, values };
  const fieldErrors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const key = String(issue.path[0] ?? "form");
    fieldErrors[key] ??= issue.message;
  }
  return { ok: false, fieldErrors, values };
}

/** A 400 answer carrying field errors (or one form-level error) back to the page. */
export function invalid(failure: Omit<FormFailure, "values"> & { values?: FormValues }) {
  return data({ ...failure, values: failure.values ?? {}, ok: false as const }, { status: 400 });
}

/** A 200 answer with a notice for the page ("Tier saved."). */
export function done(notice: string, intent?: string) {
  return { ok: true as const, notice, intent };
}

// Field builders with messages written for people.

const trimmed = (v: unknown) => (typeof v === "string" ? v.trim() : v);
const blankToNull = (v: unknown) => (typeof v === "string" && v.trim() === "" ? null : trimmed(v));

export const field = {
  text: (label: string, max: number) =>
    z.preprocess(
      trimmed,
      z
        .string({ error: `Enter ${label}.` })
        .min(1, `Enter ${label}.`)
        .max(max, `Keep ${label} under ${max + 1} characters.`),
    ),
  optionalText: (label: string, max: number) =>
    z.preprocess((v) => trimmed(v ?? ""), z.string().max(max, `Keep ${label} under ${max + 1} characters.`)),
  wholeNumber: (label: string, min: number, max: number) =>
    z.preprocess(
      blankToNull,
      z.union([z.null(), z.string()], { error: `Enter ${label}.` }).transform((v, ctx) => {
        if (v === null || !/^\d+$/.test(v)) {
          ctx.addIssue({
            code: "custom",
            message: v === null ? `Enter ${label}.` : `Enter ${label} as a whole number, like ${min}.`,
          });
          return z.NEVER;
        }
        const n = Number(v);
        if (n < min || n > max) {
          ctx.addIssue({
            code: "custom",
            message: `${capitalize(label)} must be between ${min.toLocaleString("en-US")} and ${max.toLocaleString("en-US")}.`,
          });
          return z.NEVER;
        }
        return n;
      }),
    ),
  /** Blank means "no limit" (null). */
  optionalWholeNumber: (label: string, min: number, max: number) =>
    z.preprocess(
      blankToNull,
      z.union([z.null(), z.string()]).transform((v, ctx) => {
        if (v === null) return null;
        if (!/^\d+$/.test(v)) {
          ctx.addIssue({
            code: "custom",
            message: `Enter ${label} as a whole number, or leave it blank for no limit.`,
          });
          return z.NEVER;
        }
        const n = Number(v);
        if (n < min || n > max) {
          ctx.addIssue({
            code: "custom",
            message: `${capitalize(label)} must be between ${min.toLocaleString("en-US")} and ${max.toLocaleString("en-US")}.`,
          });
          return z.NEVER;
        }
        return n;
      }),
    ),
  /** A decimal amount as a string with at most `places` decimals (money stays exact). */
  decimal: (label: string, places: number, max: number, opts: { optional?: boolean } = {}) =>
    z.preprocess(
      blankToNull,
      z.union([z.null(), z.string()]).transform((v, ctx) => {
        if (v === null) {
          if (opts.optional) return null;
          ctx.addIssue({ code: "custom", message: `Enter ${label}.` });
          return z.NEVER;
        }
        const clean = v.replace(/^\$/, "").replace(/,/g, "");
        if (!new RegExp(`^\\d+(\\.\\d{1,${places}})?$`).test(clean)) {
          ctx.addIssue({
            code: "custom",
            message: `Enter ${label} as a number with up to ${places} decimals, like 1.50${opts.optional ? ", or leave it blank for no cap" : ""}.`,
          });
          return z.NEVER;
        }
        if (Number(clean) > max) {
          ctx.addIssue({
            code: "custom",
            message: `${capitalize(label)} must be at most ${max.toLocaleString("en-US")}.`,
          });
          return z.NEVER;
        }
        return clean;
      }),
    ),
  id: (what: string) =>
    z
      .string({ error: `Choose ${what}.` })
      .trim()
      .min(1, `Choose ${what}.`)
      .max(64, `Choose ${what}.`),
  choice: <const T extends readonly [string, ...string[]]>(options: T, message: string) =>
    z.enum(options, { error: message }),
  checkbox: () => z.preprocess((v) => v === "on" || v === "true" || v === "1", z.boolean()),
};

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

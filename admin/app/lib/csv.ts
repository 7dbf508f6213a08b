/**
 * CSV as RFC 4180 has it: fields with a comma, quote or line break are quoted, quotes doubled,
 * rows end in CRLF. Text that a spreadsheet would run as a formula (= + - @, tab, CR first) is
 * prefixed with an apostrophe, so a topic like "=HYPERLINK(...)" stays text when opened.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  let s: string;
  if (typeof value === "string") s = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  else if (value instanceof Date) s = value.toISOString();
  else s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(values: unknown[]): string {
  return `${values.map(csvField).join(",")}\r\n`;
}

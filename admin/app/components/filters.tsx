import type { ReactNode } from "react";
import { Form, Link } from "react-router";

/** A GET form of filters: works without JavaScript, and the URL is shareable. */
export function Filters({
  children,
  resetTo,
  label = "Filter",
}: {
  children: ReactNode;
  resetTo: string;
  label?: string;
}) {
  return (
    <Form method="get" className="filters card" role="search">
      <div className="filters-fields">{children}</div>
      <div className="filters-actions">
        <button type="submit" className="button secondary">
          {label}
        </button>
        <Link to={resetTo} className="button quiet">
          Clear
        </Link>
      </div>
    </Form>
  );
}

export function FilterSelect({
  label,
  name,
  value,
  options,
}: {
  label: string;
  name: string;
  value: string;
  options: Array<{ value: string; label: string }>;
}) {
  return (
    <div className="field">
      <label htmlFor={`f-${name}`}>{label}</label>
      <select id={`f-${name}`} name={name} defaultValue={value}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function FilterInput({
  label,
  name,
  value,
  type = "search",
  placeholder,
}: {
  label: string;
  name: string;
  value: string;
  type?: string;
  placeholder?: string;
}) {
  return (
    <div className="field">
      <label htmlFor={`f-${name}`}>{label}</label>
      <input id={`f-${name}`} name={name} type={type} defaultValue={value} placeholder={placeholder} />
    </div>
  );
}

/** The URL of this list with one parameter changed (for pagers). */
export function withParam(search: string, name: string, value: string | null): string {
  const params = new URLSearchParams(search);
  if (value === null) params.delete(name);
  else params.set(name, value);
  const s = params.toString();
  return s ? `?${s}` : "?";
}

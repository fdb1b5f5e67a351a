import type { AttributeDeclaration } from '../config/schema.ts';
import type { AccountAttributes, AttributeValue } from '../store/store.ts';

/**
 * Custom attributes checked against the operator's declarations (config `attributes:`), for every
 * writer alike: the admin API, the CLI and the account page. Nothing is stored that the
 * declarations do not allow, and every refusal names the attribute.
 */
export const MAX_TEXT_LENGTH = 200;
export const MAX_LIST_ITEMS = 50;

export interface AttributeProblem {
  /** The attribute at fault, as it was given. */
  attribute: string;
  /** unknown: not declared; required: missing or removed though required; invalid: not a value of its type. */
  kind: 'unknown' | 'required' | 'invalid';
  message: string;
}

/** Attribute values that cannot be stored; the admin API answers 422, the CLI one line, the account page marks the fields. */
export class AttributeError extends Error {
  readonly problems: readonly AttributeProblem[];

  constructor(problems: readonly AttributeProblem[]) {
    super(problems.map((problem) => problem.message).join('; '));
    this.name = 'AttributeError';
    this.problems = problems;
  }
}

/** A change: a value sets the attribute, null removes it. */
export type AttributeChange = Record<string, unknown>;

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function textProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be text';
  if (value.length === 0) return 'must not be empty (null removes it)';
  if (value.length > MAX_TEXT_LENGTH) return `must be at most ${MAX_TEXT_LENGTH} characters`;
  if (CONTROL.test(value)) return 'must not contain control characters';
  return undefined;
}

/** A real calendar date as YYYY-MM-DD (no 2023-02-30). */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function valueProblem(declaration: AttributeDeclaration, value: unknown): string | undefined {
  switch (declaration.type) {
    case 'string':
      return textProblem(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a finite number';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'date':
      return typeof value === 'string' && isCalendarDate(value) ? undefined : 'must be a calendar date as YYYY-MM-DD';
    case 'string[]': {
      if (!Array.isArray(value)) return 'must be a list of texts';
      if (value.length > MAX_LIST_ITEMS) return `must have at most ${MAX_LIST_ITEMS} items`;
      const bad = value.map(textProblem).find(Boolean);
      return bad ? `each item ${bad}` : undefined;
    }
  }
}

function declarationsByName(declarations: readonly AttributeDeclaration[]): Map<string, AttributeDeclaration> {
  return new Map(declarations.map((declaration) => [declaration.name, declaration]));
}

/** The change applied to the current attributes, or AttributeError naming every attribute at fault. */
export function changeAttributes(
  declarations: readonly AttributeDeclaration[], current: AccountAttributes | undefined, change: AttributeChange,
): AccountAttributes {
  const declared = declarationsByName(declarations);
  const problems: AttributeProblem[] = [];
  const next: AccountAttributes = { ...current };
  for (const [name, value] of Object.entries(change)) {
    const declaration = declared.get(name);
    if (!declaration) {
      problems.push({ attribute: name, kind: 'unknown', message: `unknown attribute "${name}"` });
    } else if (value === null || value === undefined) {
      if (declaration.required) problems.push({ attribute: name, kind: 'required', message: `attribute "${name}" is required and cannot be removed` });
      delete next[name];
    } else {
      const problem = valueProblem(declaration, value);
      if (problem) problems.push({ attribute: name, kind: 'invalid', message: `attribute "${name}" ${problem}` });
      else next[name] = (Array.isArray(value) ? [...value] : value) as AttributeValue;
    }
  }
  if (problems.length) throw new AttributeError(problems);
  return next;
}

/** A new user's attributes: valid, and every required one given. */
export function newAttributes(declarations: readonly AttributeDeclaration[], given: AttributeChange = {}): AccountAttributes {
  const problems: AttributeProblem[] = [];
  let attributes: AccountAttributes = {};
  try {
    attributes = changeAttributes(declarations, {}, given);
  } catch (error) {
    if (!(error instanceof AttributeError)) throw error;
    problems.push(...error.problems);
  }
  for (const declaration of declarations) {
    const givenValue = given[declaration.name];
    if (declaration.required && (givenValue === undefined || givenValue === null)) {
      problems.push({ attribute: declaration.name, kind: 'required', message: `attribute "${declaration.name}" is required` });
    }
  }
  if (problems.length) throw new AttributeError(problems);
  return attributes;
}

/**
 * A value typed as text (the CLI, a form field) read as its declared type. A list is a JSON array
 * or comma-separated; what it cannot read is returned as it came, for changeAttributes to refuse.
 */
export function attributeFromText(declaration: AttributeDeclaration, text: string): unknown {
  const value = text.trim();
  switch (declaration.type) {
    case 'number':
      return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value) ? Number(value) : value;
    case 'boolean':
      return /^(true|yes|1|on)$/i.test(value) ? true : /^(false|no|0|off)$/i.test(value) ? false : value;
    case 'string[]': {
      if (value.startsWith('[')) {
        try {
          return JSON.parse(value) as unknown;
        } catch {
          return value;
        }
      }
      return value.split(',').map((item) => item.trim()).filter(Boolean);
    }
    default:
      return value;
  }
}

/** The attribute's declaration, or AttributeError naming it. */
export function requireDeclared(declarations: readonly AttributeDeclaration[], name: string): AttributeDeclaration {
  const declaration = declarations.find((candidate) => candidate.name === name);
  if (!declaration) throw new AttributeError([{ attribute: name, kind: 'unknown', message: `unknown attribute "${name}"` }]);
  return declaration;
}

import { z } from 'zod';
import { DEFAULTS, ENV_OVERRIDES } from '../../src/config/load-config.ts';
import { configSchema } from '../../src/config/schema.ts';
import { generatedBanner, table } from './markdown.ts';

/** The slice of JSON Schema that z.toJSONSchema produces for the config. */
interface JsonSchema {
  type?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxItems?: number;
}

interface Row {
  key: string;
  schema: JsonSchema;
}

interface Section {
  key: string;
  description: string | undefined;
  rows: Row[];
}

const LARGEST_SAFE = Number.MAX_SAFE_INTEGER;
const ENV_BY_KEY = new Map(ENV_OVERRIDES.map(([name, key]) => [key, name]));

function configJsonSchema(): JsonSchema {
  // The input side: what an operator writes (transforms and refinements are the loader's business).
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

function isObjectWithFields(schema: JsonSchema): boolean {
  return schema.type === 'object' && schema.properties !== undefined;
}

/** A map whose values have fields of their own (resources.<url>): documented field by field. */
function recordOfObjects(schema: JsonSchema): JsonSchema | undefined {
  const values = schema.additionalProperties;
  return schema.type === 'object' && !schema.properties && typeof values === 'object' && isObjectWithFields(values) ? values : undefined;
}

function listOfObjects(schema: JsonSchema): JsonSchema | undefined {
  return schema.type === 'array' && schema.items && isObjectWithFields(schema.items) ? schema.items : undefined;
}

/** Every documented leaf under a key, nested objects flattened into dotted keys. */
function leaves(key: string, schema: JsonSchema): Row[] {
  if (isObjectWithFields(schema)) {
    return Object.entries(schema.properties!).flatMap(([name, child]) => leaves(`${key}.${name}`, child));
  }
  const values = recordOfObjects(schema);
  if (values) {
    const placeholder = schema.propertyNames?.format === 'uri' ? '<url>' : '<name>';
    return [{ key, schema }, ...leaves(`${key}.${placeholder}`, values)];
  }
  const items = listOfObjects(schema);
  if (items) return [{ key, schema }, ...leaves(`${key}[]`, items)];
  return [{ key, schema }];
}

function sections(root: JsonSchema): Section[] {
  const topLevel: Section = { key: '', description: undefined, rows: [] };
  const grouped: Section[] = [];
  for (const [key, schema] of Object.entries(root.properties ?? {})) {
    const rows = leaves(key, schema);
    if (rows.length === 1) topLevel.rows.push(...rows);
    // The section's own description heads its table; a map's or list's own row would repeat it.
    else grouped.push({ key, description: schema.description, rows: rows.filter((row) => row.key !== key) });
  }
  return [topLevel, ...grouped];
}

function bounds(schema: JsonSchema, unit: string): string {
  const low = schema.exclusiveMinimum !== undefined ? `> ${schema.exclusiveMinimum}` : schema.minimum !== undefined ? `≥ ${schema.minimum}` : '';
  const high = schema.maximum !== undefined && schema.maximum < LARGEST_SAFE ? `≤ ${schema.maximum}` : '';
  return [unit, low, high].filter(Boolean).join(', ');
}

function typeOf(schema: JsonSchema): string {
  if (schema.const !== undefined) return `\`${String(schema.const)}\``;
  if (schema.enum) return schema.enum.map((value) => `\`${String(value)}\``).join(' | ');
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' or ');
  switch (schema.type) {
    case 'integer': return bounds(schema, 'integer');
    case 'number': return bounds(schema, 'number');
    case 'boolean': return 'boolean';
    case 'string': return schema.format === 'uri' ? 'URL' : 'string';
    case 'array': return schema.items ? `list of ${listOfObjects(schema) ? 'objects' : typeOf(schema.items)}` : 'list';
    case 'object': return 'map';
    default: return 'any';
  }
}

/** The same key in the output-side schema (a default over a transform shows only there). */
let outputSide: JsonSchema | undefined;
function outputSideOf(key: string): JsonSchema | undefined {
  outputSide ??= z.toJSONSchema(configSchema, { io: 'output', unrepresentable: 'any' }) as JsonSchema;
  let node: JsonSchema | undefined = outputSide;
  for (const part of key.split('.')) {
    const [name, list] = part.endsWith('[]') ? [part.slice(0, -2), true] : [part, false];
    node = /^<.*>$/.test(name) && typeof node?.additionalProperties === 'object' ? node.additionalProperties : node?.properties?.[name];
    if (list) node = node?.items;
  }
  return node;
}

function defaultOf(row: Row): string {
  const value = row.schema.default ?? DEFAULTS[row.key] ?? outputSideOf(row.key)?.default;
  if (value === undefined) return '';
  if (typeof value === 'string') return `\`${value}\``;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return `\`[${value.join(', ')}]\``;
  return `\`${JSON.stringify(value)}\``;
}

function envOf(key: string): string {
  const name = ENV_BY_KEY.get(key);
  return name ? `\`${name}\`` : '';
}

function sectionText(section: Section): string {
  const rows = section.rows.map((row) => [`\`${row.key}\``, envOf(row.key), typeOf(row.schema), defaultOf(row), row.schema.description ?? '']);
  const heading = section.key ? `## \`${section.key}\`` : '## Top-level keys';
  return [heading, ...(section.description ? ['', section.description] : []), '', table(['key', 'environment', 'type', 'default', 'meaning'], rows)].join('\n');
}

/** Config keys without a description: the reference would leave their meaning blank. */
export function undescribedConfigKeys(): string[] {
  return sections(configJsonSchema()).flatMap((section) => section.rows).filter((row) => !row.schema.description).map((row) => row.key);
}

/** docs/configuration.md, from the zod schema that validates the config and the loader's environment variables. */
export function configurationReference(): string {
  return `# Configuration reference

${generatedBanner('src/config/schema.ts (each field\'s `.describe()`) and src/config/load-config.ts (environment variables)')}

Keyline reads \`config/keyline.yaml\` (or the file \`KEYLINE_CONFIG\` names), then environment
variables, which win. Every key is optional; \`config/keyline.yaml\` is a commented starting point
to copy and edit. The configuration is validated at start: a bad value or an unknown key stops the
process with one line per problem naming the key (and its environment variable), e.g.
\`keyline: invalid configuration: port (PORT): Too big: expected number to be <=65535\`.

Durations are in seconds unless the key says otherwise. Lists given in an environment variable
are comma-separated.

${sections(configJsonSchema()).map(sectionText).join('\n\n')}

## Environment only

| variable | meaning |
| --- | --- |
| \`KEYLINE_CONFIG\` | the config file to read instead of \`config/keyline.yaml\` (relative to the working directory) |
| \`NODE_ENV\` | \`production\` makes a missing secrets key fatal and JSON logs the default |
| \`OTEL_EXPORTER_OTLP_ENDPOINT\` (and the other standard \`OTEL_*\`) | send traces over OTLP/HTTP to this collector; unset, tracing is off (see [monitoring](monitoring.md)) |
`;
}

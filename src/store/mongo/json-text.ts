/** Free-form objects are stored as JSON text; see mongo-documents.ts for why. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value);
}

export function fromJsonText<T>(text: string): T {
  return JSON.parse(text) as T;
}

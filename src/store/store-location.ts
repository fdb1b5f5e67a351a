import { describeMongoUrl } from './mongo/mongo-url.ts';

export function isMongoUrl(location: string): boolean {
  return /^mongodb(\+srv)?:\/\//.test(location);
}

/** Where the store is, safe to print: the SQLite file's absolute path, or the MongoDB hosts without credentials. */
export function describeStoreLocation(location: string): string {
  return isMongoUrl(location) ? `MongoDB at ${describeMongoUrl(location)}` : `SQLite at ${location}`;
}

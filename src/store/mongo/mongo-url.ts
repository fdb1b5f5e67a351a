/**
 * Reading a MongoDB connection string without leaking it: messages name the hosts and the
 * database, never the credentials or the options (which may carry secrets too).
 */

const CONNECTION_STRING = /^(mongodb(?:\+srv)?):\/\/(?:([^@/?]*)@)?([^/?]*)(?:\/([^?]*))?(?:\?(.*))?$/;

interface ConnectionStringParts {
  scheme: string;
  userInfo: string | undefined;
  hosts: string;
  database: string | undefined;
  query: string | undefined;
}

function parse(url: string): ConnectionStringParts | undefined {
  const match = CONNECTION_STRING.exec(url);
  if (!match) return undefined;
  const [, scheme, userInfo, hosts, database, query] = match;
  return { scheme: scheme!, userInfo, hosts: hosts!, database: database || undefined, query };
}

/** `mongodb://host1,host2/db`, safe to log. */
export function describeMongoUrl(url: string): string {
  const parts = parse(url);
  if (!parts) return 'an invalid MongoDB connection string';
  return `${parts.scheme}://${parts.hosts}/${parts.database ?? ''}`;
}

/** The database named in the connection string's path, if any. */
export function databaseNameOf(url: string): string | undefined {
  const database = parse(url)?.database;
  return database === undefined ? undefined : safeDecode(database);
}

/** The value of an option in the connection string's query (option names are case-insensitive). */
export function queryOptionOf(url: string, name: string): string | undefined {
  const query = parse(url)?.query;
  if (!query) return undefined;
  for (const [key, value] of new URLSearchParams(query)) {
    if (key.toLowerCase() === name.toLowerCase()) return value;
  }
  return undefined;
}

/** Removes the connection string and its password from a message that might quote them. */
export function scrubMongoUrl(message: string, url: string): string {
  let scrubbed = message.split(url).join(describeMongoUrl(url));
  const password = parse(url)?.userInfo?.split(':').slice(1).join(':');
  if (password) {
    for (const form of new Set([password, safeDecode(password)])) {
      scrubbed = scrubbed.split(form).join('***');
    }
  }
  return scrubbed;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

import type { Db } from 'mongodb';

export interface ServerFlavor {
  name: 'MongoDB' | 'FerretDB';
  version: string;
}

/** FerretDB speaks the MongoDB protocol and says who it is in buildInfo. */
export async function serverFlavor(db: Db): Promise<ServerFlavor> {
  const info = await db.admin().command({ buildInfo: 1 });
  const ferretdbVersion: unknown = info['ferretdbVersion'];
  if (typeof ferretdbVersion === 'string') return { name: 'FerretDB', version: ferretdbVersion };
  return { name: 'MongoDB', version: String(info['version']) };
}

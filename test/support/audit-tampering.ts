import { DatabaseSync } from 'node:sqlite';
import { MongoClient } from 'mongodb';
import { isMongoUrl } from '../../src/store/open-store.ts';

/** What an attacker with write access to the database would do, straight on the database. */
export interface AuditTampering {
  editData(seq: number, data: Record<string, unknown>): Promise<void>;
  remove(seq: number): Promise<void>;
  dropAuditTable(): Promise<void>;
}

export function auditTampering(location: string): AuditTampering {
  if (!isMongoUrl(location)) {
    const run = async (sql: string, ...values: Array<string | number>) => {
      const db = new DatabaseSync(location);
      try {
        db.exec('PRAGMA busy_timeout = 5000');
        db.prepare(sql).run(...values);
      } finally {
        db.close();
      }
    };
    return {
      editData: (seq, data) => run('UPDATE audit_events SET data = ? WHERE seq = ?', JSON.stringify(data), seq),
      remove: (seq) => run('DELETE FROM audit_events WHERE seq = ?', seq),
      dropAuditTable: () => run('DROP TABLE audit_events'),
    };
  }
  const withEvents = async (work: (events: import('mongodb').Collection) => Promise<unknown>) => {
    const client = new MongoClient(location.replace(/[?&]maxPoolSize=\d+/, ''));
    try {
      await work(client.db().collection('audit_events'));
    } finally {
      await client.close();
    }
  };
  return {
    editData: (seq, data) => withEvents((events) => events.updateOne({ seq }, { $set: { data: JSON.stringify(data) } })),
    remove: (seq) => withEvents((events) => events.deleteOne({ seq })),
    dropAuditTable: () => withEvents((events) => events.drop()),
  };
}

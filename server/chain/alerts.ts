// Chain alerts: a validator showed something that does not fit what the hub already certified (a
// fork, a rollback, a refused certificate, a tree head its own log does not give). Stored in
// chain_alerts, logged at error level, and listed by GET /api/v1/chain/head. The same finding
// from the same validator is stored once per process (a stuck validator would repeat it every poll).
import type { Logger } from 'pino';
import type { Prisma } from '../generated/prisma/client';
import type { Db } from '../db/types';

export interface AlertInput {
  kind: string;
  message: string;
  source: string;
  detail?: Record<string, unknown>;
}

export interface AlertWire {
  id: number;
  kind: string;
  message: string;
  source: string;
  detail: unknown;
  detected_at: string;
}

const raised = new Set<string>();

export async function raiseAlert(db: Db, logger: Logger, alert: AlertInput): Promise<void> {
  const key = `${alert.kind}|${alert.source}|${JSON.stringify(alert.detail ?? {})}`;
  logger.error({ alert }, `chain alert: ${alert.message}`);
  if (raised.has(key)) return;
  raised.add(key);
  await db.chainAlert.create({ data: { kind: alert.kind, message: alert.message, source: alert.source, detail: (alert.detail ?? {}) as Prisma.InputJsonValue } });
}

export async function listAlerts(db: Db, limit = 50): Promise<AlertWire[]> {
  const rows = await db.chainAlert.findMany({ orderBy: { id: 'desc' }, take: limit });
  return rows.map((row) => ({ id: Number(row.id), kind: row.kind, message: row.message, source: row.source, detail: row.detail, detected_at: row.detectedAt.toISOString() }));
}

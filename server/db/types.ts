// Prisma types the services share: the client and the client inside a transaction.
import type { Prisma, PrismaClient } from '../generated/prisma/client';

export type Db = PrismaClient;
export type Tx = Prisma.TransactionClient;
/** Either: read paths accept both, so they can run inside an ingest transaction. */
export type DbOrTx = Db | Tx;

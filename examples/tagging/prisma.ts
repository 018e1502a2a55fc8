// examples/tagging/prisma.ts
import type { Prisma, PrismaClient } from './prisma/generated/client.js';

/** The change set and feature a transaction's writes are journaled under. */
export interface Tag {
  readonly changeset: string;
  readonly feature?: string;
}

/** Runs `work` in one interactive Prisma transaction, tagged for wayback. */
export function withChangeset<T>(prisma: PrismaClient, tag: Tag, work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return prisma.$transaction(async (tx) => {
    // set_config(…, true) is SET LOCAL: the tag ends with the transaction.
    await tx.$executeRaw`select set_config('wayback.changeset', ${tag.changeset}, true),
                                set_config('wayback.feature', ${tag.feature ?? ''}, true)`;
    return work(tx);
  });
}

// For example, one step of a job, journaled as change set `changeset` of the feature "candidate-mapping"
// (model Candidate in prisma/schema.prisma):
export function renameCandidate(prisma: PrismaClient, changeset: string, id: number, firstName: string) {
  return withChangeset(prisma, { changeset, feature: 'candidate-mapping' }, (tx) =>
    tx.candidate.update({ where: { id }, data: { firstName } }),
  );
}

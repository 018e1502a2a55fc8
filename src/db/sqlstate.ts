/** The SQLSTATE codes wayback decides on; never match on message text. */
export const SqlState = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
  invalidCatalogName: '3D000',
  invalidPassword: '28P01',
  invalidAuthorization: '28000',
  undefinedTable: '42P01',
  undefinedColumn: '42703',
  undefinedObject: '42704',
  invalidSchemaName: '3F000',
  insufficientPrivilege: '42501',
  cannotConnectNow: '57P03',
  /** Raised by wayback's own SQL; the message is already written for the user. */
  waybackRefused: 'WB001',
} as const;

export function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length === 5 ? code : undefined;
}

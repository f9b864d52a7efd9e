/** Files that commands saved for a person (the terminal's `/export`), under the data directory. */
export interface ExportFiles {
  /** Deletes every export file of the account; returns how many were removed. Never throws for a missing folder. */
  removeFor(accountId: string): Promise<number>
}

import type {
  MergeDecision,
  MergeDecisionResult,
  MergeInspection,
  RequesterIdentity,
} from './merge-consent.js'

/** What the confirmation page shows for a token, without consuming it. */
export type TokenInspection =
  | {
      readonly status: 'valid'
      readonly email: string
      readonly expiresAt: number
      /** The chat identities that asked, so a person can spot a request that was not theirs. */
      readonly requestedBy: readonly RequesterIdentity[]
    }
  | { readonly status: 'used' | 'expired' | 'unknown' }

/** The result of confirming (consuming) a token. */
export type ConfirmResult =
  | {
      readonly status: 'verified'
      readonly email: string
      /** The account that now holds the address (the one that owned it before, on a merge). */
      readonly accountId: string
      /** True when two accounts became one. */
      readonly merged: boolean
    }
  | {
      /** The address belongs to another verified account, which was asked to approve. */
      readonly status: 'awaiting_approval'
      readonly email: string
    }
  | { readonly status: 'used' | 'expired' | 'unknown' }

/** What the `/verify` routes need. */
export interface EmailVerifier {
  /** Looks a token up and changes nothing (mail scanners open links). Never throws for bad input. */
  inspect(token: string, now: number): Promise<TokenInspection>
  /** Consumes the token once, verifies the address and links accounts. Never throws for bad input. */
  confirm(token: string, now: number): Promise<ConfirmResult>
  /** The approval page of a merge request (changes nothing). */
  inspectMerge(token: string, now: number): Promise<MergeInspection>
  /** The verified account's answer to a merge request; approving merges. */
  decideMerge(token: string, decision: MergeDecision, now: number): Promise<MergeDecisionResult>
}

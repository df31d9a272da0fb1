/**
 * Who may do what is decided in the main process, never in the renderer:
 * admins do everything; account managers read, keep drafts and preview; support staff only read
 * (overview, details, history, export).
 */
export const ROLES = ['admin', 'account_manager', 'support'] as const;
export type Role = (typeof ROLES)[number];

export const EVERYONE: readonly Role[] = ROLES;
export const ADMIN_ONLY: readonly Role[] = ['admin'];
export const ADMIN_AND_MANAGERS: readonly Role[] = ['admin', 'account_manager'];
/** Usage analytics: admins and support staff (who audit consumption). */
export const ADMIN_AND_SUPPORT: readonly Role[] = ['admin', 'support'];

/** The caller of a command, as the host established it (never taken from the command's input). */
export interface Caller {
  actor: string;
  role: Role;
}

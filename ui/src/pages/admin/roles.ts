import type { Role } from '../../lib/api/auth';

/** The roles, least first (docs/security.md#roles). */
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

/** What each role may do, in a sentence a form can show. */
export const ROLE_HINT: Record<Role, string> = {
  viewer: 'A viewer reads everything in scope and changes nothing.',
  operator: 'An operator also asks the chat, runs investigations, proposes fixes and opens pull requests.',
  admin: 'An admin also manages users, API tokens and the audit log.',
};

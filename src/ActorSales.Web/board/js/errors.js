// What a person is told when a call fails: words and a next step, never a status number or name.
import { t } from './i18n.js';

/**
 * Describes `error` (a GrpcError, a sign-in failure or anything thrown) for the board opened with `scope`.
 * Returns { text, detail, signInAgain, retry }: signInAgain drops the token and shows the sign-in; retry means the
 * board reconnects by itself (a lost connection, a restarting host).
 */
export function describe(error, scope) {
  const detail = error?.detail ?? error?.message ?? String(error);
  switch (error?.code) {
    case 'UNAUTHENTICATED':
      return { text: t('error.expired'), detail, signInAgain: true, retry: false };
    case 'PERMISSION_DENIED': {
      // Name what was asked for; a denial without a scope is about the account itself (frozen, departed, no profile).
      const [kind, id] = scope?.team_id ? ['team', scope.team_id] : scope?.owner_id ? ['owner', scope.owner_id]
        : scope?.region ? ['region', scope.region] : ['self', ''];
      return { text: t(`error.denied.${kind}`, { id }), detail, signInAgain: false, retry: false };
    }
    case 'RESOURCE_EXHAUSTED':
      return { text: t('error.busy'), detail, signInAgain: false, retry: false };
    case 'UNAVAILABLE':
    case 'DEADLINE_EXCEEDED':
    case 'CANCELLED':
      return { text: t('error.unavailable'), detail, signInAgain: false, retry: true };
    case 'INVALID_ARGUMENT':
    case 'NOT_FOUND':
    case 'FAILED_PRECONDITION':
      return { text: t('error.invalid'), detail, signInAgain: false, retry: false };
    default:
      if (error?.signIn) return { text: t('error.signIn', { detail }), detail, signInAgain: true, retry: false };
      return { text: t('error.other'), detail, signInAgain: false, retry: false };
  }
}

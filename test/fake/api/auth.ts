// Bearer-token authentication, like kube-apiserver's --token-auth-file with anonymous auth turned off.
import { randomBytes } from 'node:crypto';
import { ApiFailure } from './status.ts';

export const userNames = ['admin', 'debugger', 'viewer', 'noexec'] as const;
export type FakeUser = (typeof userNames)[number];

export interface UserInfo {
  username: string;
  uid: string;
  groups: string[];
}

export class Authenticator {
  readonly tokens: Record<FakeUser, string>;
  private readonly byToken = new Map<string, UserInfo>();

  constructor() {
    const tokens = {} as Record<FakeUser, string>;
    for (const user of userNames) {
      const token = `${user}-${randomBytes(16).toString('hex')}`;
      tokens[user] = token;
      const groups = user === 'admin' ? ['system:masters', 'system:authenticated'] : ['system:authenticated'];
      this.byToken.set(token, { username: user, uid: `uid-${user}`, groups });
    }
    this.tokens = tokens;
  }

  /** Accepts another token for that user. */
  addToken(token: string, user: FakeUser): void {
    this.byToken.set(token, this.byToken.get(this.tokens[user])!);
  }

  /** The user behind an Authorization header; throws the apiserver's 401 otherwise. */
  authenticate(header: string | undefined): UserInfo {
    const [scheme, token] = (header ?? '').split(' ', 2);
    const user = scheme?.toLowerCase() === 'bearer' && token ? this.byToken.get(token) : undefined;
    if (!user) throw new ApiFailure(401, 'Unauthorized', 'Unauthorized');
    return user;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { authV1 } from '@parley/proto';
import { DownstreamClients, GATEWAY } from '../downstream/downstream-clients';
import { SETTINGS_CACHE_MS } from './instance-settings';

/**
 * The auth service's sign-in options (which ways of signing in are on, single-user mode, whether the
 * install is fresh), read by /api/config and the sign-in route. Kept a second (an admin's change of
 * sign-up shows within it on every copy), as /api/config is public and polled; never kept while the install has no account yet (the first visit changes it).
 */
@Injectable()
export class SignInOptions {
  private cached?: { at: number; options: authV1.GetSignInOptionsResponse };

  constructor(@Inject(DownstreamClients) private readonly downstream: DownstreamClients) {}

  async get(): Promise<authV1.GetSignInOptionsResponse> {
    if (!this.cached || Date.now() - this.cached.at > SETTINGS_CACHE_MS || this.cached.options.firstUser) {
      this.cached = {
        at: Date.now(),
        options: await this.downstream.auth.getSignInOptions({}, { caller: GATEWAY }),
      };
    }
    return this.cached.options;
  }
}

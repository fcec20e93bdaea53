import { isIP } from 'node:net';

/**
 * What keeps other web pages out of a viewer, pure over a request's headers.
 * - DNS rebinding: a page on evil.example whose name later resolves to the viewer's address is
 *   same-origin with it, so it could read /events (frames, plates). Its requests carry
 *   `Host: evil.example`: without a token the viewer answers only hosts that cannot be rebound
 *   (an IP address, localhost) or that viewer.allowedHosts names. A token is the stronger
 *   guard, and with one every host is answered.
 * - Cross-site writes: any page can POST a form or `text/plain` without a preflight. A command
 *   must be `application/json` (which needs a CORS preflight the viewer never grants) and,
 *   when the browser says where it comes from (`Origin`), come from the viewer's own host: the
 *   Host header, or a name viewer.allowedHosts declares (behind a reverse proxy that rewrites
 *   Host, the public name). Not X-Forwarded-Host: a proxy copies the client's Host into it, and
 *   a page rebound to the viewer's address is same-origin, so it may set any header itself.
 */

/** Pure: the host name of a Host header (`[::1]:8090` -> `::1`), lower case. */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    return h.slice(1, h.indexOf(']') < 0 ? undefined : h.indexOf(']'));
  }
  const colon = h.lastIndexOf(':');
  return colon < 0 ? h : h.slice(0, colon);
}

export function hostAllowed(
  host: string | undefined,
  allowedHosts: readonly string[],
  hasToken: boolean,
): boolean {
  if (hasToken) {
    return true;
  }
  if (host === undefined || host === '') {
    return false;
  }
  const name = hostName(host);
  return (
    isIP(name) !== 0 ||
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    allowedHosts.some((a) => a.toLowerCase() === name)
  );
}

export type WriteRefusal = { readonly status: 403 | 415; readonly message: string } | undefined;

/** Pure: why a state-changing request is refused, or undefined when it may go on. */
export function crossSiteWriteRefusal(
  headers: {
    readonly host?: string | undefined;
    readonly origin?: string | undefined;
    readonly 'content-type'?: string | undefined;
  },
  allowedHosts: readonly string[] = [],
): WriteRefusal {
  const type = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    return { status: 415, message: 'send the command as application/json' };
  }
  const origin = headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let originHost: string;
    try {
      originHost = new URL(origin).host.toLowerCase();
    } catch {
      return { status: 403, message: 'malformed Origin' };
    }
    const ownHost = (headers.host ?? '').toLowerCase();
    if (originHost !== ownHost && !namedIn(originHost, allowedHosts)) {
      return { status: 403, message: `commands from ${origin} are not accepted` };
    }
  } else if (origin === 'null') {
    return { status: 403, message: 'commands from an opaque origin are not accepted' };
  }
  return undefined;
}

/** Whether an Origin's host is a name the operator declared (viewer.allowedHosts). */
function namedIn(host: string, allowedHosts: readonly string[]): boolean {
  const name = hostName(host);
  return allowedHosts.some((a) => a.toLowerCase() === name);
}

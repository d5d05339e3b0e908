import { shell, type WebContents } from 'electron';
import { isAppUrl } from './app-protocol';

/**
 * The web addresses the app itself links to, the only ones handed to the system browser. The
 * renderer links to none today (every link is an in-app `#/` route): add an address here in the same
 * change that adds its link.
 */
export const EXTERNAL_LINKS: readonly string[] = [];

/** Whether an address is on the list: https, no credentials, same address (its #fragment aside). */
export function isAllowedExternal(url: string, allowed: readonly string[] = EXTERNAL_LINKS): boolean {
  const key = (s: string): string | null => {
    try {
      const u = new URL(s);
      if (u.protocol !== 'https:' || u.username || u.password) return null;
      u.hash = '';
      return u.href;
    } catch {
      return null;
    }
  };
  const k = key(url);
  return k !== null && allowed.some((a) => key(a) === k);
}

/** Opens an address in the system browser when it is on the list; says whether it did. */
export function openExternalIfAllowed(url: string, allowed: readonly string[] = EXTERNAL_LINKS): boolean {
  if (!isAllowedExternal(url, allowed)) return false;
  void shell.openExternal(url);
  return true;
}

/**
 * Keeps a web contents on the app: no new windows and no navigation away from the page (the app's
 * routes are #fragments, which navigate in page); links to listed addresses open in the system browser.
 */
export function guardNavigation(
  contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>,
  allowed: readonly string[] = EXTERNAL_LINKS,
): void {
  contents.setWindowOpenHandler(({ url }) => {
    openExternalIfAllowed(url, allowed);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event) => {
    // A full load of the app's own page would drop the renderer's state; nothing else may load at all.
    event.preventDefault();
    if (!isAppUrl(event.url)) openExternalIfAllowed(event.url, allowed);
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

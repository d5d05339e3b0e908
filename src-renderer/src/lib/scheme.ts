// The system's light or dark scheme, for what draws its own colours (charts, canvases).

/** Calls `changed` whenever the system switches between light and dark; returns the function that stops. */
export function onSchemeChange(changed: (dark: boolean) => void): () => void {
  const scheme = matchMedia('(prefers-color-scheme: dark)');
  const listener = () => changed(scheme.matches);
  scheme.addEventListener('change', listener);
  return () => scheme.removeEventListener('change', listener);
}

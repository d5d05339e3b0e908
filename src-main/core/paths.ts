import os from 'node:os';
import path from 'node:path';

/** Folder name Electron derives `userData` from (package.json `name`). */
const APP_DIR = 'timbre-workbench';

/** Per-user app-data folder, the same one Electron's `app.getPath('userData')` gives. */
export function defaultHome(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32') {
    return path.join(env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), APP_DIR);
  }
  if (platform === 'darwin') {
    return path.join(os.homedir(), 'Library', 'Application Support', APP_DIR);
  }
  return path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), APP_DIR);
}

/** TIMBRE_HOME: where the database, data sets, feature caches and models live. */
export function timbreHome(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.TIMBRE_HOME || defaultHome(env));
}

/** Every place under TIMBRE_HOME the app writes to. */
export function homePaths(home: string) {
  return {
    home,
    database: path.join(home, 'timbre.db'),
    datasets: path.join(home, 'datasets'),
    defaultDataset: path.join(home, 'datasets', 'default'),
    features: path.join(home, 'features'),
    models: path.join(home, 'models'),
  };
}
export type HomePaths = ReturnType<typeof homePaths>;

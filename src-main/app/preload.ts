// The preload bridge: one object, `window.timbre`, with exactly three functions (not ipcRenderer whole).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiMethod, ElectronBridge, WorkbenchEvent } from '../shared/contract';

const bridge: ElectronBridge = {
  invoke: (method: ApiMethod, args: unknown[]) => ipcRenderer.invoke('timbre:invoke', method, args),
  onEvent: (listener) => {
    const handler = (_e: IpcRendererEvent, event: WorkbenchEvent) => listener(event);
    ipcRenderer.on('timbre:event', handler);
    return () => ipcRenderer.off('timbre:event', handler);
  },
  saveFiles: async (files) => {
    const r = (await ipcRenderer.invoke('timbre:save', files)) as
      { ok: true; value: string | null } | { ok: false; error: { name: string; message: string } };
    if (r.ok) return r.value;
    throw Object.assign(new Error(r.error.message), { name: r.error.name });
  },
};

contextBridge.exposeInMainWorld('timbre', bridge);

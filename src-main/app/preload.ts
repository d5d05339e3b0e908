// The preload bridge: one object, `window.timbre`, with exactly two functions (not ipcRenderer whole).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiMethod, ElectronBridge, WorkbenchEvent } from '../shared/api';

const bridge: ElectronBridge = {
  invoke: (method: ApiMethod, args: unknown[]) => ipcRenderer.invoke('timbre:invoke', method, args),
  onEvent: (listener) => {
    const handler = (_e: IpcRendererEvent, event: WorkbenchEvent) => listener(event);
    ipcRenderer.on('timbre:event', handler);
    return () => ipcRenderer.off('timbre:event', handler);
  },
};

contextBridge.exposeInMainWorld('timbre', bridge);
